// IPT401-IPT404 on hand-written save files and scripts: the exact range, the related rules, the
// safe variant without a finding, and each fix (applied, the finding is gone). Expected verdicts
// follow iptables(8) and iptables-extensions(8): first match wins; ACCEPT, DROP, REJECT, RETURN,
// the NAT targets and -g end the chain; the tcp, udp, multiport and icmp matches never match a
// non-first fragment; SYNPROXY lets packets other than a bare SYN or ACK go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lines1, lint, only, save, script } from './helpers';

const filter = (...rules: string[]) => save('*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT');
const codes = (text: string) => lint(text).problems.filter((p) => /^IPT40[1-4]$/.test(p.code)).map((p) => `${p.code}@${p.range.start.line + 1}`);

test('IPT401: a rule decided earlier with another verdict, on its own line, with the covering rule as related', () => {
  const text = filter('-A INPUT -p tcp -j DROP', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  const [p, ...rest] = only(lint(text).problems, 'IPT401');
  assert.equal(rest.length, 0);
  assert.deepEqual(p.range, lineRange(text, 6));
  assert.deepEqual(p.related?.map((r) => r.range), [lineRange(text, 5)]);
  assert.match(p.message.en, /line 5 of INPUT/);
  assert.match(p.message.ja, /5 行目/);
  assert.equal(p.severity, 'error');
  // The safe order: the narrow accept first.
  assert.deepEqual(codes(filter('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -j DROP')), []);
});

test('IPT401 fix: the rule moves above the first rule that decides its packets, and the finding is gone', () => {
  const text = filter('-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp -j DROP', '# ssh', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p udp -j DROP');
  const p = only(lint(text).problems, 'IPT401')[0];
  const fixed = applyFix(text, p.fixes![0]);
  assert.equal(fixed, filter('-A INPUT -i lo -j ACCEPT', '# ssh', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -j DROP', '-A INPUT -p udp -j DROP'));
  assert.deepEqual(codes(fixed), []);
});

test('IPT401: several rules together cover it; all of them are named', () => {
  const text = filter('-A INPUT -p tcp -j ACCEPT', '-A INPUT ! -p tcp -j ACCEPT', '-A INPUT -s 10.0.0.1/32 -j DROP');
  const p = only(lint(text).problems, 'IPT401')[0];
  assert.deepEqual(p.related?.map((r) => r.range.start.line + 1), [5, 6]);
  assert.match(p.message.en, /line 5, 6 of INPUT/);
});

test('IPT401: a rule with a match the analysis does not model never covers another', () => {
  for (const m of ['-m limit --limit 1/sec', '-m recent --rcheck --name x', '-m mark --mark 0x1', '-m addrtype --dst-type LOCAL', '-m set --match-set bad src', '-m string --string x --algo bm']) {
    assert.deepEqual(codes(filter(`-A INPUT -p tcp ${m} -j DROP`, '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT')), [], m);
  }
  // ...nor does a rule holding a shell variable whose value is unknown.
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp -s "$1" -j DROP', 'iptables -A INPUT -p tcp -s 10.0.0.1 --dport 22 -j ACCEPT')), []);
  // But such a rule can itself be covered: whatever the variable holds, tcp is dropped first.
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp -j DROP', 'iptables -A INPUT -p tcp -s "$1" --dport 22 -j ACCEPT')), ['IPT401@3']);
});

test('fragments: port and ICMP matches never match a non-first fragment', () => {
  // `--icmp-type any` and `-m tcp` without options leave fragments to the next rule.
  assert.deepEqual(codes(filter('-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT', '-A INPUT -p icmp -j DROP')), []);
  assert.deepEqual(codes(filter('-A INPUT -p tcp -m tcp -j ACCEPT', '-A INPUT -p tcp -j DROP')), []);
  assert.deepEqual(codes(filter('-A INPUT -p tcp -m tcp --dport 0:65535 -j ACCEPT', '-A INPUT -p tcp -j DROP')), []);
  // With the fragments decided too, the later rule is covered.
  assert.deepEqual(codes(filter('-A INPUT -p tcp -m tcp --dport 0:65535 -j ACCEPT', '-A INPUT -p tcp -f -j ACCEPT', '-A INPUT -p tcp -j DROP')), ['IPT401@7']);
  assert.deepEqual(codes(filter('-A INPUT -p icmp -j ACCEPT', '-A INPUT -p icmp -m icmp --icmp-type 8 -j DROP')), ['IPT401@6']);
});

test('SYNPROXY does not end the chain: the INVALID drop after it (man page example) is fine', () => {
  assert.deepEqual(codes(filter(
    '-A INPUT -i eth0 -p tcp -m tcp --dport 80 -m state --state INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460',
    '-A INPUT -i eth0 -p tcp -m tcp --dport 80 -m state --state INVALID -j DROP')), []);
});

test('a rule that changes the conntrack state (CT, NOTRACK) ends what earlier rules prove', () => {
  const raw = (...rules: string[]) => save('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT');
  assert.deepEqual(codes(raw('-A PREROUTING -m conntrack --ctstate UNTRACKED -j ACCEPT', '-A PREROUTING -j CT --notrack', '-A PREROUTING -m conntrack --ctstate UNTRACKED -j DROP')), []);
  assert.deepEqual(codes(raw('-A PREROUTING -m conntrack --ctstate UNTRACKED -j ACCEPT', '-A PREROUTING -m conntrack --ctstate UNTRACKED -j DROP')), ['IPT401@5']);
});

test('verdicts with other options are other verdicts: DNAT elsewhere is shadowed, the default REJECT is redundant', () => {
  const nat = save('*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.1', '-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.0.0.2', 'COMMIT');
  assert.deepEqual(codes(nat), ['IPT401@7']);
  assert.deepEqual(codes(filter('-A INPUT -p tcp -j REJECT', '-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp-port-unreachable')), ['IPT402@6']);
  assert.deepEqual(codes(filter('-A INPUT -p tcp -j REJECT', '-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset')), ['IPT401@6']);
});

test('a command that makes several rules is reported only when all of them never apply', () => {
  assert.deepEqual(codes(filter('-A INPUT -s 10.0.0.1/32 -j DROP', '-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT')), []);
  assert.deepEqual(codes(filter('-A INPUT -s 10.0.0.0/30 -j DROP', '-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT')), ['IPT401@6']);
  const loop = script('iptables -A INPUT -p tcp --dport 22 -j DROP', 'for p in 22 80; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done');
  assert.deepEqual(codes(loop), []);
  const both = script('iptables -A INPUT -p tcp -j DROP', 'for p in 22 80; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done');
  const [p] = only(lint(both).problems, 'IPT401');
  assert.equal(p.range.start.line + 1, 4);
  assert.equal(p.fixes, undefined, 'a loop body is not moved');
});

test('a line whose rules copy a shadowed rule names what decides the copy first, not the copy', () => {
  // Line 8 makes two rules. 10.0.0.5 is accepted first by line 6; 10.0.0.1 is accepted first by
  // line 5 (line 7 copies this rule but never applies itself): line 8 never applies, decided by 5 and 6.
  const text = filter('-A INPUT -s 10.0.0.2,10.0.0.1 -j ACCEPT', '-A INPUT ! -s 10.0.0.1/32 -j ACCEPT', '-A INPUT -s 10.0.0.2,10.0.0.1 -j REJECT', '-A INPUT -s 10.0.0.5,10.0.0.1 -j REJECT');
  assert.deepEqual(codes(text), ['IPT401@7', 'IPT401@8']);
  const p = only(lint(text).problems, 'IPT401').find((x) => x.range.start.line + 1 === 8)!;
  assert.match(p.message.en, /line 5, 6 of INPUT/);
  assert.deepEqual(p.related?.map((r) => r.range.start.line + 1), [5, 6]);
  // With the copy deciding for itself (its line not shadowed), the copy is what decides first.
  const own = filter('-A INPUT -s 10.0.0.2 -j ACCEPT', '-A INPUT ! -s 10.0.0.1/32 -j ACCEPT', '-A INPUT -s 10.0.0.1 -j REJECT', '-A INPUT -s 10.0.0.5,10.0.0.1 -j REJECT');
  assert.match(only(lint(own).problems, 'IPT401')[0].message.en, /line 6, 7 of INPUT/);
});

test('IPT402: redundant rule, tagged unnecessary; deleting it removes the finding', () => {
  const text = filter('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -s 10.1.2.3/32 -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP');
  const [p, ...rest] = only(lint(text).problems, 'IPT402');
  assert.equal(rest.length, 0);
  assert.deepEqual(p.range, lineRange(text, 6));
  assert.deepEqual(p.tags, ['unnecessary']);
  assert.deepEqual(p.related?.map((r) => r.range), [lineRange(text, 5)]);
  assert.match(p.message.en, /line 5 already ACCEPT/);
  const fixed = applyFix(text, p.fixes![0]);
  assert.equal(fixed, filter('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -j DROP'));
  assert.deepEqual(codes(fixed), []);
});

test('IPT402: the one rule that alone covers is named, not every rule that takes some packets first', () => {
  const text = filter('-A INPUT -d 10.0.0.0/8 -j DROP', '-A INPUT -s 192.168.0.0/16 -j DROP', '-A INPUT -s 192.168.1.0/24 -j DROP');
  const p = only(lint(text).problems, 'IPT402')[0];
  assert.deepEqual(p.related?.map((r) => r.range.start.line + 1), [6]);
});

test('IPT402/IPT404 delete fixes in scripts: only for plain top-level commands', () => {
  const plain = script('iptables -A INPUT -p tcp -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP');
  const p = only(lint(plain).problems, 'IPT402')[0];
  const fixed = applyFix(plain, p.fixes![0]);
  assert.equal(fixed, script('iptables -A INPUT -p tcp -j ACCEPT', 'iptables -P INPUT DROP'));
  // Inside an if (even one the linter can decide), deleting the only command breaks the syntax.
  const inIf = script('X=1', 'iptables -A INPUT -p tcp -j ACCEPT', 'if [ "$X" = 1 ]; then', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi');
  const q = only(lint(inIf).problems, 'IPT402')[0];
  assert.ok(q, 'still reported');
  assert.equal(q.fixes, undefined);
  // A later command that numbers rules would then hit another rule.
  const numbered = script('iptables -A INPUT -p tcp -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -j LOG', 'iptables -D INPUT 3');
  assert.equal(only(lint(numbered).problems, 'IPT402')[0].fixes, undefined);
});

test('IPT403: rules after a rule that matches everything and ends the chain', () => {
  const text = filter('-A INPUT -j DROP', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -i lo -j ACCEPT');
  const found = only(lint(text).problems, 'IPT403');
  assert.deepEqual(found.map((p) => p.range), [lineRange(text, 6), lineRange(text, 7)]);
  assert.ok(found.every((p) => p.related?.[0].range.start.line === 4 && /line 5/.test(p.message.en) && /-j DROP/.test(p.message.en)));
  assert.deepEqual(found[0].tags, ['unnecessary']);
  // -g ends the chain too; a rule with any condition does not catch all.
  const chains = save('*filter', ':INPUT ACCEPT [0:0]', ':LOGDROP - [0:0]', '-A INPUT -g LOGDROP', '-A INPUT -j ACCEPT', '-A LOGDROP -j DROP', 'COMMIT');
  assert.deepEqual(lines1(lint(chains).problems, 'IPT403'), [5]);
  assert.deepEqual(codes(filter('-A INPUT -m limit --limit 1/sec -j DROP', '-A INPUT -j ACCEPT')), []);
  // A catch-all that may not run (under an undecided condition) proves nothing.
  assert.deepEqual(codes(script('if [ -n "$1" ]; then', '  iptables -A INPUT -j DROP', 'fi', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), []);
});

test('IPT404: a duplicate, tagged unnecessary, with the earlier rule as related; delete fix', () => {
  const text = filter('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p udp -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  const [p] = only(lint(text).problems, 'IPT404');
  assert.deepEqual(p.range, lineRange(text, 7));
  assert.deepEqual(p.related?.map((r) => r.range), [lineRange(text, 5)]);
  assert.match(p.message.en, /line 5 in INPUT/);
  const fixed = applyFix(text, p.fixes![0]);
  assert.deepEqual(codes(fixed), []);
  // Written differently, the same rule: `-A` vs `--append`, implicit -m tcp, long option names (docs/checks/IPT404.md).
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp -m tcp --destination-port 80 -j ACCEPT')), ['IPT404@3']);
  assert.deepEqual(codes(filter('-A INPUT -p tcp --dport 22 -j ACCEPT', '--append INPUT -p tcp -m tcp --dport 22 -j ACCEPT')), ['IPT404@6']);
});

test('IPT404: copies that do something on their own are not duplicates', () => {
  // limit, statistic, quota: each copy has its own state and lets other packets through.
  assert.deepEqual(codes(filter('-A INPUT -m limit --limit 3/min -j LOG', '-A INPUT -m limit --limit 3/min -j LOG')), []);
  assert.deepEqual(codes(filter('-A INPUT -m statistic --mode random --probability 0.5 -j DROP', '-A INPUT -m statistic --mode random --probability 0.5 -j DROP')), []);
  // The mark a rule reads is set in between.
  assert.deepEqual(codes(filter('-A INPUT -m mark --mark 0x1 -j ACCEPT', '-A INPUT -j MARK --set-xmark 0x1/0xffffffff', '-A INPUT -m mark --mark 0x1 -j ACCEPT')), []);
  // Without anything in between, the copy never matches anything the first did not already take.
  assert.deepEqual(codes(filter('-A INPUT -m mark --mark 0x1 -j ACCEPT', '-A INPUT -p tcp -j LOG', '-A INPUT -m mark --mark 0x1 -j ACCEPT')), ['IPT404@7']);
  // Repeating a log line, a checksum fill or a set mark changes nothing more.
  assert.deepEqual(codes(filter('-A INPUT -p tcp -j LOG', '-A INPUT -p tcp -j LOG')), ['IPT404@6']);
  const mangle = save('*mangle', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill', '-A POSTROUTING -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill', 'COMMIT');
  assert.deepEqual(lines1(lint(mangle).problems, 'IPT404'), [4]);
});

test('IPT404: a second jump to a chain that only decides is a duplicate; to one that marks, not', () => {
  const chain = (body: string) => save('*filter', ':FORWARD ACCEPT [0:0]', ':USR - [0:0]', '-A FORWARD -j USR', '-A FORWARD -j USR', body, '-A USR -j RETURN', 'COMMIT');
  assert.deepEqual(lines1(lint(chain('-A USR -s 10.0.0.1/32 -j DROP')).problems, 'IPT404'), [5]);
  const mangle = save('*mangle', ':FORWARD ACCEPT [0:0]', ':USR - [0:0]', '-A FORWARD -j USR', '-A FORWARD -j USR', '-A USR -m mark --mark 0x1 -j DROP', '-A USR -j MARK --set-xmark 0x1/0xffffffff', 'COMMIT');
  assert.deepEqual(lines1(lint(mangle).problems, 'IPT404'), []);
});

test('the examples of docs/checks/IPT401-IPT403.md are reported as the pages say', () => {
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp -s 198.51.100.7 --dport 22 -j DROP')), ['IPT401@3']);
  assert.deepEqual(codes(script('iptables -A INPUT -s 192.168.0.0/16 -j ACCEPT', 'iptables -A INPUT -s 192.168.1.10 -p tcp --dport 22 -j ACCEPT')), ['IPT402@3']);
  assert.deepEqual(codes(script('iptables -A INPUT -j DROP', 'iptables -A INPUT -p tcp --dport 443 -j ACCEPT')), ['IPT403@3']);
});
