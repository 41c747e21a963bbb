// Splits one line of an iptables-restore file into words the way iptables-restore does:
// blanks separate words, double quotes group (and are dropped), and inside quotes a backslash
// takes the next character literally. Single quotes are ordinary characters there.
import { loc, type Problem, type Range, type Word } from './ast';

/**
 * A word on one line, stored as four fields; its Range is built on demand. Save files of 70,000
 * rules hold about a million words, and four objects per word would dominate memory and GC time.
 */
export class LineWord implements Word {
  quoted?: boolean;
  symbolic?: boolean;
  constructor(public text: string, readonly line: number, readonly start: number, readonly end: number) {}
  get range(): Range {
    return { start: { line: this.line, character: this.start }, end: { line: this.line, character: this.end } };
  }
}

/** Short words repeat on every line (`-A`, `-j`, `tcp`, chain names): keep one copy of each. */
const INTERNED = new Map<string, string>();
function intern(word: string): string {
  if (word.length > 40) return word;
  const known = INTERNED.get(word);
  if (known !== undefined) return known;
  if (INTERNED.size < 200_000) INTERNED.set(word, word);
  return word;
}

export interface SplitResult { words: Word[]; problems: Problem[] }

export function splitRestoreWords(text: string, line: number, startChar = 0): SplitResult {
  const words: Word[] = [];
  const problems: Problem[] = [];
  // Fast path: no double quote on the line, so words are the runs of non-blank characters.
  if (text.indexOf('"', startChar) < 0) {
    const re = /[^ \t\r]+/g;
    re.lastIndex = startChar;
    for (let m = re.exec(text); m; m = re.exec(text)) words.push(new LineWord(intern(m[0]), line, m.index, m.index + m[0].length));
    return { words, problems };
  }
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
        // Inside quotes a backslash takes the next character literally (checked with iptables-restore).
        if (c === '\\' && i + 1 < n) { value += text[i + 1]; i += 2; continue; }
        if (c === '"') { inQuote = false; i++; continue; }
        value += c; i++;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') break;
      if (c === '"') { inQuote = true; quoted = true; i++; continue; }
      value += c; i++;
    }
    const word = new LineWord(value, line, start, i);
    if (quoted) word.quoted = true;
    if (inQuote) {
      problems.push({
        code: 'IPT111', severity: 'error', range: word.range,
        message: loc('Unterminated double quote: iptables-restore rejects this line', '二重引用符が閉じられていません。iptables-restore はこの行を受け付けません'),
      });
    }
    words.push(word);
  }
  return { words, problems };
}
