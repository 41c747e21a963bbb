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
  const entries: SaveEntry[] = [];
  const problems: Problem[] = [];
  const comments: SaveFile['comments'] = [];
  const lines = text.split('\n');
  cache?.begin(lines, family);
  let table: string | undefined;
  let tableEntry: Range | undefined;
  const error = (range: Range, en: string, ja: string) => problems.push({ code: 'IPT111', severity: 'error', range, message: loc(en, ja) });
  for (let k = 0; k < lines.length; k++) {
    const line = offset.line + k;
    const base = k === 0 ? offset.character : 0;
    let raw = lines[k];
    const c0 = raw.charCodeAt(0);
    if (table !== undefined && cache && (c0 === 58 /* : */ || c0 === 45 /* - */ || c0 === 91 /* [ */)) {
      // An unchanged `:CHAIN` or rule line of the same table: its entry, moved to this line.
      const hit = cache.take(line, table, raw);
      if (hit) { for (const p of hit.problems) problems.push(p); entries.push(hit.entry); continue; }
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
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) { comments.push({ text: trimmed, range: full }); continue; }
    if (trimmed.startsWith('*')) {
      if (table !== undefined) error(tableEntry!, `table ${table} is not closed by COMMIT before the next table`, `テーブル ${table} が COMMIT で閉じられないまま次のテーブルが始まっています`);
      table = trimmed.slice(1).trim();
      tableEntry = full;
      entries.push({ kind: 'table', name: table, range: full, nameRange: lineRange(line, start + 1, full.end.character) });
      if (!['filter', 'nat', 'mangle', 'raw', 'security'].includes(table)) error(full, `unknown table "${table}"`, `不明なテーブル "${table}" です`);
      continue;
    }
    if (trimmed === 'COMMIT') {
      if (table === undefined) error(full, 'COMMIT without a table: a `*table` line must come first', 'テーブルがないのに COMMIT があります。先に `*テーブル名` の行が必要です');
      entries.push({ kind: 'commit', range: full });
      table = undefined;
      continue;
    }
    if (table === undefined) {
      error(full, 'this line is outside a table: iptables-restore needs a `*table` line (e.g. *filter) before it', 'この行はテーブルの外にあります。iptables-restore では前に `*テーブル名`（例：*filter）の行が必要です');
      continue;
    }
    if (trimmed.startsWith(':')) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?\s*$/.exec(trimmed);
      if (!m) { error(full, 'a chain line has the form `:NAME POLICY [packets:bytes]`', 'チェイン行は `:名前 ポリシー [パケット数:バイト数]` の形で書きます'); continue; }
      const nameEnd = start + 1 + m[1].length;
      const policyStart = body.indexOf(m[2], nameEnd - base) + base;
      const entry: SaveEntry = { kind: 'chain', name: internName(m[1]), policy: m[2], range: full, nameRange: lineRange(line, start + 1, nameEnd), policyRange: lineRange(line, policyStart, policyStart + m[2].length) };
      cache?.put({ line, table, raw, entry, problems: NO_PROBLEMS });
      entries.push(entry);
      continue;
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
    let own = NO_PROBLEMS;
    if (split.problems.length || ps.length) {
      own = [];
      for (const p of split.problems) own.push(base ? { ...p, range: shift(p.range, base) } : p);
      for (const p of ps) own.push(p);
    }
    for (const p of own) problems.push(p);
    const entry: SaveEntry = { kind: 'rule', command, range: full };
    cache?.put({ line, table, raw, entry, problems: own });
    entries.push(entry);
  }
  if (table !== undefined) {
    error(tableEntry!, `table ${table} has no COMMIT: iptables-restore applies nothing from it`, `テーブル ${table} に COMMIT がありません。iptables-restore はこのテーブルを適用しません`);
  }
  return { family, entries, problems, comments };
}

function shiftWord(w: LineWord, by: number): LineWord {
  return lineWord(w.text, w.line, w.start + by, w.end + by, w.quoted);
}

const shift = (r: Range, by: number): Range => ({
  start: { line: r.start.line, character: r.start.character + by },
  end: { line: r.end.line, character: r.end.character + by },
});
