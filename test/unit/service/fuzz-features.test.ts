// Structured fuzzing of the language features: real scripts and save files, broken at random places
// the way an editing session breaks them (a half-typed option, a stray quote, a pasted full-width
// space, a lost line end), and every feature asked at random places. Nothing may throw, every range
// handed back must lie inside the document, the edits of one code action must not overlap (LSP
// requires it), and applying "fix all" must leave a document the engine still reads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../../server/src/engine';
import type { Position } from '../../../server/src/syntax/ast';
import { diagnosticsFor } from '../../../server/src/service/diagnostics';
import { hover } from '../../../server/src/service/hover';
import { completion } from '../../../server/src/service/completion';
import { definition, highlights, prepareRename, references, rename } from '../../../server/src/service/navigation';
import { documentSymbols, foldingRanges } from '../../../server/src/service/symbols';
import { inlayHints } from '../../../server/src/service/inlayHints';
import { formatSaveDocument } from '../../../server/src/service/formatting';
import { codeActions, fixAllEdits } from '../../../server/src/service/codeActions';
import { effectiveRuleset, restoreFiles } from '../../../server/src/service/commands';
import { applyEdits } from './helpers';

const REVIEW = fileURLToPath(new URL('../../fixtures/review', import.meta.url));
const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));

/** Files under `dir` (recursively) of at most `max` bytes, in name order; none when the folder is absent. */
function filesUnder(dir: string, max: number): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(path, max));
    else if (!/\.(md|txt|json|png)$|^SOURCE/.test(e.name) && statSync(path).size <= max) out.push(path);
  }
  return out;
}

// Our review fixtures, and the small real scripts and dumps of the shared corpus where it is present.
const SOURCES = [
  ...readdirSync(REVIEW).filter((f) => /\.(sh|rules)$/.test(f)).sort().map((f) => join(REVIEW, f)),
  ...filesUnder(join(CORPUS, 'scripts'), 16_000),
  ...filesUnder(join(CORPUS, 'save'), 6_000),
].map((path) => readFileSync(path, 'utf8'));

/** What an editing session inserts: pieces of rules, shell and save syntax, and characters pasted from web pages. */
const PIECES = [
  ' ', '\n', '\r\n', '\t', '"', "'", '\\\n', '!', '-', '--', '-j', '-m', '-p', '-A', '-I INPUT 1', '-t nat', 'tcp', '--dport', '--sport',
  '65536', '1024:', ':', ',', '/', '/33', '$', '${', '$IPT', 'X=1', 'ACCEPT', 'DROP', 'NOSUCH', 'conntrack', '--ctstate', 'NEW,BOGUS',
  '-s 10.0.0.0/8', '-d ::1', '*nat', '*filter', ':FOO - [0:0]', 'COMMIT', 'iptables', 'ip6tables -A INPUT', 'iptables-restore <<EOF', 'EOF',
  'if true; then', 'fi', 'for p in 22 80; do', 'done', 'f() {', '}', '#', '\u3000', '\u2212', '\u2013', '\uFF0D', '２２', '\uFEFF', '日本語',
];

type Edit = { kind: 'insert'; at: number; piece: string } | { kind: 'delete'; at: number; length: number } | { kind: 'duplicate'; at: number };

function mutate(text: string, edits: Edit[]): string {
  let t = text;
  for (const e of edits) {
    const at = Math.floor(e.at * (t.length + 1));
    if (e.kind === 'insert') t = t.slice(0, at) + e.piece + t.slice(at);
    else if (e.kind === 'delete') t = t.slice(0, at) + t.slice(at + e.length);
    else {
      const start = t.lastIndexOf('\n', at - 1) + 1;
      const end = t.indexOf('\n', at);
      const line = t.slice(start, end < 0 ? t.length : end + 1);
      t = t.slice(0, start) + line + (line.endsWith('\n') ? '' : '\n') + t.slice(start);
    }
  }
  return t;
}

const edit = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), piece: fc.constantFrom(...PIECES) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

/** Every LSP range anywhere in a result, with where it was found. */
function rangesIn(value: unknown, path = '$', out: { path: string; start: Position; end: Position }[] = []): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => rangesIn(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const s = o.start as Position | undefined, e = o.end as Position | undefined;
    if (s && e && typeof s.line === 'number' && typeof e.line === 'number') out.push({ path, start: s, end: e });
    else for (const [k, v] of Object.entries(o)) rangesIn(v, `${path}.${k}`, out);
  }
  return out;
}

function assertInside(label: string, value: unknown, lines: string[], text: string): void {
  for (const r of rangesIn(value)) {
    const ok = (p: Position) => Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.character >= 0
      && p.line < lines.length && p.character <= lines[p.line].length;
    const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
    assert.ok(ok(r.start) && ok(r.end) && ordered, `${label} ${r.path}: ${JSON.stringify({ start: r.start, end: r.end })} outside the document\n${JSON.stringify(text)}`);
  }
}

/** The text edits of a code action or workspace edit do not overlap (LSP requires it). */
function assertDisjoint(label: string, edits: { range: { start: Position; end: Position } }[], text: string): void {
  const sorted = [...edits].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1].range.end, cur = sorted[i].range.start;
    const overlap = prev.line > cur.line || (prev.line === cur.line && prev.character > cur.character);
    assert.ok(!overlap, `${label}: overlapping edits ${JSON.stringify(sorted[i - 1].range)} and ${JSON.stringify(sorted[i].range)}\n${JSON.stringify(text)}`);
  }
}

test('broken documents: every feature answers without throwing, with ranges inside the document', () => {
  fc.assert(
    fc.property(fc.nat(SOURCES.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(200)), { minLength: 1, maxLength: 6 }), (which, edits, probes) => {
      const text = mutate(SOURCES[which], edits);
      const lines = text.split('\n');
      const a = analyze(text);
      const check = (label: string, value: unknown) => assertInside(label, value, lines, text);
      const diags = diagnosticsFor(a, 'file:///x', 'en');
      check('diagnostics', diags);
      check('symbols', documentSymbols(a));
      check('folding', foldingRanges(a).map((f) => ({ start: { line: f.startLine, character: 0 }, end: { line: f.endLine, character: 0 } })));
      check('inlay hints', inlayHints(a, { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: 0 } }, 'ja').map((h) => ({ start: h.position, end: h.position })));
      const formatting = formatSaveDocument(a);
      check('formatting', formatting);
      assertDisjoint('formatting', formatting, text);
      effectiveRuleset(a);
      restoreFiles(a, 'file:///x', 'en');
      for (const [y, x] of probes) {
        const line = Math.min(lines.length - 1, Math.floor(y * lines.length));
        const pos = { line, character: Math.min(x, lines[line].length) };
        check('hover', hover(a, pos, 'en'));
        check('completion', completion(a, pos, 'ja').items.map((i) => i.textEdit ?? null));
        check('definition', definition(a, 'file:///x', pos));
        check('references', references(a, 'file:///x', pos, true));
        check('highlights', highlights(a, pos));
        check('prepareRename', prepareRename(a, pos) ?? null);
        const renamed = rename(a, 'file:///x', pos, 'NEWNAME');
        if (renamed && !('error' in renamed)) for (const list of Object.values(renamed.changes ?? {})) { check('rename', list); assertDisjoint('rename', list, text); }
        for (const action of codeActions(a, 'file:///x', { start: pos, end: pos }, 'en', undefined, { createFiles: false })) {
          for (const list of Object.values(action.edit?.changes ?? {})) { check(`code action "${action.title}"`, list); assertDisjoint(`code action "${action.title}"`, list, text); }
        }
      }
      // "Fix all" gives edits that apply, and the result is read again without throwing.
      const all = fixAllEdits(a.problems);
      check('fix all', all);
      assertDisjoint('fix all', all, text);
      diagnosticsFor(analyze(applyEdits(text, all)), 'file:///x', 'en');
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: Number(process.env.FUZZ_SEED ?? 7) },
  );
});
