// Shared helpers for the check tests: run the linter, pick findings, apply a fix's edits.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze, type AnalyzeOptions } from '../../../server/src/engine';
import { DEFAULT_CONFIG, type LintConfig } from '../../../server/src/config';
import type { Fix, Position, Problem, Range } from '../../../server/src/syntax/ast';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const SEED_PATH = resolve(ROOT, '../shared/seed/packet_filter.sh');

/** The hosting guide's script with its placeholder replaced by a documentation address, or undefined when absent. */
export function seedScript(trust = '203.0.113.5'): string | undefined {
  if (!existsSync(SEED_PATH)) return undefined;
  return readFileSync(SEED_PATH, 'utf8').replace("TrustIP='y.y.y.y'", `TrustIP='${trust}'`);
}

export function lint(text: string, opts: AnalyzeOptions & { cfg?: Partial<LintConfig> } = {}) {
  const config = { ...DEFAULT_CONFIG, ...opts.cfg };
  return analyze(text, { ...opts, config });
}

export const only = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);
export const lines1 = (problems: Problem[], code: string) => only(problems, code).map((p) => p.range.start.line + 1);

function offsetAt(text: string, p: Position): number {
  let off = 0;
  for (let l = 0; l < p.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off + p.character;
}

/** Applies every edit of a fix (LSP semantics: all ranges refer to the original text). */
export function applyFix(text: string, fix: Fix): string {
  const edits = fix.edits.map((e) => ({ from: offsetAt(text, e.range.start), to: offsetAt(text, e.range.end), text: e.newText }));
  edits.sort((a, b) => b.from - a.from || b.to - a.to);
  let out = text;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return out;
}

/** The range of the n-th occurrence (0-based) of `needle` on 1-based line `line` of `text`. */
export function rangeOfText(text: string, line: number, needle: string, nth = 0): Range {
  const l = text.split('\n')[line - 1];
  let at = -1;
  for (let k = 0; k <= nth; k++) at = l.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`"${needle}" not on line ${line}`);
  return { start: { line: line - 1, character: at }, end: { line: line - 1, character: at + needle.length } };
}

/** The whole of 1-based line `line`, without its leading blanks and line end. */
export function lineRange(text: string, line: number): Range {
  const l = text.split('\n')[line - 1].replace(/\r$/, '');
  const lead = l.length - l.trimStart().length;
  return { start: { line: line - 1, character: lead }, end: { line: line - 1, character: l.trimEnd().length } };
}

export const save = (...lines: string[]) => lines.join('\n') + '\n';
export const script = (...lines: string[]) => ['#!/bin/sh', ...lines].join('\n') + '\n';
