// Test text with position markers: `iptables -A INP<|>UT` gives the text without the marker and
// the marker's position (several markers: positions in order).
import { analyze, type Analysis, type DocumentKind } from '../../../server/src/engine';
import type { Position } from '../../../server/src/syntax/ast';

export const MARK = '<|>';

export function marked(src: string): { text: string; positions: Position[] } {
  const positions: Position[] = [];
  let text = '';
  let rest = src;
  for (let at = rest.indexOf(MARK); at >= 0; at = rest.indexOf(MARK)) {
    text += rest.slice(0, at);
    rest = rest.slice(at + MARK.length);
    const lines = text.split('\n');
    positions.push({ line: lines.length - 1, character: lines[lines.length - 1].length });
  }
  return { text: text + rest, positions };
}

/** Analyses marked text; the kind follows the text unless given. */
export function at(src: string, kind?: DocumentKind): { a: Analysis; pos: Position; positions: Position[]; text: string } {
  const { text, positions } = marked(src);
  return { a: analyze(text, { kind }), pos: positions[0], positions, text };
}

/** Applies LSP-style text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: Position; end: Position }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((x, y) => offset(y.range.start) - offset(x.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
