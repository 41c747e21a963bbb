// Where a command sits in the document, and the rulesets a script may really leave behind.
// Fixes that move or insert lines must only touch commands that run exactly once, at the top
// level of the script: not inside a function body, a loop or a condition.
import type { Analysis, CommandRecord } from '../../engine';
import { rangeKey, type Family, type Position, type Range } from '../../syntax/ast';
import { Ruleset, applyCommand } from '../../model/ruleset';

const inside = (r: Range, outer: Range) => (r.start.line > outer.start.line || (r.start.line === outer.start.line && r.start.character >= outer.start.character))
  && (r.end.line < outer.end.line || (r.end.line === outer.end.line && r.end.character <= outer.end.character));

/** A script command that runs exactly once at the top level: lines can be moved or inserted around it. */
export function isPlainStatement(analysis: Analysis, rec: CommandRecord): boolean {
  if (rec.conditional || rec.fromRestore || analysis.kind !== 'shell') return false;
  const r = rec.command.range;
  if (analysis.shell?.functions.some((f) => inside(r, f.definition))) return false;
  const { runs, lines } = layoutOf(analysis);
  if ((runs.get(rangeKey(r)) ?? 0) > 1) return false; // a loop body
  // Another statement on the same lines (`a && b`, `x; iptables ...`) would move with it.
  const before = lines[r.start.line].slice(0, r.start.character);
  const after = lines[r.end.line].slice(r.end.character);
  return /^\s*$/.test(before) && /^\s*(#.*)?\r?$/.test(after);
}

/** How many commands each source range ran, and the lines: asked for every command of a 10,000-line script. */
const layouts = new WeakMap<Analysis, { runs: Map<string, number>; lines: string[] }>();
function layoutOf(analysis: Analysis): { runs: Map<string, number>; lines: string[] } {
  let layout = layouts.get(analysis);
  if (!layout) {
    const runs = new Map<string, number>();
    for (const x of analysis.commands) { const k = rangeKey(x.command.range); runs.set(k, (runs.get(k) ?? 0) + 1); }
    layouts.set(analysis, (layout = { runs, lines: analysis.text.split('\n') }));
  }
  return layout;
}

export function textOf(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line]?.slice(range.start.character, range.end.character) ?? '';
  const parts = [lines[range.start.line].slice(range.start.character), ...lines.slice(range.start.line + 1, range.end.line), lines[range.end.line].slice(0, range.end.character)];
  return parts.join('\n');
}

export const indentOf = (text: string, line: number) => /^[ \t]*/.exec(text.split('\n')[line] ?? '')![0];
export const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');
export const lineStart = (line: number): Position => ({ line, character: 0 });

/** The program as the script writes it (`iptables`, `$IPT`, `/sbin/iptables`). */
export function programText(analysis: Analysis, rec: CommandRecord): string {
  return rec.program ? textOf(analysis.text, rec.program.range) : rec.command.family === 6 ? 'ip6tables' : 'iptables';
}

/** Replays the script's own commands of one family; undefined when part of it came from a restore. */
export function replay(analysis: Analysis, family: Family, include: (r: CommandRecord) => boolean = () => true): Ruleset | undefined {
  const records = analysis.commands.filter((r) => r.command.family === family);
  if (analysis.kind !== 'shell' || records.some((r) => r.fromRestore)) return undefined;
  const rs = new Ruleset(family);
  for (const r of records) if (include(r)) applyCommand(rs, r.command, [], { conditional: r.conditional });
  return rs;
}

/**
 * The rulesets a document may leave behind: the model (every conditional command run) and, for a
 * script with conditional commands, the one where none of them runs. A check that claims
 * something about the end state claims it only when it holds in every one of them.
 */
export function endStates(analysis: Analysis, family: Family): Ruleset[] {
  const out = [analysis.rulesets[family]];
  if (analysis.commands.some((r) => r.command.family === family && r.conditional)) {
    const none = replay(analysis, family, (r) => !r.conditional);
    if (none) out.push(none);
  }
  return out;
}

const OPAQUE_PROGRAM = /^(?:.*\/)?(?:\.|source|ip6?tables(?:-legacy|-nft)?-restore|iptables-apply|ufw|firewall-cmd|nft|shorewall6?|ferm)$/;

/**
 * Commands that may change the firewall in ways the linter cannot see: sourcing another file,
 * iptables-restore from a file, other firewall tools, an iptables call through an unknown
 * variable. Checks about the end state stay silent when there are any.
 */
export function opaqueChanges(analysis: Analysis): Range[] {
  if (analysis.kind !== 'shell' || !analysis.shell) return [];
  const out: Range[] = [];
  for (const ev of analysis.shell.events) {
    if (ev.kind !== 'command') continue;
    const p = ev.words[0];
    if (!p) continue;
    if (p.symbolic ? /ipt|fw|firewall/i.test(p.text) : OPAQUE_PROGRAM.test(p.text)) out.push(ev.range);
  }
  return out;
}
