// Which built-in chains lead to a chain (through jumps and gotos), and the chain a rule is in.
import type { Rule, Ruleset } from '../../model/ruleset';

/** Per ruleset and table: the chains holding a jump to each chain (computed once; checks run on a finished model). */
const callersCache = new WeakMap<Ruleset, Map<string, Map<string, Set<string>>>>();

function callers(rs: Ruleset, table: string): Map<string, Set<string>> {
  let byTable = callersCache.get(rs);
  if (!byTable) callersCache.set(rs, (byTable = new Map()));
  let map = byTable.get(table);
  if (map) return map;
  map = new Map();
  for (const c of rs.tables.get(table)?.chains.values() ?? []) {
    for (const r of c.rules) {
      const target = r.command.target?.name;
      if (!target) continue;
      if (!map.has(target)) map.set(target, new Set());
      map.get(target)!.add(c.name);
    }
  }
  byTable.set(table, map);
  return map;
}

/** The built-in chains of `table` from which `chain` can be reached (itself when built-in). */
export function entryChains(rs: Ruleset, table: string, chain: string): Set<string> {
  const t = rs.tables.get(table);
  const out = new Set<string>();
  if (!t) return out;
  const from = callers(rs, table);
  const seen = new Set<string>();
  const todo = [chain];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (t.chains.get(name)?.builtin) out.add(name);
    for (const c of from.get(name) ?? []) todo.push(c);
  }
  return out;
}

/** The chain (name) holding each rule of a table. */
export function chainOfRule(rs: Ruleset, table: string): Map<Rule, string> {
  const map = new Map<Rule, string>();
  for (const c of rs.tables.get(table)?.chains.values() ?? []) for (const r of c.rules) map.set(r, c.name);
  return map;
}

const inboundCache = new WeakMap<Ruleset, Map<string, boolean>>();

/** Is `chain` of the filter table on the way of traffic coming in from outside (INPUT or FORWARD)? */
export function facesInbound(rs: Ruleset, chain: string): boolean {
  let memo = inboundCache.get(rs);
  if (!memo) inboundCache.set(rs, (memo = new Map()));
  let v = memo.get(chain);
  if (v === undefined) memo.set(chain, (v = computeFacesInbound(rs, chain)));
  return v;
}

function computeFacesInbound(rs: Ruleset, chain: string): boolean {
  if (chain === 'INPUT' || chain === 'FORWARD') return true;
  if (chain === 'OUTPUT') return false;
  const reach = reachableFrom(rs, 'filter', ['INPUT', 'FORWARD']);
  if (reach.has(chain)) return true;
  const entries = entryChains(rs, 'filter', chain);
  // A chain nothing reaches is used by no packet, unless a jump names its target with a variable.
  return entries.size === 0 && [...(rs.tables.get('filter')?.chains.values() ?? [])].some((c) => c.rules.some((r) => r.command.target?.nameWord?.symbolic));
}

const reachCache = new WeakMap<Ruleset, Map<string, Set<string>>>();

/** Every chain of `table` that packets entering at `from` may visit (jumps and gotos followed). */
export function reachableFrom(rs: Ruleset, table: string, from: string[]): Set<string> {
  let memo = reachCache.get(rs);
  if (!memo) reachCache.set(rs, (memo = new Map()));
  const key = `${table} ${from.join(',')}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const t = rs.tables.get(table);
  const out = new Set<string>();
  const todo = [...from];
  while (todo.length) {
    const name = todo.pop()!;
    if (out.has(name)) continue;
    out.add(name);
    for (const r of t?.chains.get(name)?.rules ?? []) {
      const target = r.command.target?.name;
      if (target && t!.chains.has(target) && !out.has(target)) todo.push(target);
    }
  }
  memo.set(key, out);
  return out;
}
