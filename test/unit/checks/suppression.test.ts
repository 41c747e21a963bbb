// Suppression comments and configured severities (DESIGN: `# iptables-lint disable=CODE` for the
// next command or the command on the same line, `disable-file=` for the whole file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lines1, lint, only, save, script } from './helpers';

const policyFirst = ['iptables -P INPUT DROP', 'iptables -A INPUT -p tcp -m state --state NEW,ESTABLISHED --dport 22 -j ACCEPT'];

test('disable= on the line above silences that code for the next command only', () => {
  const a = lint(script('# iptables-lint disable=IPT201', ...policyFirst));
  assert.deepEqual(lines1(a.problems, 'IPT201'), []);
  assert.deepEqual(lines1(a.problems, 'IPT501'), [4]);
  const other = lint(script('# iptables-lint disable=IPT301', ...policyFirst));
  assert.deepEqual(lines1(other.problems, 'IPT201'), [3]);
});

test('disable= at the end of a command line, several codes, and ALL', () => {
  const a = lint(script(policyFirst[0], `${policyFirst[1]} # iptables-lint disable=IPT501,IPT302`));
  assert.deepEqual(lines1(a.problems, 'IPT501'), []);
  assert.deepEqual(lines1(a.problems, 'IPT302'), []);
  assert.deepEqual(lines1(a.problems, 'IPT201'), [2]);
  const all = lint(script('# iptables-lint disable=ALL', ...policyFirst));
  assert.deepEqual(all.problems.filter((p) => p.range.start.line === 2), []);
});

test('disable-file= silences a code everywhere; in a save file as well', () => {
  const a = lint(script('# iptables-lint disable-file=IPT501', ...policyFirst, 'iptables -A OUTPUT -m state --state ESTABLISHED -j ACCEPT'));
  assert.deepEqual(lines1(a.problems, 'IPT501'), []);
  assert.deepEqual(lines1(a.problems, 'IPT201'), [3]);
  const s = lint(save('# iptables-lint disable-file=IPT302', '*filter', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT'));
  assert.deepEqual(lines1(s.problems, 'IPT302'), []);
});

test('configured severities override the default, and off removes the finding', () => {
  const text = script(...policyFirst);
  const raised = lint(text, { cfg: { severity: { IPT501: 'warning' } } });
  assert.deepEqual(only(raised.problems, 'IPT501').map((p) => p.severity), ['warning']);
  const off = lint(text, { cfg: { severity: { IPT201: 'off' } } });
  assert.deepEqual(lines1(off.problems, 'IPT201'), []);
  assert.equal(only(lint(text).problems, 'IPT201')[0].severity, 'error');
});
