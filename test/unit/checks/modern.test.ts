// IPT501-IPT504: modernisation and style. `-m conntrack --ctstate` accepts every state name that
// `-m state --state` does (iptables-extensions(8), conntrack and state matches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lines1, lint, only, rangeOfText, save, script } from './helpers';

test('IPT501: the -m state words are the range, tagged deprecated; the fix rewrites them to conntrack', () => {
  const text = script('iptables -A INPUT -p tcp -m state --state NEW --dport 22 -j ACCEPT', 'iptables -A INPUT -m state ! --state INVALID -j ACCEPT');
  const p = only(lint(text).problems, 'IPT501');
  assert.deepEqual(p.map((x) => x.range), [
    { start: rangeOfText(text, 2, '-m state').start, end: rangeOfText(text, 2, 'NEW').end },
    { start: rangeOfText(text, 3, '-m state').start, end: rangeOfText(text, 3, 'INVALID').end },
  ]);
  assert.deepEqual(p[0].tags, ['deprecated']);
  let fixed = applyFix(text, p[0].fixes![0]);
  fixed = applyFix(fixed, only(lint(fixed).problems, 'IPT501')[0].fixes![0]);
  assert.equal(fixed, script('iptables -A INPUT -p tcp -m conntrack --ctstate NEW --dport 22 -j ACCEPT', 'iptables -A INPUT -m conntrack ! --ctstate INVALID -j ACCEPT'));
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT501'), []);
});

test('IPT501: conntrack already, and save files too', () => {
  assert.deepEqual(lines1(lint(script('iptables -A INPUT -m conntrack --ctstate NEW -j ACCEPT')).problems, 'IPT501'), []);
  const text = save('*filter', '-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT501');
  assert.equal(applyFix(text, p.fixes![0]), save('*filter', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'COMMIT'));
});

test('IPT502: LOG without a limit, reported on -j LOG; the fix adds -m limit; limited rules and limited callers are fine', () => {
  const text = save('*filter', '-A INPUT -p tcp --dport 23 -j LOG --log-prefix "telnet: "', 'COMMIT');
  const [p] = only(lint(text).problems, 'IPT502');
  assert.deepEqual(p.range, { start: rangeOfText(text, 2, '-j').start, end: rangeOfText(text, 2, 'LOG').end });
  const fixed = applyFix(text, p.fixes![0]);
  assert.equal(fixed.split('\n')[1], '-A INPUT -p tcp --dport 23 -m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix "telnet: "');
  assert.deepEqual(lines1(lint(fixed).problems, 'IPT502'), []);
  assert.deepEqual(lines1(lint(save('*filter', '-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name l -j LOG', 'COMMIT')).problems, 'IPT502'), []);
  const viaChain = save('*filter', ':LOGDROP - [0:0]', '-A INPUT -p tcp --dport 23 -m limit --limit 1/min -j LOGDROP', '-A LOGDROP -j LOG', '-A LOGDROP -j DROP', 'COMMIT');
  assert.deepEqual(lines1(lint(viaChain).problems, 'IPT502'), []);
});

test('IPT503: ten rules in a row that differ only in the source; nine, or mixed targets, are not reported', () => {
  const block = Array.from({ length: 10 }, (_, i) => `-A INPUT -s 198.51.100.${i + 1}/32 -j DROP`);
  const text = save('*filter', ...block, '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT');
  const p = only(lint(text).problems, 'IPT503');
  assert.deepEqual(p.map((x) => x.range), [lineRange(text, 2)]);
  assert.match(p[0].message.en, /10 rules/);
  assert.deepEqual(p[0].related?.[0].range, lineRange(text, 11));
  assert.deepEqual(lines1(lint(save('*filter', ...block.slice(1), 'COMMIT')).problems, 'IPT503'), []);
  const mixed = block.map((l, i) => (i === 5 ? l.replace('DROP', 'ACCEPT') : l));
  assert.deepEqual(lines1(lint(save('*filter', ...mixed, 'COMMIT')).problems, 'IPT503'), []);
});

test('IPT504: a script of many iptables calls; short scripts, conditional ones and restore files are not', () => {
  const calls = Array.from({ length: 10 }, (_, i) => `iptables -A INPUT -p tcp --dport ${1000 + i} -j ACCEPT`);
  const text = script(...calls);
  assert.deepEqual(only(lint(text).problems, 'IPT504').map((x) => x.range), [lineRange(text, 2)]);
  assert.deepEqual(lines1(lint(script(...calls.slice(1))).problems, 'IPT504'), []);
  assert.deepEqual(lines1(lint(script(...calls, 'if [ -n "$X" ]; then iptables -A INPUT -j DROP; fi')).problems, 'IPT504'), []);
  assert.deepEqual(lines1(lint(save('*filter', ...calls.map((c) => c.replace('iptables ', '')), 'COMMIT')).problems, 'IPT504'), []);
});
