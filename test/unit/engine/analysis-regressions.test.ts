// Regressions in the packet-space reading of rules found while integrating.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/engine';

test('--ctstate DNAT (a flag, not a state) does not make a rule look empty: no false IPT401/402', () => {
  const a = analyze('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -m conntrack --ctstate DNAT -j DROP\n-A INPUT -m conntrack --ctstate NEW,DNAT -j DROP\nCOMMIT\n', { kind: 'save' });
  assert.deepEqual(a.problems.filter((p) => /^IPT40[1-4]$/.test(p.code)).map((p) => p.code), []);
});

test('CRLF line ends are reported (sh passes ACCEPT\\r, iptables-restore reads filter\\r) with a fix to LF', () => {
  const script = analyze('#!/bin/sh\r\niptables -A INPUT -j ACCEPT\r\n');
  const p = script.problems.find((x) => x.code === 'IPT100' && x.severity === 'error');
  assert.ok(p, JSON.stringify(script.problems));
  assert.equal(p.range.start.line, 0);
  assert.equal(p.fixes?.[0].edits[0].newText, '#!/bin/sh\niptables -A INPUT -j ACCEPT\n');
  const save = analyze('*filter\r\n:INPUT ACCEPT [0:0]\r\nCOMMIT\r\n', { kind: 'save' });
  assert.ok(save.problems.some((x) => x.code === 'IPT111' && x.severity === 'error'));
  assert.equal(analyze('iptables -A INPUT -j ACCEPT\n').problems.filter((x) => x.severity === 'error').length, 0);
});

test('a command glued by full-width spaces is reported instead of being skipped', () => {
  const a = analyze('iptables\u3000-A\u3000INPUT\u3000-j\u3000ACCEPT\n');
  const p = a.problems.find((x) => x.code === 'IPT114');
  assert.ok(p, JSON.stringify(a.problems));
  assert.equal(p.fixes?.[0].edits[0].newText, 'iptables -A INPUT -j ACCEPT');
});
