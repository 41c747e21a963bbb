// What is at a position: a word of an iptables command (with its role), a line of a save file,
// or a shell variable. Built once per analysis (lines -> commands) so requests on a 100k-line
// document do not scan it.
import type { Analysis, CommandRecord } from '../engine';
import type { Position, Range, Word, WordRole } from '../syntax/ast';
import type { SaveEntry } from '../syntax/saveFile';
import type { ShellFunction, ShellVariable } from '../syntax/shell/types';
import { inRange, lineStarts, textOf } from './text';

/**
 * Per line of the document, kept in arrays indexed by line (a 70,000-line dump has a command or a
 * save-file line on nearly every line; one object and one list per line were 11 MB of a language
 * server's memory).
 */
interface DocIndex {
  /** The command covering a line, or several (a loop body unrolled twice gives two records on the same lines). */
  byLine: (CommandRecord | CommandRecord[] | undefined)[];
  /** Save-file lines (`*table`, `:CHAIN`, rules, COMMIT), the table block each is in, and its family. */
  entries: (SaveEntry | undefined)[];
  tables: (string | undefined)[];
  families: (4 | 6 | undefined)[];
}

const NONE: readonly CommandRecord[] = Object.freeze([]);
const cache = new WeakMap<Analysis, DocIndex>();

function indexOf(a: Analysis): DocIndex {
  let idx = cache.get(a);
  if (idx) return idx;
  idx = { byLine: [], entries: [], tables: [], families: [] };
  const byLine = idx.byLine;
  for (const rec of a.commands) {
    const r = rec.command.range;
    for (let l = r.start.line; l <= r.end.line; l++) {
      const known = byLine[l];
      byLine[l] = known === undefined ? rec : Array.isArray(known) ? [...known, rec] : [known, rec];
    }
  }
  for (const save of a.saves) {
    let table: string | undefined;
    for (const e of save.entries) {
      if (e.kind === 'table') table = e.name;
      const line = e.range.start.line;
      idx.entries[line] = e;
      idx.tables[line] = table;
      idx.families[line] = save.family;
      if (e.kind === 'commit') table = undefined;
    }
  }
  cache.set(a, idx);
  return idx;
}

/** The iptables commands on a line (usually one; none on other lines). */
export function recordsOnLine(a: Analysis, line: number): readonly CommandRecord[] {
  const r = indexOf(a).byLine[line];
  return r === undefined ? NONE : Array.isArray(r) ? r : [r];
}

/** The save-file line (`*table`, `:CHAIN`, a rule, COMMIT) on a line, with its table block and family. */
export function saveLineAt(a: Analysis, line: number): { entry: SaveEntry; table?: string; family: 4 | 6 } | undefined {
  const idx = indexOf(a);
  const entry = idx.entries[line];
  return entry && { entry, table: idx.tables[line], family: idx.families[line]! };
}

/** Builds the per-analysis indexes ahead of the first request (called once diagnostics are out). */
export function warm(a: Analysis): void {
  indexOf(a);
  lineStarts(a);
}

const callersCache = new WeakMap<Analysis, Map<string, Position[]>>();

/** Where the rules that jump or go to a chain were written, per family/table/chain (one pass per analysis). */
export function callersOf(a: Analysis, family: 4 | 6, table: string, chain: string): Position[] {
  let map = callersCache.get(a);
  if (!map) {
    map = new Map();
    for (const fam of [4, 6] as const) {
      for (const t of a.rulesets[fam].tables.values()) {
        for (const c of t.chains.values()) {
          for (const r of c.rules) {
            const target = r.command.target?.name;
            if (!target) continue;
            const k = `${fam}/${t.name}/${target}`;
            const list = map.get(k);
            if (list) list.push(r.command.range.start); else map.set(k, [r.command.range.start]);
          }
        }
      }
    }
    callersCache.set(a, map);
  }
  return map.get(`${family}/${table}/${chain}`) ?? [];
}

export type Located =
  | { kind: 'word'; rec: CommandRecord; index: number; word: Word; role: WordRole }
  | { kind: 'program'; rec: CommandRecord; word: Word }
  | { kind: 'saveTable'; name: string; range: Range; family: 4 | 6 }
  | { kind: 'saveChain'; name: string; table?: string; range: Range; family: 4 | 6 }
  | { kind: 'savePolicy'; chain: string; policy: string; table?: string; range: Range; family: 4 | 6 }
  | { kind: 'commit'; range: Range; table?: string }
  | { kind: 'variable'; variable: ShellVariable; range: Range; nameRange: Range; definition: boolean }
  | { kind: 'function'; fn: ShellFunction; range: Range };

/** The first thing found at the position, most specific first. */
export function locate(a: Analysis, pos: Position): Located | undefined {
  const v = variableAt(a, pos);
  if (v) return v;
  for (const fn of a.shell?.functions ?? []) {
    if (inRange(fn.nameRange, pos)) return { kind: 'function', fn, range: fn.nameRange };
    for (const c of fn.calls) if (inRange(c, pos)) return { kind: 'function', fn, range: c };
  }
  const w = wordAt(a, pos);
  if (w) return w;
  const e = saveLineAt(a, pos.line);
  if (!e) return undefined;
  const { entry, table, family } = e;
  if (entry.kind === 'table' && inRange(entry.range, pos)) return { kind: 'saveTable', name: entry.name, range: entry.nameRange, family };
  if (entry.kind === 'chain') {
    if (inRange(entry.policyRange, pos)) return { kind: 'savePolicy', chain: entry.name, policy: entry.policy, table, range: entry.policyRange, family };
    if (inRange({ start: entry.range.start, end: entry.nameRange.end }, pos)) return { kind: 'saveChain', name: entry.name, table, range: entry.nameRange, family };
  }
  if (entry.kind === 'commit' && inRange(entry.range, pos)) return { kind: 'commit', range: entry.range, table };
  return undefined;
}

export function wordAt(a: Analysis, pos: Position): Extract<Located, { kind: 'word' | 'program' }> | undefined {
  for (const rec of recordsOnLine(a, pos.line)) {
    const words = rec.command.words;
    if (rec.program && inRange(rec.program.range, pos)) return { kind: 'program', rec, word: rec.program };
    // Prefer a word that starts at the cursor over one that ends there (`-p|tcp` is impossible, but `a,|b` is not).
    let hit = -1;
    for (let i = 0; i < words.length; i++) {
      if (!inRange(words[i].range, pos)) continue;
      hit = i;
      if (words[i].range.end.character !== pos.character || words[i].range.end.line !== pos.line) break;
    }
    if (hit >= 0) return { kind: 'word', rec, index: hit, word: words[hit], role: rec.command.roles[hit] ?? { kind: 'unknown' } };
  }
  return undefined;
}

/** The range of the bare name inside a variable's use (`$X`, `${X}`, `${X:-d}`) or definition (`X=...`). */
export function variableNameRange(a: Analysis, v: ShellVariable, r: Range): Range {
  const src = textOf(a, r);
  let at = src.startsWith('${') ? 2 : src.startsWith('$') ? 1 : src.indexOf(v.name);
  if (at < 0 || src.slice(at, at + v.name.length) !== v.name) at = Math.max(0, src.indexOf(v.name));
  // A definition spanning lines still starts with its name on its first line.
  return { start: { line: r.start.line, character: r.start.character + at }, end: { line: r.start.line, character: r.start.character + at + v.name.length } };
}

function variableAt(a: Analysis, pos: Position): Located | undefined {
  for (const v of a.shell?.variables ?? []) {
    for (const u of v.uses) if (inRange(u, pos)) return { kind: 'variable', variable: v, range: u, nameRange: variableNameRange(a, v, u), definition: false };
    for (const d of v.definitions) {
      const nameRange = variableNameRange(a, v, d);
      if (inRange(nameRange, pos)) return { kind: 'variable', variable: v, range: d, nameRange, definition: true };
    }
  }
  return undefined;
}
