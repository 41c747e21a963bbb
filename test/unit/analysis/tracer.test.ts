// The packet tracer against the semantics iptables(8) and iptables-extensions(8) describe.
// Each expectation cites the behaviour it checks; none is copied from the tracer's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../../../server/src/engine';
import { tracePacket, type TraceResult } from '../../../server/src/analysis/tracer';
import { parsePacket, formatPacket } from '../../../server/src/analysis/trace-packet';
import { runExtraCommand } from '../../../server/src/cli-extra';

const save = (body: string) => analyze(body.trim() + '\n', { kind: 'save' });
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));

function trace(text: string, packet: string, kind: 'save' | 'shell' = 'save'): TraceResult {
  const r = tracePacket(analyze(text, { kind }), packet);
  assert.ok(r.ok, `packet should parse: ${packet}`);
  return r;
}

test('packet grammar: the documented example, defaults and the path from in/out', () => {
  const p = parsePacket('tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0 state NEW');
  assert.ok(p.ok);
  assert.equal(p.packet.family, 4);
  assert.equal(p.packet.proto, 6);
  assert.equal(p.packet.sport, 40000);
  assert.equal(p.packet.dport, 22);
  assert.equal(p.packet.path, 'input');
  assert.equal(p.packet.tcpFlags, 0x02, 'a NEW tcp packet is a SYN unless flags say otherwise');
  const fwd = parsePacket('udp 192.0.2.1:5353 > 198.51.100.2:53 in eth0 out eth1');
  assert.ok(fwd.ok && fwd.packet.path === 'forward');
  const out = parsePacket('icmp 192.0.2.1 > 198.51.100.2 out eth1');
  assert.ok(out.ok && out.packet.path === 'output' && out.packet.icmpType === 8, 'icmp defaults to echo-request');
  const v6 = parsePacket('tcp [2001:db8::1]:1234 > [2001:db8::2]:443 in eth0 state ESTABLISHED flags ACK');
  assert.ok(v6.ok && v6.packet.family === 6 && v6.packet.dport === 443 && v6.packet.tcpFlags === 0x10);
  const named = parsePacket('tcp 192.0.2.1:1234 > 192.0.2.2:ssh in eth0');
  assert.ok(named.ok && named.packet.dport === 22, 'service names from /etc/services');
  assert.ok(parsePacket(formatPacket(v6.packet)).ok, 'the canonical form parses again');
});

test('packet grammar: mistakes are reported, not guessed', () => {
  for (const bad of ['tcp 1.2.3.4 10.0.0.1', 'tcp 1.2.3.4:1 > 2001:db8::1', 'icmp 1.2.3.4:5 > 1.2.3.5', 'tcp 1.2.3.4:1 > 1.2.3.5:2 state BOGUS', 'bogus 1.2.3.4 > 1.2.3.5', 'udp 1.2.3.4:1 > 1.2.3.5:2 flags SYN', 'tcp 1.2.3.4:70000 > 1.2.3.5:1']) {
    const r = parsePacket(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.ok(r.message.en && r.message.ja, 'message in both languages');
  }
});

const SEED = resolve(process.cwd(), '../shared/seed/packet_filter.sh');
test('seed script: HTTP from anywhere, SSH only from TrustIP, everything else by the DROP policy', { skip: !existsSync(SEED) && 'seed absent' }, () => {
  const text = readFileSync(SEED, 'utf8').replace("TrustIP='y.y.y.y'", "TrustIP='210.172.143.2'");
  const http = trace(text, 'tcp 203.0.113.9:40000 > 10.0.0.1:80 in eth0', 'shell');
  assert.equal(http.verdict, 'ACCEPT');
  assert.equal(http.decidedBy?.line, lineOf(text, '--dport 80 -j ACCEPT'));
  const ssh = trace(text, 'tcp 210.172.143.2:40000 > 10.0.0.1:22 in eth0', 'shell');
  assert.equal(ssh.verdict, 'ACCEPT');
  assert.equal(ssh.decidedBy?.line, lineOf(text, '--dport 22 -j ACCEPT'));
  const stranger = trace(text, 'tcp 203.0.113.9:40000 > 10.0.0.1:22 in eth0', 'shell');
  assert.equal(stranger.verdict, 'DROP');
  assert.equal(stranger.decidedBy, null, 'decided by the policy');
  assert.deepEqual(stranger.policyOf, { table: 'filter', chain: 'INPUT' });
  // Every INPUT rule was evaluated, none matched.
  assert.equal(stranger.steps.length, text.split('\n').filter((l) => /^iptables -A INPUT/.test(l)).length);
  assert.ok(stranger.steps.every((s) => !s.matched));
  const reply = trace(text, 'tcp 198.51.100.7:443 > 10.0.0.1:50000 in eth0 state ESTABLISHED', 'shell');
  assert.equal(reply.verdict, 'ACCEPT');
  assert.equal(reply.decidedBy?.line, lineOf(text, 'iptables -A INPUT -m state --state ESTABLISHED,RELATED'));
  const loop = trace(text, 'udp 127.0.0.1:5000 > 127.0.0.1:53 in lo', 'shell');
  assert.equal(loop.decidedBy?.line, lineOf(text, '-i lo -j ACCEPT'));
});

const CHAINS = `
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -p tcp -j A
-A INPUT -p tcp --dport 25 -j ACCEPT
-A A -s 192.0.2.0/24 -j RETURN
-A A -p tcp --dport 22 -g B
-A A -p tcp --dport 80 -j LOG --log-prefix web
-A A -p tcp --dport 80 -j ACCEPT
-A B -p tcp --sport 1024:65535 -j RETURN
-A B -j REJECT
COMMIT`;

test('RETURN goes back to the calling chain, -g does not come back (iptables(8) --goto)', () => {
  const ret = trace(CHAINS, 'tcp 192.0.2.5:1000 > 10.0.0.1:25 in eth0');
  assert.equal(ret.verdict, 'ACCEPT');
  assert.equal(ret.decidedBy?.line, lineOf(CHAINS, '--dport 25 -j ACCEPT'), 'after RETURN the next INPUT rule decides');
  // B was entered by -g from A: its RETURN skips the rest of A and INPUT's next rule is evaluated.
  const gone = trace(CHAINS, 'tcp 198.51.100.1:2000 > 10.0.0.1:22 in eth0');
  assert.equal(gone.verdict, 'DROP', 'back in INPUT after A, port 22 is not 25: the policy drops');
  assert.ok(!gone.steps.some((s) => s.chain === 'A' && s.line === lineOf(CHAINS, '--dport 80 -j LOG')), 'the rest of A is not evaluated after the goto');
  const rej = trace(CHAINS, 'tcp 198.51.100.1:53 > 10.0.0.1:22 in eth0');
  assert.equal(rej.verdict, 'REJECT');
  assert.equal(rej.decidedBy?.chain, 'B');
});

test('a non-terminating target (LOG) continues with the next rule', () => {
  const r = trace(CHAINS, 'tcp 198.51.100.1:3000 > 10.0.0.1:80 in eth0');
  const log = r.steps.find((s) => s.line === lineOf(CHAINS, '-j LOG'));
  assert.ok(log?.matched);
  assert.equal(r.verdict, 'ACCEPT');
  assert.equal(r.decidedBy?.line, lineOf(CHAINS, '--dport 80 -j ACCEPT'));
});

const TABLES = `
*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp --dport 5060 -j CT --notrack
-A PREROUTING -s 203.0.113.66 -j DROP
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8000:8999 -j MARK --set-xmark 0x7/0xff
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 192.0.2.10:80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
-A INPUT -m mark --mark 0x7/0xff -j ACCEPT
-A FORWARD -d 192.0.2.10 -p tcp --dport 80 -j ACCEPT
COMMIT`;

test('tables run in hook order: raw before mangle before nat before filter', () => {
  const early = trace(TABLES, 'tcp 203.0.113.66:1000 > 10.0.0.1:8001 in eth0');
  assert.equal(early.verdict, 'DROP');
  assert.equal(early.decidedBy?.table, 'raw');
  assert.ok(early.steps.every((s) => s.table === 'raw'), 'nothing after the raw table is evaluated');
  const marked = trace(TABLES, 'tcp 203.0.113.5:1000 > 10.0.0.1:8001 in eth0');
  assert.equal(marked.verdict, 'ACCEPT', 'MARK in mangle PREROUTING is seen by -m mark in filter INPUT');
  assert.equal(marked.decidedBy?.line, lineOf(TABLES, '-m mark --mark 0x7/0xff -j ACCEPT'));
  const untracked = trace(TABLES, 'udp 203.0.113.5:1000 > 10.0.0.1:5060 in eth0');
  assert.equal(untracked.decidedBy?.line, lineOf(TABLES, '--ctstate UNTRACKED'), 'CT --notrack makes the packet UNTRACKED');
});

test('DNAT changes the destination for the rest of the path; nat is walked by NEW packets only', () => {
  const fwd = trace(TABLES, 'tcp 203.0.113.5:1000 > 198.51.100.1:8080 in eth0 out eth1');
  assert.equal(fwd.verdict, 'ACCEPT');
  assert.equal(fwd.decidedBy?.line, lineOf(TABLES, '-d 192.0.2.10 -p tcp --dport 80'), 'FORWARD sees 192.0.2.10:80');
  assert.ok(fwd.steps.some((s) => s.table === 'nat' && s.matched));
  // ESTABLISHED: no nat steps (the connection's NAT is replayed, not walked again).
  const est = trace(TABLES, 'tcp 203.0.113.5:1000 > 198.51.100.1:8080 in eth0 out eth1 state ESTABLISHED');
  assert.ok(!est.steps.some((s) => s.table === 'nat'));
  assert.equal(est.verdict, 'ACCEPT', 'conntrack applies the first packet\'s DNAT to the rest of the connection');
  // A DNAT of a packet we were told is for this host: which path it takes depends on the routes.
  const local = trace(TABLES, 'tcp 203.0.113.5:1000 > 198.51.100.1:8080 in eth0');
  assert.equal(local.verdict, 'DEPENDS');
});

test('an undecidable match makes the answer DEPENDS, unless every branch agrees', () => {
  const text = `
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -m recent --name ssh --rcheck --seconds 60 -j DROP
-A INPUT -p icmp -m limit --limit 1/s -j ACCEPT
COMMIT`;
  const ssh = trace(text, 'tcp 192.0.2.1:1000 > 10.0.0.1:22 in eth0');
  assert.equal(ssh.verdict, 'DEPENDS');
  assert.equal(ssh.dependsOn[0]?.line, lineOf(text, '-m recent'));
  assert.match(ssh.dependsOn[0].reason.en, /recent/);
  assert.equal(ssh.outcomes.length, 2);
  // limit decides nothing here: matched -> ACCEPT, not matched -> policy ACCEPT.
  const ping = trace(text, 'icmp 192.0.2.1 > 10.0.0.1 in eth0');
  assert.equal(ping.verdict, 'ACCEPT');
  // A port-less packet against a port rule: the answer depends on the port, it is not guessed.
  const noPort = trace(text, 'tcp 192.0.2.1 > 10.0.0.1 in eth0');
  assert.equal(noPort.verdict, 'DEPENDS');
});

test('matches: negation, multiport, iprange, icmp types, interface wildcards, tcp flags', () => {
  const text = `
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT ! -s 192.0.2.0/24 -p tcp --dport 1 -j ACCEPT
-A INPUT -p udp -m multiport --dports 53,5000:5010 -j ACCEPT
-A INPUT -m iprange --src-range 198.51.100.10-198.51.100.20 -j ACCEPT
-A INPUT -p icmp --icmp-type echo-request -j ACCEPT
-A INPUT -i ppp+ -p tcp --dport 2 -j ACCEPT
-A INPUT -p tcp --tcp-flags SYN,ACK ACK --dport 3 -j ACCEPT
COMMIT`;
  const v = (p: string) => trace(text, p).verdict;
  assert.equal(v('tcp 203.0.113.1:9 > 10.0.0.1:1 in eth0'), 'ACCEPT');
  assert.equal(v('tcp 192.0.2.1:9 > 10.0.0.1:1 in eth0'), 'DROP', '! -s excludes the network');
  assert.equal(v('udp 203.0.113.1:9 > 10.0.0.1:5010 in eth0'), 'ACCEPT', 'ranges in --dports are inclusive');
  assert.equal(v('udp 203.0.113.1:9 > 10.0.0.1:5011 in eth0'), 'DROP');
  assert.equal(v('tcp 198.51.100.20:9 > 10.0.0.1:9 in eth0'), 'ACCEPT', 'iprange includes both ends');
  assert.equal(v('tcp 198.51.100.21:9 > 10.0.0.1:9 in eth0'), 'DROP');
  assert.equal(v('icmp 203.0.113.1 > 10.0.0.1 in eth0'), 'ACCEPT');
  assert.equal(v('icmp 203.0.113.1 > 10.0.0.1 in eth0 icmp-type echo-reply state ESTABLISHED'), 'DROP');
  assert.equal(v('tcp 203.0.113.1:9 > 10.0.0.1:2 in ppp0'), 'ACCEPT', '"+" ends an interface prefix');
  assert.equal(v('tcp 203.0.113.1:9 > 10.0.0.1:2 in eth0'), 'DROP');
  assert.equal(v('tcp 203.0.113.1:9 > 10.0.0.1:3 in eth0 state ESTABLISHED flags ACK'), 'ACCEPT');
  assert.equal(v('tcp 203.0.113.1:9 > 10.0.0.1:3 in eth0 flags SYN,ACK'), 'DROP', 'SYN is in the mask and set');
});

test('JSON follows the CLI contract of DESIGN.md', () => {
  const text = CHAINS.trim() + '\n';
  let out = '';
  const code = runExtraCommand('trace', [{ path: 'x.rules', analysis: analyze(text, { kind: 'save' }) }], { format: 'json', lang: 'en', packet: 'tcp 192.0.2.5:1000 > 10.0.0.1:25 in eth0' }, (s) => { out += s; }, () => {});
  assert.equal(code, 0);
  const j = JSON.parse(out) as { version: number; verdict: string; decidedBy: { line: number; chain: string } | null; steps: { table: string; chain: string; line: number; matched: boolean }[] };
  assert.equal(j.version, 1);
  assert.equal(j.verdict, 'ACCEPT');
  assert.deepEqual({ line: j.decidedBy!.line, chain: j.decidedBy!.chain }, { line: lineOf(text, '--dport 25 -j ACCEPT'), chain: 'INPUT' });
  for (const s of j.steps) assert.deepEqual(Object.keys(s).slice(0, 4), ['table', 'chain', 'line', 'matched']);
  // Usage errors exit with 2.
  assert.equal(runExtraCommand('trace', [{ path: 'x', analysis: analyze(text, { kind: 'save' }) }], { format: 'json', lang: 'en' }, () => {}, () => {}), 2);
  assert.equal(runExtraCommand('trace', [{ path: 'x', analysis: analyze(text, { kind: 'save' }) }], { format: 'text', lang: 'ja', packet: 'nonsense' }, () => {}, () => {}), 2);
});

test('IPv6 rules are traced with ip6tables semantics', () => {
  const text = `
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -s 2001:db8:100::/48 -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT`;
  const a = analyze(text.trim() + '\n', { kind: 'save', family: 6 });
  const ping = tracePacket(a, 'icmpv6 2001:db8::1 > 2001:db8::2 in eth0');
  assert.ok(ping.ok && ping.verdict === 'ACCEPT');
  const ssh = tracePacket(a, 'tcp [2001:db8:100::9]:4000 > [2001:db8::2]:22 in eth0');
  assert.ok(ssh.ok && ssh.verdict === 'ACCEPT');
  const other = tracePacket(a, 'tcp [2001:db8:101::9]:4000 > [2001:db8::2]:22 in eth0');
  assert.ok(other.ok && other.verdict === 'DROP');
  const v4 = tracePacket(a, 'tcp 192.0.2.1:1 > 192.0.2.2:22 in eth0');
  assert.ok(v4.ok && v4.verdict === 'ACCEPT' && v4.notes.length > 0, 'no IPv4 rules: nothing filters, and the answer says so');
});

test('a condition the script evaluator could not decide makes its rules undecided', () => {
  const text = '#!/bin/sh\nif [ -f /etc/lockdown ]; then\n  iptables -A INPUT -p tcp --dport 22 -j DROP\nfi\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  const r = trace(text, 'tcp 192.0.2.1:1000 > 10.0.0.1:22 in eth0', 'shell');
  assert.equal(r.verdict, 'DEPENDS');
  assert.equal(r.dependsOn[0]?.line, 2);
  void save;
});
