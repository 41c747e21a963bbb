// Rule-order findings for every chain: rules that can never match because earlier rules already
// decide all their packets (shadowed or redundant), rules after a catch-all, and duplicates.
// Every claim holds for all packets: only exact, unconditional, terminating rules count as
// deciding, a rule that changes header fields the analysis reads (CT, NOTRACK, DNPT, SNPT) ends
// what earlier rules can prove about later ones, and work past a budget is skipped, not guessed.
import type { Analysis } from '../engine';
import type { Family, IptablesCommand } from '../syntax/ast';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { findTarget, STANDARD_TARGETS } from '../knowledge/registry';
import { ruleBox, domainOf } from './match';
import { coveredBy, boxInside, type Box, type Cover, type Domain } from './space';
import { TRUST_ALL, trustOf, type Trust } from './order-trust';
import { chainEffects, isImpure, isRepeatHarmless, matchesArePure, mutatesFields, type ChainEffects } from './order-effects';

export type OrderKind = 'shadowed' | 'redundant' | 'unreachable' | 'duplicate';

export interface OrderFinding {
  kind: OrderKind;
  rule: Rule;
  chain: Chain;
  table: string;
  family: Family;
  /** The earlier rules responsible (for shadowed/redundant: every rule that is the first match of some of its packets). */
  by: Rule[];
  /** For shadowed/redundant: one earlier rule that alone matches every packet of this rule, if any. */
  single?: Rule;
}

/** Targets after which a packet never reaches the next rule of the same chain. SYNPROXY is not one:
 * it lets packets other than a bare SYN or ACK go on. NFQUEUE is, even with --queue-bypass (then it accepts). */
const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'TPROXY']);

/** What a rule decides for this chain: a verdict name (`goto X` for -g), or undefined when packets go on. */
export function decision(rule: Rule): string | undefined {
  const t = rule.command.target;
  if (!t || t.nameWord?.symbolic) return undefined;
  if (rule.command.goto) return `goto ${t.name}`;
  return TERMINAL.has(t.name) ? t.name : undefined;
}

const DEFAULT_REJECT: Record<Family, string> = { 4: 'icmp-port-unreachable', 6: 'icmp6-port-unreachable' };
let unknownVerdicts = 0;

/** The verdict with its options: two rules have the same effect only when these are equal. */
export function verdictKey(rule: Rule): string | undefined {
  const d = decision(rule);
  const t = rule.command.target;
  if (!d || !t) return d;
  const opts = t.options.map((o) => {
    if (o.args.some((a) => a.symbolic)) return `?${++unknownVerdicts}`; // unknown value: equal to nothing
    return `${o.negated ? '! ' : ''}--${o.name} ${o.args.map((a) => a.text).join(' ')}`;
  });
  if (t.name === 'REJECT' && !t.options.some((o) => o.name === 'reject-with')) opts.push(`--reject-with ${DEFAULT_REJECT[rule.command.family]}`);
  return [d, ...opts.sort()].join(' ');
}

const cache = new WeakMap<Analysis, OrderFinding[]>();

export function orderFindings(analysis: Analysis): OrderFinding[] {
  let found = cache.get(analysis);
  if (!found) {
    found = [];
    for (const f of analysis.families) found.push(...rulesetOrder(analysis.rulesets[f], trustOf(analysis, f)));
    cache.set(analysis, found);
  }
  return found;
}

export function rulesetOrder(rs: Ruleset, trust: Trust = TRUST_ALL): OrderFinding[] {
  const out: OrderFinding[] = [];
  const domain = domainOf(rs);
  for (const table of rs.tables.values()) {
    const effects = chainEffects(table);
    for (const chain of table.chains.values()) chainOrder(chain, table.name, { domain, trust, effects, family: rs.family }, out);
  }
  return out;
}

/** Work budgets (intervals compared): per question, and per chain. Past them: no claim. */
const RULE_BUDGET = 200_000;
const CHAIN_BUDGET = 5_000_000;

interface Ctx { domain: Domain; trust: Trust; effects: ChainEffects; family: Family }

interface Decider { rule: Rule; verdict: string; cover?: Cover }

function chainOrder(chain: Chain, table: string, ctx: Ctx, out: OrderFinding[]): void {
  const rules = chain.rules;
  if (rules.length < 2) return;
  const { domain, trust } = ctx;
  const found = (kind: OrderKind, rule: Rule, by: Rule[], single?: Rule) => out.push({ kind, rule, chain, table, family: ctx.family, by, single });
  const coverOf = (d: Decider): Cover => (d.cover ??= prepared(ruleBox(d.rule, domain).box, domain));
  let deciding: Decider[] = [];
  let catchAll: Rule | undefined;
  // Duplicates: the latest trusted rule of each shape, and the last rule that may change what matches read.
  const shapes = new Map<string, { rule: Rule; index: number }>();
  let lastImpure = -1;
  let work = CHAIN_BUDGET;

  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const cmd = rule.command;
    const claimable = trust.placed(rule);
    const reliable = claimable && trust.stable(rule) && !rule.conditional;
    if (catchAll) { if (claimable) found('unreachable', rule, [catchAll]); continue; }

    const verdict = verdictKey(rule);
    const pure = matchesArePure(cmd);
    const key = pure && !cmd.symbolic ? shapeKey(rule) : undefined;
    if (key !== undefined && claimable && !rule.conditional) {
      const earlier = shapes.get(key);
      if (earlier && earlier.index >= lastImpure && (decision(earlier.rule) !== undefined || isRepeatHarmless(cmd, ctx.effects))) {
        found('duplicate', rule, [earlier.rule]);
        continue;
      }
    }
    if (key !== undefined && reliable) shapes.set(key, { rule, index: i });

    let box: Box | undefined;
    if (claimable && deciding.length && work > 0) {
      box = ruleBox(rule, domain).box;
      const hit = coverage(box, deciding, coverOf, Math.min(RULE_BUDGET, work));
      work -= hit.spent;
      if (hit.by) {
        const same = verdict !== undefined && hit.by.every((d) => d.verdict === verdict);
        const single = hit.single && (!same || hit.single.verdict === verdict) ? hit.single.rule : undefined;
        found(same ? 'redundant' : 'shadowed', rule, hit.by.map((d) => d.rule), single);
        continue;
      }
    }

    if (isImpure(cmd, ctx.effects)) lastImpure = i;
    // Header fields changed here: what earlier rules decide no longer tells about later rules.
    if (mutatesFields(cmd, ctx.effects)) deciding = [];
    if (verdict && reliable) {
      const rb = box ? { box, exact: ruleBox(rule, domain).exact } : ruleBox(rule, domain);
      if (!rb.exact) continue;
      const d: Decider = { rule, verdict, cover: prepared(rb.box, domain) };
      deciding.push(d);
      if (d.cover!.dims.length === 0) catchAll = rule;
    }
  }
}

function prepared(box: Box, domain: Domain): Cover { return { box, dims: domain.restricted(box) }; }

/** Is `box` decided by the deciding rules? `by`: the first-match rules; `single`: one that alone covers it. */
function coverage(box: Box, deciding: Decider[], coverOf: (d: Decider) => Cover, budget: number): { by?: Decider[]; single?: Decider; spent: number } {
  const covers = deciding.map(coverOf);
  const b = { left: budget };
  const res = coveredBy(box, covers, b);
  const spent = budget - b.left;
  if (!res?.covered) return { spent };
  const k = covers.findIndex((c) => boxInside(box, c));
  return { by: res.used.map((j) => deciding[j]), single: k >= 0 ? deciding[k] : undefined, spent };
}

/**
 * The rule as iptables-save would print it, from its parsed words (cheaper than the canonical
 * printer): two rules with the same key have the same canonical form. Undefined for a rule we
 * could not fully read.
 */
function shapeKey(rule: Rule): string {
  const c: IptablesCommand = rule.command;
  const g = c.generic;
  const parts: string[] = [];
  const gm = (name: string, m?: { negated: boolean; value: string }, value = m?.value) => { if (m) parts.push(`${m.negated ? '!' : ''}${name}=${value}`); };
  gm('s', g.source, rule.addresses.source);
  gm('d', g.destination, rule.addresses.destination);
  gm('p', g.protocol);
  gm('i', g.inInterface);
  gm('o', g.outInterface);
  if (g.fragment) parts.push(`${g.fragment.negated ? '!' : ''}f`);
  for (const m of c.matches) {
    parts.push(`-m ${m.name}`);
    for (const o of m.options) parts.push(`${o.negated ? '!' : ''}--${o.name}`, ...o.args.map((a) => a.text));
  }
  if (c.target) {
    parts.push(c.goto ? '-g' : '-j', c.target.name);
    for (const o of c.target.options) parts.push(`${o.negated ? '!' : ''}--${o.name}`, ...o.args.map((a) => a.text));
  }
  return parts.join('\u0000');
}

export const isStandardOrExtensionTarget = (name: string, family: 4 | 6) => (STANDARD_TARGETS as readonly string[]).includes(name) || !!findTarget(name, family);
