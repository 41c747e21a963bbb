// iptables-save / iptables-restore files: `*table` blocks of `:CHAIN POLICY [p:b]` declarations and
// rule lines, each block closed by COMMIT. Rule lines go through the shared command-line grammar.
import { loc, type Family, type IptablesCommand, type Position, type Problem, type Range } from './ast';
import { parseCommandWords } from './commandLine';
import { internName, LineWord, lineWord, splitRestoreWords } from './words';
import { detached, type LineCache } from './lineCache';

export type SaveEntry =
  | { kind: 'table'; name: string; range: Range; nameRange: Range }
  | { kind: 'chain'; name: string; policy: string; range: Range; nameRange: Range; policyRange: Range }
  | { kind: 'rule'; command: IptablesCommand; range: Range }
  | { kind: 'commit'; range: Range };

export interface SaveFile {
  family: Family;
  entries: SaveEntry[];
  problems: Problem[];
  comments: { text: string; range: Range }[];
}

const NON_ASCII = /[^\x00-\x7F]/;
/** Read only (frozen): shared by every line without problems. */
const NO_PROBLEMS = Object.freeze([]) as unknown as Problem[];

const lineRange = (line: number, from: number, to: number): Range => ({ start: { line, character: from }, end: { line, character: to } });

/**
 * Parses a save-format document. `offset` places it inside a larger document (a heredoc in a
 * script): line k of `text` is document line offset.line + k, and its first line starts at offset.character.
 * With a `cache` (the language server's; whole documents only, no offset), unchanged chain and
 * rule lines are not parsed again.
 */
export function parseSaveFile(text: string, family: Family, offset: Position = { line: 0, character: 0 }, cache?: LineCache): SaveFile {
  const lines = text.split('\n');
  cache?.begin(lines, family);
  const st: ReadState = { family, offset, cache, entries: [], problems: [], comments: [], table: undefined, tableEntry: undefined };
  // The loop only calls readLine: V8 compiles a long loop on the spot (OSR), and a loop body with
  // several `continue` paths made it enter that code by another way on every line and throw it
  // away again (10,000 deoptimizations in one edit of a 10,000-line file: 90-180 ms instead of 15,
  // seen with --trace-deopt / --trace-osr).
  for (let k = 0; k < lines.length; k++) readLine(st, lines[k], k);
  if (st.table !== undefined) {
    tableError(st, st.tableEntry!, `table ${st.table} has no COMMIT: iptables-restore applies nothing from it`, `テーブル ${st.table} に COMMIT がありません。iptables-restore はこのテーブルを適用しません`);
  }
  return { family, entries: st.entries, problems: st.problems, comments: st.comments };
}

/** What parseSaveFile carries from line to line. */
interface ReadState {
  readonly family: Family;
  readonly offset: Position;
  readonly cache: LineCache | undefined;
  readonly entries: SaveEntry[];
  readonly problems: Problem[];
  readonly comments: SaveFile['comments'];
  /** The table of the block being read (undefined outside a block). */
  table: string | undefined;
  tableEntry: Range | undefined;
}

const tableError = (st: ReadState, range: Range, en: string, ja: string) => { st.problems.push({ code: 'IPT111', severity: 'error', range, message: loc(en, ja) }); };

/** Reads line `k` (its text `raw`) of the document into `st`. */
function readLine(st: ReadState, raw: string, k: number): void {
  const { family, offset, cache, entries, problems } = st;
  const table = st.table;
  const line = offset.line + k;
  const base = k === 0 ? offset.character : 0;
  const c0 = raw.charCodeAt(0);
  if (table !== undefined && cache && (c0 === 58 /* : */ || c0 === 45 /* - */ || c0 === 91 /* [ */)) {
    // An unchanged `:CHAIN` or rule line of the same table: its entry, moved to this line.
    const hit = cache.take(line, table, raw);
    if (hit) { if (hit.problems.length) append(problems, hit.problems); entries.push(hit.entry); return; }
    raw = detached(raw);
  }
  const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  // Most lines start and end with a printable ASCII character: no trimming (and no new string).
  const c1 = body.charCodeAt(0), c2 = body.charCodeAt(body.length - 1);
  const plain = c1 > 32 && c1 < 127 && c2 > 32 && c2 < 127;
  const lead = plain ? 0 : body.length - body.trimStart().length;
  const trimmed = plain ? body : body.trim();
  const start = base + lead;
  const full = lineRange(line, start, base + lead + trimmed.length);
  if (trimmed === '') return;
  if (trimmed.startsWith('#')) { st.comments.push({ text: trimmed, range: full }); return; }
  if (trimmed.startsWith('*')) {
    if (table !== undefined) tableError(st, st.tableEntry!, `table ${table} is not closed by COMMIT before the next table`, `テーブル ${table} が COMMIT で閉じられないまま次のテーブルが始まっています`);
    const name = trimmed.slice(1).trim();
    st.table = name;
    st.tableEntry = full;
    entries.push({ kind: 'table', name, range: full, nameRange: lineRange(line, start + 1, full.end.character) });
    if (!['filter', 'nat', 'mangle', 'raw', 'security'].includes(name)) tableError(st, full, `unknown table "${name}"`, `不明なテーブル "${name}" です`);
    return;
  }
  if (trimmed === 'COMMIT') {
    if (table === undefined) tableError(st, full, 'COMMIT without a table: a `*table` line must come first', 'テーブルがないのに COMMIT があります。先に `*テーブル名` の行が必要です');
    entries.push({ kind: 'commit', range: full });
    st.table = undefined;
    return;
  }
  if (table === undefined) {
    tableError(st, full, 'this line is outside a table: iptables-restore needs a `*table` line (e.g. *filter) before it', 'この行はテーブルの外にあります。iptables-restore では前に `*テーブル名`（例：*filter）の行が必要です');
    return;
  }
  if (trimmed.startsWith(':')) {
    const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/.exec(trimmed);
    if (!m) { tableError(st, full, 'a chain line has the form `:NAME POLICY [packets:bytes]`', 'チェイン行は `:名前 ポリシー [パケット数:バイト数]` の形で書きます'); return; }
    const nameEnd = start + 1 + m[1].length;
    const policyStart = body.indexOf(m[2], nameEnd - base) + base;
    const entry: SaveEntry = { kind: 'chain', name: internName(m[1]), policy: m[2], range: full, nameRange: lineRange(line, start + 1, nameEnd), policyRange: lineRange(line, policyStart, policyStart + m[2].length) };
    cache?.put({ line, table, raw, entry, problems: NO_PROBLEMS });
    entries.push(entry);
    return;
  }
  // A rule line, perhaps with a `[packets:bytes]` counter prefix.
  let from = lead;
  const counter = trimmed.charCodeAt(0) === 91 /* [ */ ? /^\[(\d+):(\d+)\]\s*/.exec(trimmed) : null;
  if (counter) from += counter[0].length;
  const split = splitRestoreWords(body, line, from);
  const words = base ? split.words.map((w) => shiftWord(w as LineWord, base)) : split.words;
  const { command, problems: ps } = parseCommandWords(words, { family, table, origin: 'save', ascii: !NON_ASCII.test(body) });
  command.range = full;
  if (counter) command.counters = { packets: counter[1], bytes: counter[2] };
  // The cache keeps each line's problems: most lines have none and share one empty array.
  const own = split.problems.length || ps.length ? lineProblems(split.problems, ps, base) : NO_PROBLEMS;
  if (own.length) append(problems, own);
  const entry: SaveEntry = { kind: 'rule', command, range: full };
  cache?.put({ line, table, raw, entry, problems: own });
  entries.push(entry);
}

function append(to: Problem[], from: readonly Problem[]): void {
  for (const p of from) to.push(p);
}

/** A rule line's own problems: those of word splitting (moved by `base`) and of the grammar. */
function lineProblems(split: readonly Problem[], grammar: readonly Problem[], base: number): Problem[] {
  const own: Problem[] = [];
  for (const p of split) own.push(base ? { ...p, range: shift(p.range, base) } : p);
  for (const p of grammar) own.push(p);
  return own;
}

function shiftWord(w: LineWord, by: number): LineWord {
  return lineWord(w.text, w.line, w.start + by, w.end + by, w.quoted);
}

const shift = (r: Range, by: number): Range => ({
  start: { line: r.start.line, character: r.start.character + by },
  end: { line: r.end.line, character: r.end.character + by },
});
