// Small shared helpers of the language features: positions, text slices, the display language.
import type { Analysis } from '../engine';
import type { Lang, Localized, Position, Range } from '../syntax/ast';

/** Anything with `isCancellationRequested` (the LSP CancellationToken, or a test stub). */
export interface Cancel { readonly isCancellationRequested: boolean }
export const NEVER: Cancel = { isCancellationRequested: false };

export const tr = (lang: Lang, en: string, ja: string): string => (lang === 'ja' ? ja : en);
export const say = (l: Localized | undefined, lang: Lang): string => (l ? l[lang] : '');

export function cmp(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

/** The position lies inside the range, both ends included (a cursor right after a word is on it). */
export function inRange(r: Range, p: Position): boolean {
  return cmp(r.start, p) <= 0 && cmp(p, r.end) <= 0;
}

export function overlaps(a: Range, b: Range): boolean {
  return cmp(a.start, b.end) <= 0 && cmp(b.start, a.end) <= 0;
}

export const sameRange = (a: Range, b: Range): boolean => cmp(a.start, b.start) === 0 && cmp(a.end, b.end) === 0;
export const rangeKey = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

const lineStartsCache = new WeakMap<Analysis, number[]>();

/** Offsets of the first character of every line (cached per analysis). */
export function lineStarts(a: Analysis): number[] {
  let starts = lineStartsCache.get(a);
  if (!starts) {
    starts = [0];
    const t = a.text;
    for (let i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStartsCache.set(a, starts);
  }
  return starts;
}

export function offsetAt(a: Analysis, p: Position): number {
  const starts = lineStarts(a);
  if (p.line >= starts.length) return a.text.length;
  return Math.min(starts[p.line] + p.character, p.line + 1 < starts.length ? starts[p.line + 1] : a.text.length);
}

export function positionAt(a: Analysis, offset: number): Position {
  const starts = lineStarts(a);
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}

export function textOf(a: Analysis, r: Range): string {
  return a.text.slice(offsetAt(a, r.start), offsetAt(a, r.end));
}

/** One line without its end-of-line characters. */
export function lineText(a: Analysis, line: number): string {
  const starts = lineStarts(a);
  if (line >= starts.length) return '';
  const end = line + 1 < starts.length ? starts[line + 1] - 1 : a.text.length;
  const s = a.text.slice(starts[line], end);
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

export const lineCount = (a: Analysis): number => lineStarts(a).length;

/** `1 line` / `3 lines` style numbers for humans (lines are 0-based inside, 1-based for people). */
export const lineNo = (p: Position | Range): number => ('start' in p ? p.start.line : p.line) + 1;

export function eolOf(a: Analysis): string {
  return a.text.includes('\r\n') ? '\r\n' : '\n';
}

/** Markdown inline code that survives backticks in the value. */
export function code(s: string): string {
  const fence = s.includes('`') ? '`` ' : '`';
  return fence + s + (fence === '`' ? '`' : ' ``');
}
