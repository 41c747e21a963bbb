// IPT201-IPT206: lockout and safety while applying rules. Ranges are computed from the input text;
// the semantics (what iptables keeps after each command) follow iptables(8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lines1, lint, only, save, script } from './helpers';

test('IPT201: a DROP policy before the SSH accept is reported on the policy, with the allow as related', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const [p, ...rest] = only(lint(text).problems, 'IPT201');
  assert.equal(rest.length, 0);
  assert.deepEqual(p.range, lineRange(text, 2));
  assert.deepEqual(p.related?.[0].range, lineRange(text, 4));
  assert.match(p.message.en, /line 2\b.*line 4\b/);
});

test('IPT201: policy set after the SSH accept, or a script that never cuts, is fine', () => {
  assert.deepEqual(lines1(lint(script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP')).problems, 'IPT201'), []);
  // The accept of ESTABLISHED right after the policy keeps the running session alive.
  assert.deepEqual(lines1(lint(script('iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')).problems, 'IPT201'), []);
  // Save files are applied at once by iptables-restore: no window.
  assert.deepEqual(lines1(lint(save('*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT')).problems, 'IPT201'), []);
});

test('IPT201: a catch-all DROP rule cuts too; a conditional policy does not count', () => {
  const text = script('iptables -A INPUT -j DROP', 'iptables -I INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(lines1(lint(text).problems, 'IPT201'), [2]);
  const cond = script('if [ "$1" = lock ]; then', '  iptables -P INPUT DROP', 'fi', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(lines1(lint(cond).problems, 'IPT201'), []);
});

test('IPT201: both fixes move the policy block (with its comment) and remove the finding', () => {
  const text = script('# policies', 'iptables -P INPUT DROP', 'iptables -P OUTPUT ACCEPT', 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT');
  const p = only(lint(text).problems, 'IPT201')[0];
  assert.equal(p.fixes?.length, 2);
  const end = applyFix(text, p.fixes![0]);
  assert.equal(end, script('iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', '# policies', 'iptables -P INPUT DROP', 'iptables -P OUTPUT ACCEPT'));
  const below = applyFix(text, p.fixes![1]);
  assert.equal(below, script('iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '# policies', 'iptables -P INPUT DROP', 'iptables -P OUTPUT ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT'));
  for (const fixed of [end, below]) assert.deepEqual(lines1(lint(fixed).problems, 'IPT201'), []);
});

test('IPT201: no move fix for a policy inside a function', () => {
  const text = script('setup() {', '  iptables -P INPUT DROP', '}', 'setup', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const p = only(lint(text).problems, 'IPT201');
  assert.equal(p.length, 1);
  assert.deepEqual(p[0].fixes, []);
});

test('IPT202: a server that opens HTTP but no SSH locks the admin out; the finding sits on the policy', () => {
  const text = save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT', 'COMMIT');
  const p = only(lint(text).problems, 'IPT202');
  assert.equal(p.length, 1);
  assert.equal(p[0].severity, 'error');
  assert.deepEqual(p[0].range, lineRange(text, 2));
});

test('IPT202: SSH allowed from one address, on a configured port, or labelled in a comment is not a lockout', () => {
  const base = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 80 -j ACCEPT'];
  assert.deepEqual(lines1(lint(save(...base, '-A INPUT -s 203.0.113.5 -p tcp --dport 22 -j ACCEPT', 'COMMIT')).problems, 'IPT202'), []);
  assert.deepEqual(lines1(lint(save(...base, '-A INPUT -p tcp --dport 2222 -j ACCEPT', 'COMMIT'), { cfg: { managementPorts: [2222] } }).problems, 'IPT202'), []);
  assert.deepEqual(lines1(lint(save(...base, '# ssh on a high port', '-A INPUT -p tcp --dport 5314 -j ACCEPT', 'COMMIT')).problems, 'IPT202'), []);
  // The same file with port 2222 but the default configuration: SSH on 22 is closed.
  assert.deepEqual(lines1(lint(save(...base, '-A INPUT -p tcp --dport 2222 -j ACCEPT', 'COMMIT')).problems, 'IPT202'), [2]);
});

test('IPT202: OUTPUT dropping the answers of sshd is a lockout as well; a reply accept cures it', () => {
  const locked = save('*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT DROP [0:0]', '-A OUTPUT -p udp --dport 53 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(locked).problems, 'IPT202'), [3]);
  const ok = save('*filter', ':INPUT ACCEPT [0:0]', ':OUTPUT DROP [0:0]', '-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(ok).problems, 'IPT202'), []);
});

test('IPT202: a client firewall (answers only) and a pure router are deliberate, not reported', () => {
  const client = save('*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(client).problems, 'IPT202'), []);
  const router = save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A FORWARD -i eth1 -j ACCEPT', 'COMMIT');
  assert.deepEqual(lines1(lint(router).problems, 'IPT202'), []);
});

test('IPT202: a script whose SSH accept only runs under a condition is not claimed locked', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'if [ -n "$ADMIN" ]; then', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi');
  assert.deepEqual(lines1(lint(text).problems, 'IPT202'), []);
  // ... but a conditional flush at the end does not make an open port look closed either.
  const stop = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP', 'if [ "$1" = stop ]; then', '  iptables -F', 'fi');
  assert.deepEqual(lines1(lint(stop).problems, 'IPT202'), []);
});

test('IPT203: a flush at the top of a script that sets DROP later; resetting to ACCEPT first is safe', () => {
  const text = script('iptables -F', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP');
  const p = only(lint(text).problems, 'IPT203');
  assert.equal(p.length, 1);
  assert.deepEqual(p[0].range, lineRange(text, 2));
  const fixed = applyFix(text, p[0].fixes![0]);
  assert.equal(fixed, script('iptables -P INPUT ACCEPT', 'iptables -F', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'));
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT203'), []);
  // A script that leaves the policy at ACCEPT has nothing to fear from its own flush.
  assert.deepEqual(lines1(lint(script('iptables -F', 'iptables -A INPUT -j ACCEPT')).problems, 'IPT203'), []);
});

test('IPT204: DROP on INPUT with nothing accepting answers: the DNS answers OUTPUT asks for are dropped', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -P OUTPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -A OUTPUT -p udp --dport 53 -j ACCEPT', 'iptables -A OUTPUT -p tcp --sport 22 -j ACCEPT');
  const p = only(lint(text).problems, 'IPT204');
  assert.deepEqual(p.map((x) => x.range.start.line + 1), [2]);
  assert.match(p[0].message.en, /udp\/53/);
  const fixed = applyFix(text, p[0].fixes![0]);
  assert.equal(fixed.split('\n')[3], 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT204'), []);
});

test('IPT204: OUTPUT DROP without answers for the web server INPUT accepts; in a save file the fix is a -A line', () => {
  const text = save('*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT', '-A OUTPUT -p udp --dport 53 -j ACCEPT', 'COMMIT');
  const p = only(lint(text).problems, 'IPT204');
  assert.deepEqual(p.map((x) => x.range), [lineRange(text, 4)]);
  const fixed = applyFix(text, p[0].fixes![0]);
  assert.equal(fixed.split('\n')[7], '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT204'), []);
});

test('IPT204: stateless answers (--sport 53) and chains that accept by default are fine', () => {
  const stateless = script('iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p udp --sport 53 -j ACCEPT',
    'iptables -A INPUT -p tcp --sport 443 -j ACCEPT', 'iptables -A INPUT -p tcp --sport 80 -j ACCEPT');
  assert.deepEqual(lines1(lint(stateless).problems, 'IPT204'), []);
  assert.deepEqual(lines1(lint(script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT')).problems, 'IPT204'), []);
});

test('IPT205: DROP policies without lo; the fix inserts the lo accept at the top of the chain', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const p = only(lint(text).problems, 'IPT205');
  assert.deepEqual(p.map((x) => x.range), [lineRange(text, 2)]);
  const fixed = applyFix(text, p[0].fixes![0]);
  assert.equal(fixed.split('\n')[2], 'iptables -A INPUT -i lo -j ACCEPT');
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT205'), []);
  const out = save('*filter', ':OUTPUT DROP [0:0]', '-A OUTPUT -p udp --dport 53 -j ACCEPT', 'COMMIT');
  const q = only(lint(out).problems, 'IPT205');
  assert.deepEqual(q.map((x) => x.range), [lineRange(out, 2)]);
  assert.equal(applyFix(out, q[0].fixes![0]).split('\n')[2], '-A OUTPUT -o lo -j ACCEPT');
});

test('IPT205: an lo accept, or a 127.0.0.0/8 source accept, is enough', () => {
  assert.deepEqual(lines1(lint(script('iptables -P INPUT DROP', 'iptables -A INPUT -i lo -j ACCEPT')).problems, 'IPT205'), []);
  assert.deepEqual(lines1(lint(script('iptables -P INPUT DROP', 'iptables -A INPUT -s 127.0.0.0/8 -j ACCEPT')).problems, 'IPT205'), []);
});

test('IPT206: IPv4 locked down, ip6tables never called; a script that also configures IPv6 is fine', () => {
  const text = script('iptables -P INPUT DROP', 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(only(lint(text).problems, 'IPT206').map((x) => x.range), [lineRange(text, 2)]);
  assert.deepEqual(lines1(lint(text + 'ip6tables -P INPUT DROP\n').problems, 'IPT206'), []);
  assert.deepEqual(lines1(lint(text + 'sysctl -w net.ipv6.conf.all.disable_ipv6=1\n').problems, 'IPT206'), []);
  assert.deepEqual(lines1(lint(script('iptables -A INPUT -p tcp --dport 23 -j DROP')).problems, 'IPT206'), []);
});

test('end-state checks stay silent when the script loads rules they cannot see (a sourced file, iptables-restore from a file)', () => {
  const body = ['iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT'];
  for (const extra of ['. /etc/firewall.d/admin.sh', 'iptables-restore < /etc/iptables/admin.rules', 'source ./ssh-rules.sh']) {
    const a = lint(script(...body, extra));
    for (const code of ['IPT202', 'IPT204', 'IPT205', 'IPT206']) assert.deepEqual(lines1(a.problems, code), [], `${code} with ${extra}`);
  }
  // Without them, the same script is a lockout.
  assert.deepEqual(lines1(lint(script(...body)).problems, 'IPT202'), [2]);
  // A sourced file between the policy and the SSH accept may have let SSH in already.
  const between = script('iptables -P INPUT DROP', '. /etc/firewall.d/admin.sh', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.deepEqual(lines1(lint(between).problems, 'IPT201'), []);
});
