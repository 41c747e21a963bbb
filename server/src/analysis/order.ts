// Rule-order findings for every chain: rules that can never match because earlier rules already
// decide all their packets (shadowed or redundant), rules after a catch-all, and duplicates.
// Only exact, unconditional, terminating rules count as deciding, so every claim holds for all packets.
import type { Analysis } from '../engine';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { findTarget, STANDARD_TARGETS } from '../knowledge/registry';
import { ruleBox, domainOf } from './match';
import { coveredBy, DIMS, type Box, type Domain } from './space';

export type OrderKind = 'shadowed' | 'redundant' | 'unreachable' | 'duplicate';

export interface OrderFinding {
  kind: OrderKind;
  rule: Rule;
  chain: Chain;
  table: string;
  /** The earlier rules responsible. */
  by: Rule[];
}

/** Targets after which a packet never reaches the next rule of the same chain. */
const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'TPROXY', 'SYNPROXY']);

/** What a rule decides for this chain: a verdict name, or undefined when packets go on. */
export function decision(rule: Rule): string | undefined {
  const t = rule.command.target;
  if (!t || t.nameWord?.symbolic) return undefined;
  if (rule.command.goto) return `goto ${t.name}`;
  if (TERMINAL.has(t.name)) return t.name === 'NFQUEUE' && rule.command.target!.options.some((o) => o.name === 'queue-bypass') ? undefined : t.name;
  return undefined;
}

const cache = new WeakMap<Analysis, OrderFinding[]>();

export function orderFindings(analysis: Analysis): OrderFinding[] {
  let found = cache.get(analysis);
  if (!found) {
    found = [];
    for (const f of analysis.families) found.push(...rulesetOrder(analysis.rulesets[f]));
    cache.set(analysis, found);
  }
  return found;
}

export function rulesetOrder(rs: Ruleset): OrderFinding[] {
  const out: OrderFinding[] = [];
  const domain = domainOf(rs);
  for (const table of rs.tables.values()) for (const chain of table.chains.values()) out.push(...chainOrder(chain, table.name, domain));
  return out;
}

/** Work budget per chain (box operations); a chain past it is skipped rather than half-judged. */
const CHAIN_BUDGET = 2_000_000;

function chainOrder(chain: Chain, table: string, domain: Domain): OrderFinding[] {
  const out: OrderFinding[] = [];
  const deciding: { rule: Rule; box: Box; verdict: string }[] = [];
  const seen = new Map<string, Rule>();
  let catchAll: Rule | undefined;
  let work = 0;
  for (const rule of chain.rules) {
    if (rule.command.invalid) continue;
    const spec = rule.spec;
    if (catchAll) { out.push({ kind: 'unreachable', rule, chain, table, by: [catchAll] }); continue; }
    const earlier = seen.get(spec);
    if (earlier && !rule.conditional && !earlier.conditional && !rule.command.symbolic) {
      out.push({ kind: 'duplicate', rule, chain, table, by: [earlier] });
      continue;
    }
    if (!earlier) seen.set(spec, rule);
    const { box, exact } = ruleBox(rule, domain);
    const verdict = decision(rule);
    if (deciding.length && work < CHAIN_BUDGET) {
      const candidates = deciding.filter((d) => overlaps(d.box, box));
      work += deciding.length + candidates.length * 16;
      const res = candidates.length ? coveredBy(box, candidates.map((d) => d.box)) : undefined;
      if (res?.covered) {
        const by = res.used.map((k) => candidates[k]);
        const same = verdict !== undefined && by.every((d) => d.verdict === verdict);
        out.push({ kind: same ? 'redundant' : 'shadowed', rule, chain, table, by: by.map((d) => d.rule) });
        continue;
      }
    }
    if (verdict && exact && !rule.conditional) {
      deciding.push({ rule, box, verdict });
      if (isFull(box, domain)) catchAll = rule;
    }
  }
  return out;
}

function overlaps(a: Box, b: Box): boolean {
  for (const d of DIMS) if (a[d].intersect(b[d]).isEmpty) return false;
  return true;
}

function isFull(box: Box, domain: Domain): boolean {
  return DIMS.every((d) => box[d].equals(domain.full(d)));
}

export const isStandardOrExtensionTarget = (name: string, family: 4 | 6) => (STANDARD_TARGETS as readonly string[]).includes(name) || !!findTarget(name, family);
