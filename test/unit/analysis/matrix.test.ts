// The exposure matrix: groups of sources treated alike and, per service, who may open a new
// connection. Expectations come from reading the rules with iptables(8) semantics (first match
// wins, policy last), and the matrix is cross-checked with the tracer on sampled packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../../../server/src/engine';
import { exposureMatrix, formatMatrixMarkdown, formatMatrixText, matrixJson, type MatrixTable } from '../../../server/src/analysis/matrix';
import { tracePacket } from '../../../server/src/analysis/tracer';
import { runExtraCommand } from '../../../server/src/cli-extra';

const save = (body: string, family: 4 | 6 = 4) => analyze(body.trim() + '\n', { kind: 'save', family });
const input = (t: MatrixTable[]) => t.find((x) => x.chain === 'INPUT')!;
/** The cell of the group containing `source` for the row of protocol/ports. */
function cell(t: MatrixTable, source: string, protocol: string, ports: string | null) {
  const g = t.groups.findIndex((x) => x.sources.includes(source) || (x.sources.length && source === 'other' && !x.sources.some((s) => s.endsWith('/32'))));
  const row = t.rows.find((r) => r.protocol === protocol && r.ports === ports);
  return row ? row.cells[g]?.value : 'no';
}

const SEED = resolve(process.cwd(), '../shared/seed/packet_filter.sh');
test('seed script: HTTP 80 from anywhere; FTP 21, SSH 22 and 1024-65535 only from TrustIP; nothing else', { skip: !existsSync(SEED) && 'seed absent' }, () => {
  const text = readFileSync(SEED, 'utf8').replace("TrustIP='y.y.y.y'", "TrustIP='210.172.143.2'");
  const t = input(exposureMatrix(analyze(text)).tables);
  assert.equal(t.groups.length, 2, 'TrustIP and everybody else');
  const trust = t.groups.findIndex((g) => g.sources.length === 1 && g.sources[0] === '210.172.143.2/32');
  assert.ok(trust >= 0);
  const other = 1 - trust;
  const tcp = (port: number) => t.rows.find((r) => r.protocol === 'tcp' && r.ports!.split(',').some((x) => { const [a, b] = x.split('-').map(Number); return port >= a && port <= (b ?? a); }));
  for (const port of [21, 22, 1024, 40000, 65535]) {
    assert.equal(tcp(port)?.cells[trust].value, 'yes', `tcp ${port} from TrustIP`);
    assert.equal(tcp(port)?.cells[other].value, 'no', `tcp ${port} from elsewhere`);
  }
  assert.equal(tcp(80)?.cells[trust].value, 'yes');
  assert.equal(tcp(80)?.cells[other].value, 'yes');
  for (const port of [20, 23, 443, 1023]) assert.equal(tcp(port), undefined, `nobody may connect to tcp ${port}`);
  assert.ok(!t.rows.some((r) => r.protocol !== 'tcp'), 'no udp, icmp or other protocol row');
  assert.equal(exposureMatrix(analyze(text)).tables.find((x) => x.chain === 'FORWARD')!.rows.length, 0, 'FORWARD policy DROP: nothing');
});

test('interfaces split groups; a destination restriction makes a cell partly', () => {
  const t = input(exposureMatrix(save(`
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -i eth1 -j ACCEPT
-A INPUT -d 192.0.2.1/32 -p tcp --dport 22 -j ACCEPT
-A INPUT -p udp --dport 53 -j ACCEPT
COMMIT`)).tables);
  const lan = t.groups.findIndex((g) => g.interfaces?.includes('eth1'));
  const wan = t.groups.findIndex((g) => g.interfaces && !g.interfaces.includes('eth1'));
  assert.ok(lan >= 0 && wan >= 0, 'eth1 and the other interfaces are two groups');
  assert.ok(t.groups.every((g) => !g.interfaces?.includes('lo')), 'loopback is left out');
  const row = (proto: string, ports: string | null) => t.rows.find((r) => r.protocol === proto && r.ports === ports);
  assert.equal(row('tcp', '22')?.cells[wan].value, 'partly');
  assert.match(row('tcp', '22')!.cells[wan].detail!.en, /192\.0\.2\.1\/32/);
  assert.equal(row('udp', '53')?.cells[wan].value, 'yes');
  assert.ok(t.rows.every((r) => r.cells[lan].value === 'yes'), 'everything from eth1');
});

test('an undecidable match gives a depends cell with its line; ICMP rows name the type', () => {
  const text = `
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -m recent --name ssh --rcheck -j ACCEPT
-A INPUT -p icmp --icmp-type echo-request -j ACCEPT
COMMIT`;
  const t = input(exposureMatrix(save(text)).tables);
  const ssh = t.rows.find((r) => r.protocol === 'tcp' && r.ports === '22')!;
  assert.equal(ssh.cells[0].value, 'depends');
  assert.deepEqual(ssh.cells[0].lines, [text.trim().split('\n').findIndex((l) => l.includes('-m recent'))]);
  const ping = t.rows.find((r) => r.protocol === 'icmp');
  assert.equal(ping?.ports, 'echo-request');
  assert.equal(ping?.cells[0].value, 'yes');
  void cell;
});

test('FORWARD: per destination, with DNAT marked as NAT', () => {
  const m = exposureMatrix(save(`
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 192.0.2.10:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -s 10.0.0.0/8 -o eth1 -j ACCEPT
COMMIT`));
  const f = m.tables.find((x) => x.chain === 'FORWARD')!;
  const inside = f.groups.findIndex((g) => g.sources.includes('10.0.0.0/8'));
  assert.ok(inside >= 0);
  const nat = f.rows.find((r) => r.protocol === 'tcp' && r.ports === '8080');
  assert.ok(nat?.cells.every((c) => c.value === 'nat'), 'the forward of 8080 is decided after NAT');
  const web = f.rows.find((r) => r.protocol === 'tcp' && r.ports?.startsWith('0-'));
  assert.equal(web?.cells[inside].value, 'partly', 'from 10/8 only out of eth1');
});

test('the matrix agrees with the tracer on sampled packets', () => {
  const text = `
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -s 198.51.100.0/24 -j MARK --set-xmark 0x1/0xffffffff
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SVC - [0:0]
-A INPUT -s 203.0.113.0/25 -j SVC
-A INPUT -m mark --mark 0x1 -p tcp -m multiport --dports 25,110:143 -j ACCEPT
-A INPUT -p tcp --dport 443 -j ACCEPT
-A INPUT -s 192.0.2.0/24 -p udp -m statistic --mode nth --every 2 -j DROP
-A INPUT -p udp --dport 53 -j ACCEPT
-A SVC -m recent --name x --rcheck -j DROP
-A SVC -p tcp --dport 22 -j ACCEPT
-A SVC -s 203.0.113.0/26 -j RETURN
-A SVC -p udp -j ACCEPT
COMMIT`;
  const a = save(text);
  const t = input(exposureMatrix(a).tables);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const srcs = ['203.0.113.1', '203.0.113.64', '203.0.113.127', '203.0.113.128', '198.51.100.9', '192.0.2.1'];
  for (let k = 0; k < 200; k++) {
    const src = srcs[Math.floor(rand() * srcs.length)];
    const proto = rand() < 0.6 ? 'tcp' : 'udp';
    const port = [22, 25, 109, 110, 143, 144, 443, 53, 1 + Math.floor(rand() * 65535)][Math.floor(rand() * 9)];
    const r = tracePacket(a, `${proto} ${src}:40000 > 10.0.0.1:${port} in eth0`);
    assert.ok(r.ok);
    const g = t.groups.findIndex((x) => x.sources.some((c) => inCidr(src, c)));
    const row = t.rows.find((x) => x.protocol === proto && x.ports!.split(',').some((p) => { const [lo, hi] = p.split('-').map(Number); return port >= lo && port <= (hi ?? lo); }));
    const value = row ? row.cells[g].value : 'no';
    const expected = r.verdict === 'ACCEPT' ? 'yes' : r.verdict === 'DEPENDS' ? 'depends' : 'no';
    assert.equal(value, expected, `${proto} ${src} -> ${port}: matrix ${value}, tracer ${r.verdict}`);
  }
});

function inCidr(a: string, cidr: string): boolean {
  const [net, len] = cidr.split('/');
  const n = (x: string) => x.split('.').reduce((v, o) => v * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  return Math.floor(n(a) / size) === Math.floor(n(net) / size);
}

test('text, Markdown and JSON output (en and ja)', () => {
  const a = save(`
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.7 -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp --dport 80 -j ACCEPT
COMMIT`);
  const m = exposureMatrix(a);
  const text = formatMatrixText(m, 'en');
  assert.match(text, /192\.0\.2\.7\/32/);
  assert.match(text, /tcp 22 \(ssh\)/);
  assert.match(formatMatrixText(m, 'ja'), /送信元グループ/);
  const md = formatMatrixMarkdown(m, 'en');
  assert.match(md, /^### INPUT/m);
  assert.match(md, /\| tcp 80 \(http\) \| yes \| yes \|/);
  const j = matrixJson(m, 'en') as { matrices: { chain: string; groups: { id: string }[]; services: { protocol: string; ports: string; cells: Record<string, { value: string }> }[] }[] };
  const inp = j.matrices.find((x) => x.chain === 'INPUT')!;
  const ssh = inp.services.find((s) => s.ports === '22')!;
  assert.deepEqual(Object.values(ssh.cells).map((c) => c.value).sort(), ['no', 'yes']);
  let out = '';
  assert.equal(runExtraCommand('matrix', [{ path: 'f', analysis: a }], { format: 'json', lang: 'en' }, (s) => { out += s; }, () => {}), 0);
  assert.equal((JSON.parse(out) as { version: number }).version, 1);
});

test('a list of 20,000 source addresses (a split per address) ends with a note, not a stack overflow', () => {
  const list = Array.from({ length: 20_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(',');
  const m = exposureMatrix(analyze(`#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -s ${list} -j ACCEPT\n`, { kind: 'shell', checks: false }));
  const t = input(m.tables);
  assert.ok(t.notes.some((n) => /too large to finish/.test(n.en)), JSON.stringify(t.notes));
  // What it cannot finish it calls "depends", never "no": an open port is not reported closed.
  assert.ok(t.rows.some((r) => r.cells.some((c) => c.value === 'depends')));
});
