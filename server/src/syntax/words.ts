// Splits one line of an iptables-restore file into words the way iptables-restore does:
// blanks separate words, double quotes group (and are dropped), and inside quotes a backslash
// takes the next character literally. Single quotes are ordinary characters there.
import { loc, type Problem, type Range, type Word, type WordRole } from './ast';

/**
 * A word on one line, stored as three fields; its end and Range are computed on demand. Save files
 * of 70,000 rules hold about a million words, and four objects per word would dominate memory and
 * GC time. An unquoted word of a restore line is its own text, so it ends `text.length` after its
 * start. `quoted` and `symbolic` are only declared (no own field unless set): most words have neither.
 */
export class LineWord implements Word {
  declare quoted?: boolean;
  declare symbolic?: boolean;
  /** `line` changes only when the language server's LineCache moves an unchanged line (syntax/lineCache.ts). */
  constructor(public text: string, public line: number, readonly start: number) {}
  get end(): number {
    return this.start + this.text.length;
  }
  get range(): Range {
    return { start: { line: this.line, character: this.start }, end: { line: this.line, character: this.end } };
  }
}

/** A word written with double quotes: its text (quotes removed) is shorter than its source. */
class QuotedLineWord extends LineWord {
  declare quoted: boolean;
  private readonly sourceEnd: number;
  constructor(text: string, line: number, start: number, end: number) {
    super(text, line, start);
    this.quoted = true;
    this.sourceEnd = end;
  }
  override get end(): number {
    return this.sourceEnd;
  }
}

/** A LineWord, of the quoted kind when `quoted`. */
export function lineWord(text: string, line: number, start: number, end: number, quoted?: boolean): LineWord {
  return quoted ? new QuotedLineWord(text, line, start, end) : new LineWord(text, line, start);
}

/**
 * Short words repeat on every line (`-A`, `-j`, `tcp`): keep one copy of each. Only words under
 * 13 characters: a longer slice of the line is a 32-byte view into the document text (which is
 * kept anyway), and hashing the many unique long words (comments, addresses) costs more than it saves.
 */
const INTERNED = new Map<string, string>();
function intern(word: string): string {
  if (word.length >= 13) return word;
  const known = INTERNED.get(word);
  if (known !== undefined) return known;
  if (INTERNED.size < 200_000) INTERNED.set(word, word);
  return word;
}

/**
 * Chain names, whatever their length, as one shared string each: the model and the checks look
 * chains up in Maps tens of thousands of times, and a lookup with the very string stored is a
 * pointer comparison (about 8x faster on a kube-proxy dump than comparing equal copies). The kept
 * copy is flat, not a slice, so it does not hold a whole old document in memory.
 */
export function internName(name: string): string {
  return chainName(name).name;
}

/** A chain name's shared string, and its word role (made by the parser on first use: roles.ts). */
export interface ChainName { readonly name: string; role: WordRole | undefined }

const NAMES = new Map<string, ChainName>();
/** internName's entry: the parser finds the name and its role with one lookup. */
export function chainName(text: string): ChainName {
  const known = NAMES.get(text);
  if (known !== undefined) return known;
  if (NAMES.size >= 200_000) NAMES.clear();
  const own = text.length < 13 ? text : (' ' + text).slice(1);
  const entry: ChainName = { name: own, role: undefined };
  NAMES.set(own, entry);
  return entry;
}

/**
 * A string built by concatenation is a tree of pieces until something flattens it; memos that
 * live as long as their command (one per rule of a 70,000-rule dump) keep one flat string instead
 * (7 MB of pieces less on such a dump). Slicing flattens (toWellFormed does not: a well-formed
 * string comes back as the same tree, measured with a heap snapshot).
 */
export function flatString(s: string): string {
  return s.length > 12 ? (' ' + s).slice(1) : s;
}

/** A command's range from its first word to its last (made here once: a LineWord's range is made on each read). */
export function spanOf(first: Word, last: Word): Range {
  if (first instanceof LineWord && last instanceof LineWord) return { start: { line: first.line, character: first.start }, end: { line: last.line, character: last.end } };
  return { start: first.range.start, end: last.range.end };
}

/**
 * A word naming a chain keeps the interned name as its text (the same characters): a large dump
 * names each chain in thousands of words, and one shared string is smaller than a slice per word.
 */
export function shareText(w: Word, name: string): string {
  if (w instanceof LineWord && w.text === name) w.text = name;
  return name;
}

export interface SplitResult { words: Word[]; problems: Problem[] }

const SPACE = 32, TAB = 9, CR = 13, QUOTE = 34, BACKSLASH = 92;
/** Shared (and frozen, so a caller that pushed into it would fail loudly) when a line has no problem. */
const NO_PROBLEMS = Object.freeze([]) as unknown as Problem[];

/** `problems` is a shared frozen empty array when there are none: callers only read it. */
export function splitRestoreWords(text: string, line: number, startChar = 0): SplitResult {
  const words: Word[] = [];
  const n = text.length;
  let problems = NO_PROBLEMS;
  let i = startChar;
  for (;;) {
    let c = 0;
    while (i < n && ((c = text.charCodeAt(i)) === SPACE || c === TAB || c === CR)) i++;
    if (i >= n) break;
    const start = i;
    // Plain run first (the common case): the word is a slice of the line.
    while (i < n && (c = text.charCodeAt(i)) !== SPACE && c !== TAB && c !== CR && c !== QUOTE) i++;
    if (i >= n || c !== QUOTE) {
      words.push(new LineWord(intern(text.slice(start, i)), line, start));
      continue;
    }
    // Quotes: the value is the concatenation of the literal pieces between the quote marks.
    let value = text.slice(start, i);
    let inQuote = false;
    let piece = i;
    while (i < n) {
      c = text.charCodeAt(i);
      if (inQuote) {
        // Inside quotes a backslash takes the next character literally (checked with iptables-restore).
        if (c === BACKSLASH && i + 1 < n) { value += text.slice(piece, i); piece = i + 1; i += 2; continue; }
        if (c === QUOTE) { value += text.slice(piece, i); inQuote = false; piece = ++i; continue; }
        i++;
        continue;
      }
      if (c === SPACE || c === TAB || c === CR) break;
      if (c === QUOTE) { value += text.slice(piece, i); inQuote = true; piece = ++i; continue; }
      i++;
    }
    if (piece < i) value += text.slice(piece, i);
    const word = new QuotedLineWord(intern(value), line, start, i);
    if (inQuote) {
      if (problems === NO_PROBLEMS) problems = [];
      problems.push({
        code: 'IPT111', severity: 'error', range: word.range,
        message: loc('Unterminated double quote: iptables-restore rejects this line', '二重引用符が閉じられていません。iptables-restore はこの行を受け付けません'),
      });
    }
    words.push(word);
  }
  // Exact length: the array lives as long as the command, and push leaves spare room.
  return { words: words.slice(), problems };
}
