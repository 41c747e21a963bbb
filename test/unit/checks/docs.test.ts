// Every code the linter can report has its page in docs/checks (the diagnostics link there), with
// an English and a Japanese section covering what, why, an example and the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { allCodes } from '../../../server/src/checks/index';
import { ROOT } from './helpers';

const DOCS = join(ROOT, 'docs', 'checks');
const codes = [{ code: 'IPT000', name: 'internal-error', severity: 'error' }, ...allCodes()];

test('each code has a page whose title and severity match the code table', () => {
  for (const c of codes) {
    const path = join(DOCS, `${c.code}.md`);
    assert.ok(existsSync(path), `missing ${path}`);
    const text = readFileSync(path, 'utf8');
    assert.equal(text.split('\n')[0], `# ${c.code} ${c.name}`, c.code);
    assert.match(text, new RegExp(`^Severity: ${c.severity} `, 'm'), c.code);
  }
});

test('each page has the English section first, then the Japanese one, each with what, why, example and fix', () => {
  for (const c of codes) {
    const text = readFileSync(join(DOCS, `${c.code}.md`), 'utf8');
    const en = text.indexOf('\n## English\n'), ja = text.indexOf('\n## 日本語\n');
    assert.ok(en > 0 && ja > en, `${c.code}: sections`);
    const english = text.slice(en, ja), japanese = text.slice(ja);
    for (const h of ['### What it reports', '### Why it matters', '### Example', '### How to fix']) assert.ok(english.includes(h), `${c.code}: ${h}`);
    for (const h of ['### 検出する内容', '### なぜ問題か', '### 例', '### 修正方法']) assert.ok(japanese.includes(h), `${c.code}: ${h}`);
    assert.match(japanese, /[ぁ-んァ-ヶ]/, `${c.code}: Japanese text`);
    assert.doesNotMatch(english.replace(/```[\s\S]*?```/g, ''), /[ぁ-んァ-ヶ]/, `${c.code}: English text`);
  }
});

test('the index lists every page, and there is no page without a code', () => {
  const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
  for (const c of codes) assert.ok(index.includes(`[${c.code}](${c.code}.md)`), c.code);
  const known = new Set(codes.map((c) => `${c.code}.md`));
  for (const f of readdirSync(DOCS)) if (f !== 'README.md') assert.ok(known.has(f), `stray page ${f}`);
});
