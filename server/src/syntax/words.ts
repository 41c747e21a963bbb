// Splits one line of an iptables-restore file into words the way iptables-restore does:
// blanks separate words, double quotes group (and are dropped), `\"` and `\\` inside quotes
// stand for themselves. Single quotes are ordinary characters there.
import { loc, type Problem, type Word } from './ast';

export interface SplitResult { words: Word[]; problems: Problem[] }

export function splitRestoreWords(text: string, line: number, startChar = 0): SplitResult {
  const words: Word[] = [];
  const problems: Problem[] = [];
  let i = startChar;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
    if (i >= n) break;
    const start = i;
    let value = '';
    let quoted = false;
    let inQuote = false;
    while (i < n) {
      const c = text[i];
      if (inQuote) {
        if (c === '\\' && i + 1 < n && (text[i + 1] === '"' || text[i + 1] === '\\')) { value += text[i + 1]; i += 2; continue; }
        if (c === '"') { inQuote = false; i++; continue; }
        value += c; i++;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') break;
      if (c === '"') { inQuote = true; quoted = true; i++; continue; }
      value += c; i++;
    }
    const range = { start: { line, character: start }, end: { line, character: i } };
    if (inQuote) {
      problems.push({
        code: 'IPT111', severity: 'error', range,
        message: loc('Unterminated double quote: iptables-restore rejects this line', '二重引用符が閉じられていません。iptables-restore はこの行を受け付けません'),
      });
    }
    words.push({ text: value, range, quoted: quoted || undefined });
  }
  return { words, problems };
}
