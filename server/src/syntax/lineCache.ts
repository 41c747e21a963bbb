// Re-parsing a 70,000-line save file after a one-character edit is wasted work: every other
// line parses to the same command. The language server keeps one LineCache per document and the
// save-file parser takes each unchanged chain or rule line from it, moved to its new line number.
import type { Position, Problem, Range, Word } from './ast';
import type { SaveEntry } from './saveFile';
import { LineWord } from './words';

export interface CachedLine {
  /** Document line it was parsed on (its ranges say so). */
  line: number;
  /** The table the line was in (the only other thing its parse depends on, with the family). */
  table: string;
  /** The line as written. */
  raw: string;
  /** A `:CHAIN` or rule entry (table and COMMIT lines change the parser's state: always read). */
  entry: SaveEntry;
  /** The line's own problems: word splitting and the command grammar. */
  problems: Problem[];
}

/**
 * A copy of a line that does not share the document's memory. Words are slices of their line: a
 * cached line parsed from a slice would keep that whole version of the document alive (10 MB on a
 * 70,000-line file) for as long as the line stays unchanged, one more version per edit.
 */
export function detached(line: string): string {
  return (' ' + line).slice(1);
}

/**
 * Two generations: a parse takes entries from the previous one and keeps what it used (or made) for
 * the next, so lines that disappeared are dropped after one parse. Unchanged lines are found by
 * position: the lines before the first changed one and after the last changed one (compared as
 * whole lines, which is cheaper than hashing 10 MB of text); lines in between are looked up by text.
 * An entry is handed out once per parse: two identical lines never share one command object.
 */
export class LineCache {
  private previous: (CachedLine | undefined)[] = [];
  private next: (CachedLine | undefined)[] = [];
  private previousLines: string[] = [];
  private head = 0;
  private tail = 0;
  private shift = 0;
  private middle?: Map<string, CachedLine[]>;
  private family?: number;
  hits = 0;
  misses = 0;

  /** Starts a parse of a whole document whose lines are `lines`. */
  begin(lines: string[], family: number): void {
    if (family !== this.family) { this.next = []; this.previousLines = []; this.family = family; }
    const old = this.previousLines;
    this.previous = this.next;
    this.next = [];
    this.previousLines = lines;
    this.middle = undefined;
    this.hits = this.misses = 0;
    const most = Math.min(old.length, lines.length);
    let head = 0;
    while (head < most && old[head] === lines[head]) head++;
    let tail = 0;
    while (tail < most - head && old[old.length - 1 - tail] === lines[lines.length - 1 - tail]) tail++;
    this.head = head;
    this.tail = lines.length - tail; // first line of the unchanged end
    this.shift = old.length - lines.length;
  }

  /** The cached parse of `raw` in `table`, moved to `line`, or undefined. */
  take(line: number, table: string, raw: string): CachedLine | undefined {
    let hit: CachedLine | undefined;
    const before = line < this.head ? line : line >= this.tail ? line + this.shift : -1;
    if (before >= 0) {
      const e = this.previous[before];
      if (e && e.raw === raw && e.table === table) { hit = e; this.previous[before] = undefined; }
    } else {
      const list = this.middleEntries().get(raw);
      const at = list ? list.findIndex((e) => e.table === table && this.previous[e.line] === e) : -1;
      if (at >= 0) { hit = list![at]; list!.splice(at, 1); this.previous[hit.line] = undefined; }
    }
    if (!hit) { this.misses++; return undefined; }
    if (hit.line !== line) relocate(hit, line);
    this.next[line] = hit;
    this.hits++;
    return hit;
  }

  put(entry: CachedLine): void {
    this.next[entry.line] = entry;
  }

  /** Entries of the changed part of the previous document, by line text (built on first need). */
  private middleEntries(): Map<string, CachedLine[]> {
    if (this.middle) return this.middle;
    this.middle = new Map();
    const end = this.tail + this.shift;
    for (let k = this.head; k < end; k++) {
      const e = this.previous[k];
      if (!e) continue;
      const list = this.middle.get(e.raw);
      if (list) list.push(e); else this.middle.set(e.raw, [e]);
    }
    return this.middle;
  }
}

/**
 * Moves a cached line's ranges, words and problems to another line. Inserting a line in the middle
 * of a 70,000-line file moves 35,000 lines: the common case (a rule without problems) allocates nothing.
 */
function relocate(cached: CachedLine, line: number): void {
  delta = line - cached.line;
  cached.line = line;
  moved.length = 0;
  const e = cached.entry;
  move(e.range);
  if (e.kind === 'chain') { move(e.nameRange); move(e.policyRange); }
  if (e.kind === 'rule') {
    const c = e.command;
    move(c.range);
    // Every word of the line is in c.words; option arguments are the same objects, except an
    // inline `--opt=value` argument, a plain Word with a Range of its own.
    for (const w of c.words) if (w instanceof LineWord) w.line += delta;
    for (const m of c.matches) moveInlineArgs(m.options);
    if (c.target) moveInlineArgs(c.target.options);
    const g = c.generic;
    moveInline(g.source?.arg); moveInline(g.destination?.arg); moveInline(g.protocol?.arg);
    moveInline(g.inInterface?.arg); moveInline(g.outInterface?.arg);
  }
  for (const p of cached.problems) {
    move(p.range);
    for (const f of p.fixes ?? []) for (const x of f.edits) move(x.range);
    for (const r of p.related ?? []) move(r.range);
  }
}

// State of the relocate() in progress (module-level: no closure per line).
let delta = 0;
/** Ranges may share Position objects (rangeOf reuses them): each is moved once. */
const moved: Position[] = [];

function move(r: Range | undefined): void {
  if (!r) return;
  if (!moved.includes(r.start)) { moved.push(r.start); r.start.line += delta; }
  if (!moved.includes(r.end)) { moved.push(r.end); r.end.line += delta; }
}

function moveInline(w: Word | undefined): void {
  if (w && !(w instanceof LineWord)) move(w.range);
}

function moveInlineArgs(options: { args: Word[] }[]): void {
  for (const o of options) for (const a of o.args) moveInline(a);
}
