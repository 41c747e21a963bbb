// The extension's static contributions: manifest strings (package.nls*.json), runtime strings
// (l10n/bundle.l10n*.json), grammar and command wiring. A missing translation shows as a raw key in
// VS Code, so these tests fail on any key one side has and the other lacks.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../../..');
const json = (p: string) => JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as Record<string, unknown>;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

interface Manifest {
  contributes: {
    commands: { command: string }[];
    grammars: { path: string; scopeName: string; injectTo?: string[] }[];
    languages: { id: string; configuration?: string }[];
  };
}
const manifestText = readFileSync(join(ROOT, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest;

test('package.nls.json and package.nls.ja.json cover exactly the %placeholders% of package.json', () => {
  const used = new Set([...manifestText.matchAll(/"%([^"%]+)%"/g)].map((m) => m[1]));
  assert.ok(used.size >= 10);
  const en = json('package.nls.json');
  const ja = json('package.nls.ja.json');
  assert.deepEqual(Object.keys(en).sort(), [...used].sort());
  assert.deepEqual(Object.keys(ja).sort(), [...used].sort());
  for (const key of used) {
    assert.ok(String(en[key]).trim(), key);
    assert.match(String(ja[key]), JAPANESE, `ja ${key}`);
  }
});

test('every vscode.l10n.t string of the client has a Japanese translation with the same placeholders', () => {
  const dir = join(ROOT, 'client/src');
  const strings = new Set<string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) strings.add(m[1].replace(/\\(.)/g, '$1'));
    // Only literal first arguments can be extracted; a template or variable would escape this test.
    assert.doesNotMatch(src, /l10n\.t\(\s*[^'\s]/, `${f} calls l10n.t with a non-literal`);
  }
  assert.ok(strings.size >= 10);
  const ja = json('l10n/bundle.l10n.ja.json') as Record<string, string>;
  const en = json('l10n/bundle.l10n.json') as Record<string, string>;
  for (const s of strings) {
    assert.ok(s in ja, `missing ja translation: ${s}`);
    assert.ok(s in en, `missing in bundle.l10n.json: ${s}`);
    assert.match(ja[s], JAPANESE, s);
    assert.deepEqual(placeholders(ja[s]), placeholders(s), s);
  }
  assert.deepEqual(Object.keys(ja).filter((k) => !strings.has(k)), [], 'stale ja entries');
});

test('grammars, language configuration and commands of package.json exist', () => {
  for (const g of manifest.contributes.grammars) assert.ok(existsSync(join(ROOT, g.path)), g.path);
  const scopes = manifest.contributes.grammars.map((g) => (json(g.path) as { scopeName: string }).scopeName);
  assert.deepEqual(scopes, manifest.contributes.grammars.map((g) => g.scopeName));
  for (const l of manifest.contributes.languages) if (l.configuration) assert.ok(existsSync(join(ROOT, l.configuration)), l.configuration);
  const commandsSrc = readFileSync(join(ROOT, 'client/src/commands.ts'), 'utf8');
  for (const c of manifest.contributes.commands) assert.ok(commandsSrc.includes(`'${c.command}'`), `${c.command} is not registered`);
});
