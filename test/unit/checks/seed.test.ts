// The hosting company's guide script (packet_filter.sh) with TrustIP set to a real address: what an
// admin following the guide gets. Line numbers are 1-based here, as in the guide and in editors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, lineRange, lines1, lint, only, rangeOfText, seedScript } from './helpers';

const seed = seedScript();
const skip = seed ? false : 'seed script absent (../shared/seed/packet_filter.sh)';

test('seed: IPT201 on line 12 (-P INPUT DROP), 16 lines above the SSH accept on line 28', { skip }, () => {
  const text = seed!;
  assert.equal(text.split('\n')[11], 'iptables -P INPUT DROP');
  const [p, ...rest] = only(lint(text).problems, 'IPT201');
  assert.equal(rest.length, 0);
  assert.deepEqual(p.range, lineRange(text, 12));
  assert.deepEqual(p.related?.[0].range, lineRange(text, 28));
  assert.match(p.message.en, /16 lines later/);
  assert.match(p.message.ja, /16 行後の 28 行目/);
});

test('seed: IPT301 on the 1024: of line 25, IPT501 on lines 25, 35 and 36, and no lockout at the end', { skip }, () => {
  const a = lint(seed!);
  assert.deepEqual(only(a.problems, 'IPT301').map((p) => p.range), [rangeOfText(seed!, 25, '1024:')]);
  assert.deepEqual(lines1(a.problems, 'IPT501'), [25, 35, 36]);
  for (const code of ['IPT202', 'IPT203', 'IPT204', 'IPT205', 'IPT302', 'IPT303', 'IPT304']) assert.deepEqual(lines1(a.problems, code), [], code);
  // The guide never configures ip6tables.
  assert.deepEqual(lines1(a.problems, 'IPT206'), [12]);
});

test('seed: each fix of IPT201 and IPT301 removes its finding and adds no error', { skip }, () => {
  const a = lint(seed!);
  for (const code of ['IPT201', 'IPT301']) {
    const p = only(a.problems, code)[0];
    assert.ok(p.fixes!.length >= 2, code);
    for (const fix of p.fixes!) {
      const fixed = lint(applyFix(seed!, fix));
      assert.deepEqual(lines1(fixed.problems, code), [], `${code}: ${fix.title.en}`);
      const before = new Set(a.problems.filter((x) => x.severity === 'error').map((x) => x.code));
      assert.deepEqual(fixed.problems.filter((x) => x.severity === 'error' && !before.has(x.code)), [], fix.title.en);
    }
  }
});

test('seed with the SSH rule removed: locked out at the end (IPT202 on the INPUT policy)', { skip }, () => {
  const text = seed!.replace('iptables -A INPUT -p tcp -s $TrustIP --dport 22 -j ACCEPT', '');
  assert.deepEqual(only(lint(text).problems, 'IPT202').map((p) => p.range), [lineRange(text, 12)]);
});
