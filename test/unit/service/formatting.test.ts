// Formatting a save file gives what the real iptables-save 1.8.9 (nft) printed after
// iptables-restore of the same input in a network namespace (run by hand, output pasted below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/engine';
import { formatSaveDocument } from '../../../server/src/service/formatting';
import { applyEdits } from './helpers';

const INPUT = [
  '# kept   ',
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT   ACCEPT   [3:4]',
  ':MYCHAIN - [0:0]',
  '[12:345]   -A INPUT -i lo -j ACCEPT',
  '-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
  '  -A INPUT --protocol tcp --dport ssh -s 10.1.2.3/24 -j ACCEPT',
  '-A INPUT -p udp -m multiport --dports 53,123 -j MYCHAIN',
  '-A MYCHAIN -s 192.168.0.1,192.168.0.2 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

// `iptables-restore < INPUT; iptables-save` printed these rule lines.
const EXPECTED = [
  '# kept',
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [3:4]',
  ':MYCHAIN - [0:0]',
  '[12:345] -A INPUT -i lo -j ACCEPT',
  '-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT',
  '-A INPUT -s 10.1.2.0/24 -p tcp -m tcp --dport 22 -j ACCEPT',
  '-A INPUT -p udp -m multiport --dports 53,123 -j MYCHAIN',
  '-A MYCHAIN -s 192.168.0.1/32 -j ACCEPT',
  '-A MYCHAIN -s 192.168.0.2/32 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

test('save files format into the canonical iptables-save form, keeping comments and counters', () => {
  const a = analyze(INPUT, { kind: 'save' });
  assert.equal(applyEdits(INPUT, formatSaveDocument(a)), EXPECTED);
});

test('formatting is idempotent, and lines with errors are left alone', () => {
  assert.deepEqual(formatSaveDocument(analyze(EXPECTED, { kind: 'save' })), []);
  const bad = '*filter\n-A INPUT  -p tcp --dport 99999 -j ACCEPT\n-A INPUT  -j ACCEPT\nCOMMIT\n';
  assert.equal(applyEdits(bad, formatSaveDocument(analyze(bad, { kind: 'save' }))), '*filter\n-A INPUT  -p tcp --dport 99999 -j ACCEPT\n-A INPUT -j ACCEPT\nCOMMIT\n');
});

test('scripts are not reformatted', () => {
  assert.deepEqual(formatSaveDocument(analyze('#!/bin/sh\niptables  -A INPUT -j ACCEPT\n', { kind: 'shell' })), []);
});
