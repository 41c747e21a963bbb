// Regressions in the packet-space reading of rules found while integrating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/engine';

test('--ctstate DNAT (a flag, not a state) does not make a rule look empty: no false IPT401/402', () => {
  const a = analyze('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -m conntrack --ctstate DNAT -j DROP\n-A INPUT -m conntrack --ctstate NEW,DNAT -j DROP\nCOMMIT\n', { kind: 'save' });
  assert.deepEqual(a.problems.filter((p) => /^IPT40[1-4]$/.test(p.code)).map((p) => p.code), []);
});
