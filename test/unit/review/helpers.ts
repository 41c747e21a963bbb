// Shared helpers for the review tests: lint a fixture of test/fixtures/review and list its findings
// as "CODE:LINE" (1-based), the way a reviewer writes them down.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze, type Analysis } from '../../../server/src/engine';
import { CHECKS } from '../../../server/src/checks/index';
import { icmpv6Blocked } from '../../../server/src/checks/IPT207-icmpv6-blocked';
import type { Problem } from '../../../server/src/syntax/ast';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/review');
export const fixturePath = (name: string) => resolve(FIXTURES, name);
export const readFixture = (name: string) => readFileSync(fixturePath(name), 'utf8');

/**
 * Every problem of a text, IPT207 included while it is not yet registered in checks/index.ts
 * (the registry's order belongs to another engineer; see the review report).
 */
export function problemsOf(text: string, path?: string): { analysis: Analysis; problems: Problem[] } {
  const analysis = analyze(text, { path });
  const problems = [...analysis.problems];
  if (!CHECKS.some((c) => c.code === icmpv6Blocked.code)) {
    for (const f of icmpv6Blocked.run(analysis)) problems.push({ code: icmpv6Blocked.code, severity: icmpv6Blocked.severity, ...f });
  }
  return { analysis, problems };
}

/** "CODE:LINE" for each problem, sorted by line then code. */
export function codesAndLines(problems: Problem[]): string[] {
  return problems
    .map((p) => ({ line: p.range.start.line + 1, code: p.code }))
    .sort((a, b) => a.line - b.line || a.code.localeCompare(b.code))
    .map((p) => `${p.code}:${p.line}`);
}

export const sortFindings = (list: string[]) => [...list].sort((a, b) => {
  const [ca, la] = a.split(':'), [cb, lb] = b.split(':');
  return Number(la) - Number(lb) || ca.localeCompare(cb);
});

/** Applies a fix's edits (all ranges refer to the original text, as in LSP). */
export function applyEdits(text: string, edits: { range: Problem['range']; newText: string }[]): string {
  const offset = (p: { line: number; character: number }) => {
    let off = 0;
    for (let l = 0; l < p.line; l++) off = text.indexOf('\n', off) + 1;
    return off + p.character;
  };
  const sorted = edits.map((e) => ({ from: offset(e.range.start), to: offset(e.range.end), text: e.newText })).sort((a, b) => b.from - a.from);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}
