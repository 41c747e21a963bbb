// A half-typed line never crashes a feature nor hides the other diagnostics; irrelevant documents get nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/engine';
import { AnalysisCache, isRelevant } from '../../../server/src/service/documents';
import { diagnosticsFor } from '../../../server/src/service/diagnostics';
import { hover } from '../../../server/src/service/hover';
import { completion } from '../../../server/src/service/completion';
import { documentSymbols, foldingRanges } from '../../../server/src/service/symbols';
import { inlayHints } from '../../../server/src/service/inlayHints';
import { references } from '../../../server/src/service/navigation';
import { formatSaveDocument } from '../../../server/src/service/formatting';
import { codeActions } from '../../../server/src/service/codeActions';
import { DEFAULT_CONFIG } from '../../../server/src/config';

const BASE = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\n-A INPUT -j NOSUCH\nCOMMIT\n';

test('every prefix of a typed line keeps the other lines\' diagnostics and crashes nothing', () => {
  const full = '-A INPUT -p tcp -m multiport --dports 80,443 -m conntrack --ctstate NEW -s 10.0.0.0/8 -j LOG --log-prefix "x y"';
  const withLine = (typed: string) => BASE.replace(':INPUT DROP [0:0]\n', `:INPUT DROP [0:0]\n${typed}\n`);
  const othersOf = (text: string) => diagnosticsFor(analyze(text, { kind: 'save' }), 'u', 'en').filter((d) => d.range.start.line !== 2).map((d) => `${d.code}@${d.range.start.line}`);
  const baseline = othersOf(withLine(''));
  // --dport 99999 is out of range; NOSUCH does not exist (other checks may add findings on line 1).
  assert.ok(baseline.includes('IPT106@3') && baseline.includes('IPT108@4'), baseline.join());
  for (let i = 0; i <= full.length; i++) {
    const text = withLine(full.slice(0, i));
    const a = analyze(text, { kind: 'save' });
    assert.deepEqual(othersOf(text), baseline, `prefix ${i}: ${full.slice(0, i)}`);
    const pos = { line: 2, character: i };
    hover(a, pos, 'en');
    completion(a, pos, 'ja');
    references(a, 'u', pos, true);
    documentSymbols(a);
    foldingRanges(a);
    inlayHints(a, { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, 'en');
    formatSaveDocument(a);
    codeActions(a, 'u', { start: pos, end: pos }, 'en');
  }
});

test('the same in a script, including an unterminated quote', () => {
  const line = 'iptables -A INPUT -p tcp --dport 22 -m comment --comment "ssh from office" -j ACCEPT';
  for (let i = 0; i <= line.length; i++) {
    const text = `#!/bin/sh\niptables -A INPUT -j NOSUCH\n${line.slice(0, i)}\niptables -A INPUT -p tcp --dport 99999 -j ACCEPT\n`;
    const a = analyze(text, { kind: 'shell' });
    const diags = diagnosticsFor(a, 'u', 'en');
    const pos = { line: 2, character: i };
    hover(a, pos, 'en');
    completion(a, pos, 'en');
    documentSymbols(a);
    // The command before the typed line keeps its error unless the open quote swallowed the rest.
    assert.ok(diags.some((d) => d.range.start.line === 1), `prefix ${i}`);
  }
});

test('a shell script without iptables gets no diagnostics, hovers or symbols', () => {
  const a = analyze('#!/bin/sh\nset -e\necho "$HOME"\nfor f in *; do cat "$f"; done\n', { kind: 'shell' });
  assert.equal(isRelevant(a), false);
  assert.deepEqual(diagnosticsFor(a, 'u', 'en'), []);
  assert.equal(hover(a, { line: 1, character: 2 }, 'en'), null);
  assert.deepEqual(documentSymbols(a), []);
  assert.deepEqual(completion(a, { line: 2, character: 5 }, 'en').items, []);
});

test('the cache answers the same analysis for the same version and a new one after an edit', () => {
  const cache = new AnalysisCache(DEFAULT_CONFIG);
  const doc = { uri: 'file:///a.rules', languageId: 'iptables', version: 1, text: BASE };
  const first = cache.get(doc);
  assert.equal(cache.get(doc), first);
  const second = cache.get({ ...doc, version: 2, text: BASE + '# x\n' });
  assert.notEqual(second, first);
  assert.equal(second.kind, 'save');
  // A plain-text document is told by its content.
  assert.equal(cache.get({ uri: 'file:///b', languageId: 'plaintext', version: 1, text: BASE }).kind, 'save');
});
