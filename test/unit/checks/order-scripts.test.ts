// Rule-order checks on scripts, where not every command is certain: conditions the linter cannot
// decide, rule numbers that depend on them, other tools changing the firewall, unknown values.
// A claim is made only when it holds whichever way the uncertain parts go. Also IPT406 and the
// safety of the "move" fixes in scripts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lint, only, save, script } from './helpers';

const codes = (text: string) => lint(text).problems.filter((p) => /^IPT40[1-4]$/.test(p.code)).map((p) => `${p.code}@${p.range.start.line + 1}`);

test('a rule number that depends on an undecided command places nothing for sure', () => {
  // Without the deletion, the accept lands before the DROP; with it, after.
  const text = script('iptables -A INPUT -j LOG', 'iptables -A INPUT -p tcp -j DROP', 'if [ -n "$1" ]; then', '  iptables -D INPUT 1', 'fi', 'iptables -I INPUT 2 -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(text), []);
  // Unconditional, the same numbers are certain: the accept is after the DROP.
  const sure = script('iptables -A INPUT -j LOG', 'iptables -A INPUT -p tcp -j DROP', 'iptables -D INPUT 1', 'iptables -I INPUT 2 -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(sure), ['IPT401@5']);
});

test('after a flush of the chain, rule numbers are certain again', () => {
  const text = script('if [ -n "$1" ]; then', '  iptables -A INPUT -j LOG', 'fi', 'iptables -F INPUT', 'iptables -A INPUT -j LOG', 'iptables -A INPUT -p tcp -j DROP', 'iptables -I INPUT 3 -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(text), ['IPT401@8']);
});

test('a deletion by number after an undecided change may hit any rule: earlier rules prove nothing', () => {
  const text = script('iptables -A INPUT -p tcp -j DROP', 'iptables -A INPUT -j LOG', 'if [ -n "$1" ]; then', '  iptables -I INPUT 1 -p udp -j ACCEPT', 'fi', 'iptables -D INPUT 2', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(text), []);
});

test('another tool changing the firewall after a rule: that rule may be gone', () => {
  const sourced = script('iptables -A INPUT -p tcp -j DROP', '. /etc/firewall.local', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(sourced), []);
  const restored = script('iptables -A INPUT -p tcp -j DROP', 'iptables-restore < /etc/iptables/rules.v4', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(restored), []);
  // A program in a variable of unknown value may be anything, unless its name says what it is.
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp -j DROP', '$FW -D INPUT 1', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), []);
  assert.deepEqual(codes(script('iptables -A INPUT -p tcp -j DROP', '$ECHO "tcp dropped"', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), ['IPT401@4']);
  // Before every rule it changes nothing here.
  const first = script('. /etc/default/firewall', 'iptables -A INPUT -p tcp -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(codes(first), ['IPT401@4']);
});

test('a deletion holding an unknown value may delete any rule of its chain', () => {
  const text = script('iptables -A INPUT -s 10.0.0.0/8 -j DROP', 'iptables -D INPUT -s "$1" -j DROP', 'iptables -A INPUT -s 10.1.1.1 -j ACCEPT');
  assert.deepEqual(codes(text), []);
});

test('a word of unknown value standing alone may hold any options: no claim about its rule', () => {
  const text = script('iptables -A INPUT -p tcp -j DROP', 'iptables -A INPUT -p tcp $EXTRA --dport 22 -j ACCEPT');
  assert.deepEqual(codes(text), []);
});

test('IPT401 fix in a script: moved above the rule that drops its packets, comments kept, finding gone', () => {
  const text = script('iptables -F', 'iptables -A INPUT -i lo -j ACCEPT', '# block tcp', 'iptables -A INPUT -p tcp -j DROP', '', '# ssh', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const p = only(lint(text).problems, 'IPT401')[0];
  assert.deepEqual(p.range, lineRange(text, 8));
  const fixed = applyFix(text, p.fixes![0]);
  // (A block set apart by blank lines stays set apart.)
  assert.equal(fixed, script('iptables -F', 'iptables -A INPUT -i lo -j ACCEPT', '', '# ssh', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '', '# block tcp', 'iptables -A INPUT -p tcp -j DROP', ''));
  assert.deepEqual(codes(fixed), []);
});

test('IPT401 fix in a script: not offered when moving would change what the rule means', () => {
  const fixesOf = (text: string) => only(lint(text).problems, 'IPT401').map((p) => p.fixes?.length ?? 0);
  // A variable the rule reads is set in between.
  assert.deepEqual(fixesOf(script('iptables -A INPUT -p tcp -j DROP', 'SSH=22', 'iptables -A INPUT -p tcp --dport $SSH -j ACCEPT')), [0]);
  // The chain it jumps to is created in between.
  assert.deepEqual(fixesOf(script('iptables -A INPUT -p tcp -j DROP', 'iptables -N SSH', 'iptables -A SSH -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j SSH')), [0]);
  // A rule inserted at the top in between: text order is not chain order.
  assert.deepEqual(fixesOf(script('iptables -A INPUT -p udp -j ACCEPT', 'iptables -I INPUT -p tcp -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), [0]);
  // Inside an if block (decided or not), a function or a loop.
  assert.deepEqual(fixesOf(script('iptables -A INPUT -p tcp -j DROP', 'if true; then', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi')), [0]);
  assert.deepEqual(fixesOf(script('iptables -A INPUT -p tcp -j DROP', 'allow() {', '  iptables -A INPUT -p tcp --dport $1 -j ACCEPT', '}', 'allow 22')), [0]);
});

test('IPT406: the ESTABLISHED accept after other rules; the fix moves it to the top when nothing above sees its packets otherwise', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT',
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  const [p] = only(lint(text).problems, 'IPT406');
  assert.deepEqual(p.range, lineRange(text, 5));
  assert.match(p.message.en, /rule 3 of INPUT/);
  const fixed = applyFix(text, p.fixes![0]);
  assert.equal(fixed, script('iptables -P INPUT DROP', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT'));
  assert.deepEqual(only(lint(fixed).problems, 'IPT406'), []);
});

test('IPT406: no fix when a rule above would stop seeing established packets (blocklist, log, accounting, jump)', () => {
  for (const above of ['iptables -A INPUT -s 198.51.100.7 -j DROP', 'iptables -A INPUT -p tcp -j LOG', 'iptables -A INPUT -d 10.0.0.1', 'iptables -A INPUT -p tcp --dport 22 -j f2b-sshd']) {
    const text = script('iptables -N f2b-sshd', 'iptables -A f2b-sshd -j RETURN', above, 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 443 -j ACCEPT',
      'iptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT');
    const [p] = only(lint(text).problems, 'IPT406');
    assert.ok(p, above);
    assert.equal(p.fixes, undefined, above);
  }
  // In a save file the move is a line move; the same rule decides whether it is offered.
  const ok = save('*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'COMMIT');
  const [q] = only(lint(ok).problems, 'IPT406');
  assert.equal(applyFix(ok, q.fixes![0]), save('*filter', ':INPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT', '-A INPUT -p udp -m udp --dport 53 -j ACCEPT', 'COMMIT'));
});
