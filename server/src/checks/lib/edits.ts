// Text edits that fixes share: moving whole lines (with the comment block just above them).
import type { Fix, Localized, TextEdit } from '../../syntax/ast';

/**
 * Moves lines [from, to] (0-based, inclusive), plus the comment lines directly above them, so that
 * they stand before line `before` (a line index; the text's line count means "at the end").
 */
export function moveLinesFix(text: string, from: number, to: number, before: number, title: Localized): Fix | undefined {
  const lines = text.split('\n');
  let start = from;
  while (start > 0 && /^\s*#/.test(lines[start - 1]) && !/^#!/.test(lines[start - 1])) start--;
  if (before >= start && before <= to + 1) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const moved = lines.slice(start, to + 1).map((l) => l.replace(/\r$/, ''));
  const edits: TextEdit[] = [];
  const removeEnd = to + 1 < lines.length ? { line: to + 1, character: 0 } : { line: to, character: lines[to].length };
  edits.push({ range: { start: { line: start, character: 0 }, end: removeEnd }, newText: '' });
  if (before >= lines.length || (before === lines.length - 1 && lines[before] === '')) {
    const last = lines.length - 1;
    const needsNl = lines[last] !== '';
    edits.push({ range: { start: { line: last, character: lines[last].length }, end: { line: last, character: lines[last].length } }, newText: (needsNl ? eol : '') + eol + moved.join(eol) + eol });
  } else {
    edits.push({ range: { start: { line: before, character: 0 }, end: { line: before, character: 0 } }, newText: moved.join(eol) + eol });
  }
  return { title, edits };
}
