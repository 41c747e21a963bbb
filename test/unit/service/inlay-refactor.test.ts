// Inlay hints, refactorings and the server commands' results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/engine';
import { inlayHints } from '../../../server/src/service/inlayHints';
import { extractVariable, stateToConntrack, toRestoreFile } from '../../../server/src/service/refactor';
import { effectiveRuleset, restoreFiles } from '../../../server/src/service/commands';
import { codeActions } from '../../../server/src/service/codeActions';
import { applyEdits, at } from './helpers';

const ALL = { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } };

test('inlay hints: service names after numeric ports, sizes of open-ended ranges', () => {
  const a = analyze('*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p udp --sport 53 -j ACCEPT\n-A INPUT -p tcp --dport 1024: -j DROP\n-A INPUT -p tcp --dport ssh -j ACCEPT\nCOMMIT\n', { kind: 'save' });
  const hints = inlayHints(a, ALL, 'en').map((h) => [h.position.line, h.label]);
  // /etc/services: 22/tcp ssh, 53/udp domain; 1024..65535 is 64512 ports; a name needs no hint.
  assert.deepEqual(hints, [[1, 'ssh'], [2, 'domain'], [3, '64,512 ports']]);
});

test('inlay hints: a loop body shows every value it runs with', () => {
  const a = analyze('#!/bin/sh\nfor p in 80 443; do\n  iptables -A INPUT -p tcp --dport $p -j ACCEPT\ndone\n', { kind: 'shell' });
  assert.deepEqual(inlayHints(a, ALL, 'en').map((h) => h.label), ['http | https']);
});

test('state -> conntrack rewrites every -m state --state in the file', () => {
  const src = '#!/bin/sh\niptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -m state --state NEW -j ACCEPT\n';
  const a = analyze(src, { kind: 'shell' });
  const action = stateToConntrack(a, 'u', 'en')!;
  assert.equal(action.kind, 'refactor.rewrite.iptables.conntrack');
  const out = applyEdits(src, action.edit!.changes!.u);
  assert.equal(out, '#!/bin/sh\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\n');
  // The result means the same: the same save form apart from the match name.
  const before = effectiveRuleset(a)[0].text.replace(/-m state --state/g, '-m conntrack --ctstate');
  assert.equal(effectiveRuleset(analyze(out, { kind: 'shell' }))[0].text, before);
  assert.equal(stateToConntrack(analyze(out, { kind: 'shell' }), 'u', 'en'), undefined);
});

test('extract a repeated address into a shell variable', () => {
  const src = '#!/bin/sh\n# firewall\n\niptables -A INPUT -s 203.0.113.<|>5 -j ACCEPT\niptables -A OUTPUT -d 203.0.113.5 -j ACCEPT\niptables -A INPUT -s 203.0.113.6 -j ACCEPT\n';
  const { a, pos, text } = at(src);
  const action = extractVariable(a, 'u', { start: pos, end: pos }, 'en')!;
  const out = applyEdits(text, action.edit!.changes!.u);
  assert.equal(out, '#!/bin/sh\n# firewall\n\nHOST_203_0_113_5=203.0.113.5\niptables -A INPUT -s $HOST_203_0_113_5 -j ACCEPT\niptables -A OUTPUT -d $HOST_203_0_113_5 -j ACCEPT\niptables -A INPUT -s 203.0.113.6 -j ACCEPT\n');
  // The script still builds the same ruleset.
  assert.equal(effectiveRuleset(analyze(out, { kind: 'shell' }))[0].text, effectiveRuleset(a)[0].text);
});

test('extract a repeated port: named after its service; not offered for a single use', () => {
  const { a, pos, text } = at('#!/bin/sh\niptables -A INPUT -p tcp --dport 4<|>43 -j ACCEPT\niptables -A OUTPUT -p tcp --sport 443 -j ACCEPT\n');
  const out = applyEdits(text, extractVariable(a, 'u', { start: pos, end: pos }, 'en')!.edit!.changes!.u);
  assert.match(out, /^HTTPS_PORT=443$/m);
  assert.equal((out.match(/\$HTTPS_PORT/g) ?? []).length, 2);
  const one = at('#!/bin/sh\niptables -A INPUT -p tcp --dport 4<|>43 -j ACCEPT\n');
  assert.equal(extractVariable(one.a, 'u', { start: one.pos, end: one.pos }, 'en'), undefined);
});

test('convert a script to restore files: created next to it, loadable text', () => {
  const a = analyze('#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\nip6tables -A INPUT -j DROP\n', { kind: 'shell' });
  const files = restoreFiles(a, 'file:///etc/fw/packet_filter.sh', 'en');
  assert.deepEqual(files.map((f) => [f.family, f.fileName, f.command]), [
    [4, 'packet_filter.v4.rules', 'iptables-restore < /etc/iptables/rules.v4'],
    [6, 'packet_filter.v6.rules', 'ip6tables-restore < /etc/iptables/rules.v6'],
  ]);
  assert.match(files[0].text, /^\*filter\n:INPUT DROP \[0:0\]\n:FORWARD ACCEPT \[0:0\]\n:OUTPUT ACCEPT \[0:0\]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n$/m);
  const action = toRestoreFile(a, 'file:///etc/fw/packet_filter.sh', 'en', { createFiles: true })!;
  const changes = action.edit!.documentChanges!;
  assert.deepEqual(changes[0], { kind: 'create', uri: 'file:///etc/fw/packet_filter.v4.rules', options: { overwrite: false, ignoreIfExists: false } });
  const fallback = toRestoreFile(a, 'file:///x.sh', 'en', { createFiles: false })!;
  assert.equal(fallback.command?.command, 'iptables.server.restoreFile');
});

test('code actions: refactorings only when refactor kinds are wanted', () => {
  const { a, pos } = at('#!/bin/sh\niptables -A INPUT -m st<|>ate --state NEW -j ACCEPT\n');
  const r = { start: pos, end: pos };
  const kinds = (only?: string[]) => codeActions(a, 'u', r, 'en', only).map((c) => c.kind);
  assert.ok(kinds().includes('refactor.rewrite.iptables.conntrack'));
  assert.ok(kinds(['refactor']).includes('refactor.rewrite.iptables.restoreFile'));
  assert.ok(!kinds(['quickfix']).some((k) => k?.startsWith('refactor')));
  assert.ok(!kinds(['source.fixAll']).some((k) => k?.startsWith('refactor')));
});
