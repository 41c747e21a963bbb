// Turns rule-order findings into check findings, and builds the fixes that move or delete a rule.
// One finding per source command: a command that made several rules (`-s a,b`, a loop body, a
// function called twice) is reported only when every one of its rules is found, so a claim such
// as "this rule never applies" is true of the line it is shown on.
import { loc, rangeKey, writtenCommand, type Fix, type IptablesCommand, type Localized, type Range } from '../../syntax/ast';
import type { Analysis, CommandRecord } from '../../engine';
import type { Rule } from '../../model/ruleset';
import { orderFindings, type OrderFinding, type OrderKind } from '../../analysis/order';
import { isOpaque } from '../../analysis/order-trust';
import { Parser } from '../../syntax/shell/parser';
import { newBudget } from '../../syntax/shell/lexer';
import { LineIndex } from '../../syntax/shell/positions';
import type { Finding } from '../types';
import { moveLinesFix } from './edits';
import { isPlainStatement } from './script';

/** The findings about one source command. */
export interface OrderGroup {
  kind: OrderKind;
  command: IptablesCommand;
  findings: OrderFinding[];
  /** The rules responsible, in chain order (for a single finding), without repeats. */
  by: Rule[];
  /** For IPT402: one earlier rule that alone matches every packet of the command's only rule, if any
   * (shown instead of every rule that takes some of its packets first). */
  single?: Rule;
}

const groupCache = new WeakMap<Analysis, OrderGroup[]>();

export function orderGroups(analysis: Analysis): OrderGroup[] {
  const cached = groupCache.get(analysis);
  if (cached) return cached;
  const found = orderFindings(analysis);
  const out: OrderGroup[] = [];
  if (found.length) {
    const byRange = new Map<string, OrderFinding[]>();
    for (const f of found) {
      const k = rangeKey(f.rule.command.range);
      const list = byRange.get(k);
      if (list) list.push(f); else byRange.set(k, [f]);
    }
    // How many rules of the final rulesets each source range made.
    const made = new Map<string, number>();
    for (const fam of analysis.families) for (const t of analysis.rulesets[fam].tables.values()) for (const c of t.chains.values()) {
      for (const r of c.rules) {
        const k = rangeKey(r.command.range);
        if (byRange.has(k)) made.set(k, (made.get(k) ?? 0) + 1);
      }
    }
    for (const [k, all] of byRange) {
      if (all.length !== made.get(k)) continue;
      const fs = all.filter((f) => f.kind !== 'vacuous');
      if (!fs.length) continue;
      const kinds = new Set(fs.map((f) => f.kind as OrderKind));
      let kind: OrderKind = kinds.size === 1 ? [...kinds][0] : kinds.has('shadowed') || kinds.has('unreachable') ? 'shadowed' : 'redundant';
      // "Duplicate of line N" is about the text: a line that also made rules matching nothing or
      // decided by other rules, or whose rules copy those of several lines, is not one. Its packets
      // are decided first by the copies and by the rules that take some of their packets before them:
      // redundant when all of those share its verdict, shadowed when some do not. No claim when that
      // is not known (a copy that does not end the chain, or that the analysis cannot read exactly).
      let by: Rule[] | undefined;
      if (kinds.has('duplicate') && (kinds.size > 1 || fs.length !== all.length || new Set(fs.map((f) => rangeKey(f.by[0].command.range))).size > 1)) {
        const resolved = fs.map(decidersOf);
        if (resolved.some((d) => d === undefined)) continue;
        kind = resolved.every((d) => d!.sameVerdict) ? 'redundant' : 'shadowed';
        // In chain order, as the findings list them (the fix moves a rule above the first).
        const position = new Map(fs[0].chain.rules.map((r, i) => [r, i]));
        by = [...new Set(resolved.flatMap((d) => d!.rules))].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
      }
      const single = by === undefined && fs.length === 1 && kind === 'redundant' ? fs[0].single : undefined;
      by ??= [...new Set(fs.flatMap((f) => f.by))];
      // A shadowed rule names every rule that decides some of its packets first: the fix moves it above the first of those.
      out.push({ kind, command: fs[0].rule.command, findings: fs, by, single });
    }
    out.sort((a, b) => a.command.range.start.line - b.command.range.start.line || a.command.range.start.character - b.command.range.start.character);
  }
  groupCache.set(analysis, out);
  return out;
}

/**
 * The rules that decide first the packets of a rule with a finding, and whether they all do so with
 * the rule's own verdict; undefined when that is not known for sure (a copy of a rule that does not
 * end the chain or that the analysis cannot read exactly, a rule that matches nothing).
 */
function decidersOf(f: OrderFinding): { rules: Rule[]; sameVerdict: boolean } | undefined {
  switch (f.kind) {
    case 'redundant': return { rules: f.by, sameVerdict: true };
    case 'shadowed': case 'unreachable': return { rules: f.by, sameVerdict: false };
    case 'duplicate': return f.decidedBy;
    case 'vacuous': return undefined; // matches nothing at all: not a question of order
  }
}

export function orderCheck(analysis: Analysis, kind: OrderKind, describe: (g: OrderGroup) => { message: Localized; related: Localized }, extra?: (g: OrderGroup) => Partial<Finding>): Finding[] {
  const out: Finding[] = [];
  for (const g of orderGroups(analysis)) {
    if (g.kind !== kind) continue;
    const d = describe(g);
    const shown = g.single ? [g.single] : g.by;
    out.push({
      range: g.command.range,
      message: d.message,
      related: shown.slice(0, 5).map((r) => ({ range: r.command.range, message: d.related })),
      ...extra?.(g),
    });
  }
  return out;
}

/** 1-based line of the first responsible rule. */
export const lineOf = (g: OrderGroup) => (g.single ?? g.by[0]).command.range.start.line + 1;

/** The 1-based lines of the responsible rules (the one that alone covers, when there is one), at most 8. */
export function linesOf(g: OrderGroup): string {
  const lines = [...new Set((g.single ? [g.single] : g.by).map((r) => r.command.range.start.line + 1))];
  return lines.length > 8 ? `${lines.slice(0, 8).join(', ')} (+${lines.length - 8})` : lines.join(', ');
}

// ---- fixes

const recordCache = new WeakMap<Analysis, Map<IptablesCommand, { rec: CommandRecord; index: number }>>();
function recordOf(analysis: Analysis, cmd: IptablesCommand): { rec: CommandRecord; index: number } | undefined {
  let m = recordCache.get(analysis);
  if (!m) {
    m = new Map();
    analysis.commands.forEach((rec, index) => { if (!m!.has(rec.command)) m!.set(rec.command, { rec, index }); });
    recordCache.set(analysis, m);
  }
  return m.get(writtenCommand(cmd));
}

const startCache = new WeakMap<Analysis, Map<number, number>>();
/** The command is the only one starting on its line (not a loop body, not a function called twice, not `a; b`). */
function soleRecord(analysis: Analysis, cmd: IptablesCommand): boolean {
  let m = startCache.get(analysis);
  if (!m) {
    m = new Map();
    for (const c of analysis.commands) m.set(c.command.range.start.line, (m.get(c.command.range.start.line) ?? 0) + 1);
    startCache.set(analysis, m);
  }
  return m.get(cmd.range.start.line) === 1;
}

const linesCache = new WeakMap<Analysis, string[]>();
function linesOfText(analysis: Analysis): string[] {
  let l = linesCache.get(analysis);
  if (!l) { l = analysis.text.split('\n'); linesCache.set(analysis, l); }
  return l;
}

const topCache = new WeakMap<Analysis, Set<number>>();
/** Start lines of the simple commands at the top level of a script (not inside if, case, a loop, a function, a group). */
function topLevelLines(analysis: Analysis): Set<number> {
  let s = topCache.get(analysis);
  if (!s) {
    s = new Set();
    try {
      const text = analysis.text;
      const col = { src: text, budget: newBudget(text.length), problems: [], uses: [], defs: [], comments: [], funcs: [], commandNames: [], simpleCount: 0 };
      const root = new Parser(col).parseScript(text, 0);
      const lines = new LineIndex(text);
      for (const n of root.items) if (n.t === 'simple') s.add(lines.position(n.start).line);
    } catch { /* no fix then */ }
    topCache.set(analysis, s);
  }
  return s;
}

/** A script command that runs once, unconditionally, at the top level, on lines of its own. */
function movable(analysis: Analysis, rec: CommandRecord): boolean {
  return isPlainStatement(analysis, rec) && topLevelLines(analysis).has(rec.command.range.start.line);
}

const touches = (c: IptablesCommand, like: IptablesCommand) =>
  c.family === like.family && (c.tableWord?.symbolic || c.chainWord?.symbolic || (c.table === like.table && (!c.chain || c.chain === like.chain)));

/**
 * Moves the command of `rule` (with its comment block) above the command of `anchor` (and the
 * comment block above that), when this certainly puts the rule just before the anchor in its
 * chain and changes nothing else: both are `-A` commands written on lines of their own in the
 * same save document (or restore heredoc), or plain top-level script statements with only `-A`
 * to that chain between them, no variable the rule uses assigned in between, and the chain the
 * rule jumps to already created.
 */
export function moveRuleFix(analysis: Analysis, rule: Rule, anchor: Rule, title: Localized): Fix | undefined {
  const r = recordOf(analysis, rule.command), a = recordOf(analysis, anchor.command);
  if (!r || !a || r.rec.command.op !== 'A' || a.rec.command.op !== 'A') return undefined;
  const rr = rule.command.range, ar = anchor.command.range;
  if (ar.end.line >= rr.start.line || !soleRecord(analysis, rule.command) || !soleRecord(analysis, anchor.command)) return undefined;
  if (r.rec.fromRestore || a.rec.fromRestore) {
    // Both lines of one restore document: a save file, or the same heredoc.
    if (!r.rec.fromRestore || !a.rec.fromRestore || r.rec.program !== a.rec.program) return undefined;
    if (!lineAlone(linesOfText(analysis), rr) || !lineAlone(linesOfText(analysis), ar)) return undefined;
  } else {
    if (!movable(analysis, r.rec) || !movable(analysis, a.rec) || a.index > r.index) return undefined;
    for (let k = a.index + 1; k < r.index; k++) {
      const c = analysis.commands[k].command;
      if (touches(c, rule.command) && (c.op !== 'A' || analysis.commands[k].fromRestore)) return undefined;
    }
    if (opaqueBetween(analysis, ar, rr)) return undefined;
    if (assignedBetween(analysis, ar, rr)) return undefined;
    const target = rule.command.target?.name;
    const chain = target && analysis.rulesets[rule.command.family].tables.get(rule.command.table)?.chains.get(target);
    if (chain && !chain.builtin) {
      const created = analysis.commands.findIndex((c) => c.command.op === 'N' && c.command.chain === target && c.command.table === rule.command.table && c.command.family === rule.command.family);
      if (created < 0 || created > a.index) return undefined;
    }
  }
  return moveLinesFix(analysis.text, rr.start.line, rr.end.line, commentBlockStart(analysis.text, ar.start.line), title);
}

/**
 * Deletes the command of a rule that never decides anything, when no later command depends on
 * the positions of the rules of its chain (numbered -I/-R/-D, or a -D by specification).
 */
export function deleteRuleFix(analysis: Analysis, cmd: IptablesCommand, title: Localized): Fix[] | undefined {
  const r = recordOf(analysis, cmd);
  if (!r || !soleRecord(analysis, cmd)) return undefined;
  if (analysis.kind === 'shell' && !r.rec.fromRestore && !movable(analysis, r.rec)) return undefined;
  if (lastNumbered(analysis, cmd) > r.index) return undefined;
  // The command's lines go, when nothing else is written on them (a program word or `sudo` before
  // it, a comment after it are fine).
  const lines = linesOfText(analysis);
  const start = cmd.range.start.line, end = cmd.range.end.line;
  const before = lines[start].slice(0, cmd.range.start.character), after = lines[end].slice(cmd.range.end.character);
  if (before.trim() !== '' && !/^\s*(sudo\s+)?\S*$/.test(before)) return undefined;
  if (after.trim() !== '' && !after.trim().startsWith('#')) return undefined;
  const to = end + 1 < lines.length ? { line: end + 1, character: 0 } : { line: end, character: lines[end].length };
  return [{ title, edits: [{ range: { start: { line: start, character: 0 }, end: to }, newText: '' }], preferred: true }];
}

const numberedCache = new WeakMap<Analysis, { byChain: Map<string, number>; anyChain: number }>();
/** The index of the last command that picks rules of cmd's chain by number or by specification (-1: none). */
function lastNumbered(analysis: Analysis, cmd: IptablesCommand): number {
  let n = numberedCache.get(analysis);
  if (!n) {
    n = { byChain: new Map(), anyChain: -1 };
    analysis.commands.forEach(({ command: c }, k) => {
      if (!(c.op === 'D' || c.op === 'R' || (c.op === 'I' && (c.ruleNum ?? 1) > 1))) return;
      if (c.tableWord?.symbolic || c.chainWord?.symbolic || !c.chain) n!.anyChain = k;
      else n!.byChain.set(`${c.family}|${c.table}|${c.chain}`, k);
    });
    numberedCache.set(analysis, n);
  }
  return Math.max(n.anyChain, n.byChain.get(`${cmd.family}|${cmd.table}|${cmd.chain}`) ?? -1);
}

function lineAlone(lines: string[], r: Range): boolean {
  return lines[r.start.line].slice(0, r.start.character).trim() === '' && /^\s*(#.*)?\r?$/.test(lines[r.end.line].slice(r.end.character));
}

/** The first line of the comment lines directly above `line` (the line itself when there are none). */
function commentBlockStart(text: string, line: number): number {
  const lines = text.split('\n', line + 1);
  let start = line;
  while (start > 0 && /^\s*#/.test(lines[start - 1]) && !/^#!/.test(lines[start - 1])) start--;
  return start;
}

const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character < b.character);

function opaqueBetween(analysis: Analysis, from: Range, to: Range): boolean {
  return (analysis.shell?.events ?? []).some((ev) => isOpaque(ev) && before(from.start, ev.range.start) && before(ev.range.start, to.start));
}

/** Some variable the command at `to` reads is assigned between `from` and `to`. */
function assignedBetween(analysis: Analysis, from: Range, to: Range): boolean {
  const inside = (r: Range) => !before(r.start, to.start) && !before(to.end, r.end);
  return (analysis.shell?.variables ?? []).some((v) => v.uses.some(inside) && v.definitions.some((d) => before(from.start, d.start) && before(d.start, to.start)));
}

export { loc };
