// IPT405: user chains nothing jumps to, and jumps to chains with no rules. A jump (-j) to an empty
// chain comes straight back (iptables(8): the end of a user chain returns to the caller); a goto
// (-g) to one does not "do nothing": it returns from the calling chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lines1, lint, only, rangeOfText, save, script } from './helpers';

test('IPT405: a chain nothing jumps to, reported on its declaration, tagged unnecessary', () => {
  const text = save('*filter', ':INPUT ACCEPT [0:0]', ':SSH - [0:0]', '-A SSH -s 10.0.0.0/8 -j ACCEPT', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT405');
  assert.deepEqual(p.range, rangeOfText(text, 3, 'SSH'));
  assert.deepEqual(p.tags, ['unnecessary']);
  assert.match(p.message.en, /never jumped to: its 1 rule\(s\) never run/);
  assert.deepEqual(lines1(lint(save('*filter', ':INPUT ACCEPT [0:0]', ':SSH - [0:0]', '-A INPUT -j SSH', '-A SSH -j ACCEPT', 'COMMIT')).problems, 'IPT405'), []);
});

test('IPT405: a jump to an empty chain, with the jumps as related; a goto to it is not reported', () => {
  const text = save('*filter', ':INPUT ACCEPT [0:0]', ':EMPTY - [0:0]', '-A INPUT -p tcp -j EMPTY', '-A INPUT -p udp -j EMPTY', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT405');
  assert.match(p.message.en, /no rules: the 2 jump\(s\) to it do nothing/);
  assert.deepEqual(p.related?.map((r) => r.range), [rangeOfText(text, 4, 'EMPTY'), rangeOfText(text, 5, 'EMPTY')]);
  assert.deepEqual(lines1(lint(save('*filter', ':INPUT ACCEPT [0:0]', ':EMPTY - [0:0]', '-A INPUT -p tcp -g EMPTY', '-A INPUT -j DROP', 'COMMIT')).problems, 'IPT405'), []);
});

test('IPT405: chains other software jumps to are not "never jumped to"', () => {
  // ufw's rules files declare no built-in chain: ufw itself adds the jumps into them.
  const ufw = save('*filter', ':ufw-before-input - [0:0]', ':ufw-not-local - [0:0]', '-A ufw-before-input -i lo -j ACCEPT', '-A ufw-not-local -j DROP', 'COMMIT');
  assert.deepEqual(lines1(lint(ufw).problems, 'IPT405'), []);
  // Docker jumps from FORWARD to DOCKER-USER.
  const docker = script('iptables -N DOCKER-USER', 'iptables -A DOCKER-USER -i eth0 -j DROP', 'iptables -A DOCKER-USER -j RETURN');
  assert.deepEqual(lines1(lint(docker).problems, 'IPT405'), []);
  // A sourced file may hold the jump.
  const sourced = script('iptables -N SSH', 'iptables -A SSH -j ACCEPT', '. /etc/firewall/jumps.sh');
  assert.deepEqual(lines1(lint(sourced).problems, 'IPT405'), []);
  // Without any of that, the chain is reported.
  assert.deepEqual(lines1(lint(script('iptables -N SSH', 'iptables -A SSH -j ACCEPT')).problems, 'IPT405'), [2]);
});
