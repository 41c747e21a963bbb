// Shared reading of "does this rule let new connections in from outside?" for the IPT3xx checks.
import type { Analysis, CommandRecord } from '../../engine';
import type { IptablesCommand } from '../../syntax/ast';
import type { Chain, Rule, Ruleset } from '../../model/ruleset';
import { facesInbound } from './chains';
import { addsRule, isUnconditional, protocol, sourcePorts, stateLimit } from './rule-facts';
import { endStates } from './script';

/** An ACCEPT in the filter table, on the inbound path, that may accept the first packet of a new connection. */
export function acceptsNewInbound(analysis: Analysis, rec: CommandRecord): boolean {
  const cmd = rec.command;
  if (cmd.invalid || cmd.skipped || !addsRule(cmd) || cmd.table !== 'filter' || cmd.target?.name !== 'ACCEPT' || !cmd.chain) return false;
  if (cmd.chainWord?.symbolic || cmd.target.nameWord?.symbolic) return false;
  if (!facesInbound(analysis.rulesets[cmd.family], cmd.chain)) return false;
  if (!isLive(analysis, rec)) return false;
  const g = cmd.generic;
  if (g.inInterface && !g.inInterface.negated && (g.inInterface.value === 'lo' || g.inInterface.arg.symbolic)) return false;
  if (g.fragment && !g.fragment.negated) return false;
  const st = stateLimit(cmd);
  if (st === null || (st && (st.negated ? st.states.has('NEW') : !st.states.has('NEW')))) return false;
  if (protocol(cmd) === 'tcp' && !mayOpen(cmd)) return false;
  return true;
}

const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT']);
/**
 * A script command is known by where it was written (a loop runs it several times, each run its
 * own command object); in a save file each line is one command, so the object itself will do.
 */
const keyOf = (analysis: Analysis) => (analysis.kind === 'save' ? (cmd: IptablesCommand) => cmd : rangeKey);
const rangeKey = (cmd: IptablesCommand): string | IptablesCommand => `${cmd.family}:${cmd.range.start.line}:${cmd.range.start.character}`;
const liveCache = new WeakMap<Analysis, Map<string, Set<string | IptablesCommand>>>();

/**
 * Does the rule this command wrote still take part in some end state of the document? Not when a
 * later flush or delete removed it (in every end state), nor when it sits below an unconditional
 * ACCEPT/DROP/REJECT of its chain, where no packet reaches it. Loop and function bodies count as
 * live when any of their runs is. Worked out per table, for the tables asked about (the checks
 * ask about filter rules: a kube-proxy nat table of 50,000 rules is never walked).
 */
export function isLive(analysis: Analysis, rec: CommandRecord): boolean {
  const key = keyOf(analysis);
  let byTable = liveCache.get(analysis);
  if (!byTable) liveCache.set(analysis, (byTable = new Map()));
  const table = rec.command.table;
  let live = byTable.get(table);
  if (!live) {
    live = new Set();
    for (const family of analysis.families) {
      for (const rs of endStates(analysis, family)) {
        for (const c of rs.tables.get(table)?.chains.values() ?? []) {
          for (const r of c.rules) {
            live.add(key(r.command));
            if (!r.conditional && TERMINAL.has(r.command.target?.name ?? '') && !r.command.target?.nameWord?.symbolic && !r.command.symbolic && isUnconditional(r.command)) break;
          }
        }
      }
    }
    byTable.set(table, live);
  }
  return live.has(key(rec.command));
}

/** A TCP rule whose flag test excludes the opening SYN (`! --syn`, ACK required) cannot start a connection. */
function mayOpen(cmd: IptablesCommand): boolean {
  for (const m of cmd.matches) {
    for (const o of m.options) {
      if (o.name === 'syn') return !o.negated;
      if (o.name === 'tcp-flags') {
        const v = o.value as { mask?: number; comp?: number } | undefined;
        if (!v || typeof v.mask !== 'number' || typeof v.comp !== 'number') return true;
        return ((0x02 & v.mask) === v.comp) !== o.negated;
      }
    }
  }
  return true;
}

/** Limited by source port: typically the stateless acceptance of answers (`--sport 53`), not a service. */
export const limitedBySourcePort = (cmd: IptablesCommand) => sourcePorts(cmd) !== undefined;

/** One finding per source command, even when a loop or an address list made it run several times. */
const uniqueCache = new WeakMap<Analysis, CommandRecord[]>();

export function uniqueCommands(analysis: Analysis): CommandRecord[] {
  const hit = uniqueCache.get(analysis);
  if (hit) return hit;
  // A save file has one command per line: nothing repeats.
  if (analysis.kind === 'save') { uniqueCache.set(analysis, analysis.commands); return analysis.commands; }
  const seen = new Set<string>();
  const out = analysis.commands.filter((r) => {
    const k = `${r.command.range.start.line}:${r.command.range.start.character}:${r.command.family}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  uniqueCache.set(analysis, out);
  return out;
}

/**
 * A user chain that every jump reaches only from a given interface or source (`-i wan0 -j ...`,
 * `-s 10.0.0.0/8 -j ...`): what it accepts is not open to "any address", as far as we can tell.
 */
export function reachedOnlyFromSome(rs: Ruleset, table: string, chain: string): boolean {
  let memo = onlyFromSomeCache.get(rs);
  if (!memo) onlyFromSomeCache.set(rs, (memo = new Map()));
  const key = `${table} ${chain}`;
  let known = memo.get(key);
  if (known === undefined) memo.set(key, (known = walkCallers(rs, table, chain, jumpsInto(rs, table), new Set())));
  return known;
}
const onlyFromSomeCache = new WeakMap<Ruleset, Map<string, boolean>>();

function walkCallers(rs: Ruleset, table: string, chain: string, jumps: Map<string, { holder: Chain; rule: Rule }[]>, seen: Set<string>): boolean {
  if (rs.chain(table, chain)?.builtin !== false || seen.has(chain)) return false;
  seen.add(chain);
  let any = false;
  for (const { holder, rule } of jumps.get(chain) ?? []) {
    any = true;
    const g = rule.command.generic;
    if ((g.inInterface && !g.inInterface.negated) || (g.source && !g.source.negated && !/^(0\.0\.0\.0|::)\/0$/.test(g.source.value))) continue;
    if (!walkCallers(rs, table, holder.name, jumps, seen)) return false;
  }
  return any;
}

/**
 * The rules of a table that jump (or go) to each chain, in table order: found once per ruleset
 * (asked for every rule along a chain of jumps, a scan of the table each time was cubic).
 */
function jumpsInto(rs: Ruleset, table: string): Map<string, { holder: Chain; rule: Rule }[]> {
  let byTable = jumpCache.get(rs);
  if (!byTable) jumpCache.set(rs, (byTable = new Map()));
  let jumps = byTable.get(table);
  if (!jumps) {
    jumps = new Map();
    for (const holder of rs.tables.get(table)?.chains.values() ?? []) {
      for (const rule of holder.rules) {
        const target = rule.command.target?.name;
        if (target === undefined) continue;
        const list = jumps.get(target);
        if (list) list.push({ holder, rule }); else jumps.set(target, [{ holder, rule }]);
      }
    }
    byTable.set(table, jumps);
  }
  return jumps;
}
const jumpCache = new WeakMap<Ruleset, Map<string, Map<string, { holder: Chain; rule: Rule }[]>>>();
