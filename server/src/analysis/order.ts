// Rule-order findings for every chain: rules that can never match because earlier rules already
// decide all their packets (shadowed or redundant), rules after a catch-all, and duplicates.
// Every claim holds for all packets: only exact, unconditional, terminating rules count as
// deciding, a rule that changes header fields the analysis reads (CT, NOTRACK, DNPT, SNPT) ends
// what earlier rules can prove about later ones, and work past a budget is skipped, not guessed.
import type { Analysis } from '../engine';
import type { Family, IptablesCommand } from '../syntax/ast';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { findTarget, STANDARD_TARGETS } from '../knowledge/registry';
import { ruleBox, domainOf, type RuleBox } from './match';
import { coveredByCovers, boxInside, boxIsEmpty, type Box, type Cover, type Domain } from './space';
import { TRUST_ALL, trustOf, type Trust } from './order-trust';
import { CoverIndex } from './cover-index';
import { chainEffects, isImpure, isRepeatHarmless, matchesArePure, mutatesFields, type ChainEffects } from './order-effects';
import { flatString } from '../syntax/words';

export type OrderKind = 'shadowed' | 'redundant' | 'unreachable' | 'duplicate';

export interface OrderFinding {
  /** `vacuous`: the rule matches no packet at all (not a question of order; it only lets a
   * command that made several rules be reported when all its other rules are). */
  kind: OrderKind | 'vacuous';
  rule: Rule;
  chain: Chain;
  table: string;
  family: Family;
  /** The earlier rules responsible (for shadowed/redundant: every rule that is the first match of some of its packets). */
  by: Rule[];
  /** For shadowed/redundant: one earlier rule that alone matches every packet of this rule, if any. */
  single?: Rule;
  /** For a duplicate the analysis reads exactly: the rules that decide its packets first (its copy among
   * them), and whether all with its verdict. */
  decidedBy?: { rules: Rule[]; sameVerdict: boolean };
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
    // The parsed value when it is a plain one (canonical: `port-unreach` is icmp-port-unreachable).
    const v = typeof o.value === 'string' || typeof o.value === 'number' ? String(o.value) : o.args.map((a) => a.text).join(' ');
    return `${o.negated ? '! ' : ''}--${o.name} ${v}`;
  });
  if (t.name === 'REJECT' && !t.options.some((o) => o.name === 'reject-with')) opts.push(`--reject-with ${DEFAULT_REJECT[rule.command.family]}`);
  return [d, ...opts.sort()].join(' ');
}

const cache = new WeakMap<Analysis, OrderFinding[]>();

export function orderFindings(analysis: Analysis): OrderFinding[] {
  let found = cache.get(analysis);
  if (!found) {
    found = [];
    // (A loop, not push(...spread): a 200,000-item loop body may give that many findings.)
    for (const f of analysis.families) for (const x of rulesetOrder(analysis.rulesets[f], trustOf(analysis, f))) found.push(x);
    cache.set(analysis, found);
  }
  return found;
}

export function rulesetOrder(rs: Ruleset, trust: Trust = TRUST_ALL): OrderFinding[] {
  const out: OrderFinding[] = [];
  const domain = domainOf(rs);
  const budget = { left: RULESET_BUDGET };
  for (const table of rs.tables.values()) {
    const effects = chainEffects(table);
    for (const chain of table.chains.values()) chainOrder(chain, table.name, { domain, trust, effects, family: rs.family, budget }, out);
  }
  return out;
}

/** Work budgets (boxes compared): per question, per chain and per ruleset. Past them: no claim. */
const RULE_BUDGET = 200_000;
const CHAIN_BUDGET = 3_000_000;
const RULESET_BUDGET = 12_000_000;

interface Ctx { domain: Domain; trust: Trust; effects: ChainEffects; family: Family; budget: { left: number } }

interface Decider { rule: Rule; verdict: string; cover: Cover }

// Reused by every chain (chainOrder runs to its end before the next starts): a kube-proxy dump
// has 18,000 small chains, and three Maps each were a tenth of an analysis' garbage.
const SCRATCH_SIGS = new Map<string, number>();
const SCRATCH_SHAPES = new Map<string, { rule: Rule; index: number }>();

function chainOrder(chain: Chain, table: string, ctx: Ctx, out: OrderFinding[]): void {
  const rules = chain.rules;
  if (rules.length < 2) return;
  const { domain, trust, effects } = ctx;
  const found = (kind: OrderFinding['kind'], rule: Rule, by: Rule[], single?: Rule) => out.push({ kind, rule, chain, table, family: ctx.family, by, single });
  let deciding: Decider[] = [];
  let index: CoverIndex | undefined; // made with the first deciding rule (most chains of a dump have none)
  let catchAll: Rule | undefined;
  // Duplicates are looked for only among rules of the same signature (target, number of
  // matches and options: cheap to tell); then by the shape of each, with the last rule that may
  // change state a match reads, and the last that changes a header field.
  const sigOf = rules.map(signature);
  const sigs = SCRATCH_SIGS, shapes = SCRATCH_SHAPES;
  sigs.clear(); shapes.clear();
  for (const k of sigOf) sigs.set(k, (sigs.get(k) ?? 0) + 1);
  let lastImpure = -1, lastMutating = -1;
  let work = CHAIN_BUDGET;

  // A deciding rule's box is made when a later rule needs it (the last rule of a chain never does).
  let pending: Rule | undefined;
  let last: { rule: Rule; rb: RuleBox } | undefined;
  const boxOf = (r: Rule): RuleBox => (last?.rule === r ? last.rb : (last = { rule: r, rb: ruleBox(r, domain) }).rb);
  /** Whether the deciding rules before `rule` take every packet it matches, and which of them do. */
  const coverage = (rule: Rule): { by: Rule[]; same: boolean; single?: Rule } | 'vacuous' | undefined => {
    if (work <= 0 || ctx.budget.left <= 0) return undefined;
    const rb = boxOf(rule);
    if (boxIsEmpty(rb.box)) return 'vacuous';
    const allowed = Math.min(RULE_BUDGET, work, ctx.budget.left);
    const b = { left: allowed };
    const idx = index!; // deciding is not empty
    const maybe = idx.candidates(rb.box);
    const res = coveredByCovers(rb.box, idx.covers, b, maybe);
    work -= allowed - b.left;
    ctx.budget.left -= allowed - b.left;
    if (!res?.covered) return undefined;
    const by = res.used.map((j) => deciding[j]);
    const verdict = verdictKey(rule);
    const same = verdict !== undefined && by.every((d) => d.verdict === verdict);
    const k = maybe.find((j) => boxInside(rb.box, idx.covers[j]));
    const single = k !== undefined && (!same || deciding[k].verdict === verdict) ? deciding[k].rule : undefined;
    return { by: by.map((d) => d.rule), same, single };
  };
  const settle = () => {
    if (!pending) return;
    const rb = boxOf(pending);
    if (rb.exact) {
      // What the rule decides whatever the backend (see RuleBox.lower).
      const cover = prepared(rb.lower ?? rb.box, domain);
      deciding.push({ rule: pending, verdict: verdictKey(pending)!, cover });
      (index ??= new CoverIndex()).add(cover);
      if (cover.dims.length === 0) catchAll = pending;
    }
    pending = undefined;
  };

  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const cmd = rule.command;
    const claimable = trust.placed(rule);
    const reliable = claimable && trust.stable(rule) && !rule.conditional;
    settle();
    if (catchAll) { if (claimable) found('unreachable', rule, [catchAll]); continue; }

    const twins = sigs.get(sigOf[i])! > 1;
    if (twins) {
      const key = matchesArePure(cmd) && !cmd.symbolic ? shapeKey(rule) : undefined;
      const earlier = key === undefined ? undefined : shapes.get(key);
      if (earlier && claimable && !rule.conditional) {
        // Between the two, nothing may change what the rule reads: for a rule the analysis reads
        // exactly, the header fields; otherwise any state (a mark, a set, conntrack). A jump runs
        // a chain whose rules may read anything: always the stricter condition.
        const jumps = !!cmd.target && effects.isChain(cmd.target.name);
        const since = !jumps && boxOf(rule).exact ? lastMutating : lastImpure;
        if (earlier.index >= since && (decision(earlier.rule) !== undefined || isRepeatHarmless(cmd, effects))) {
          found('duplicate', rule, [earlier.rule]);
          // Who decides its packets first (the copy, and earlier rules that take some of them before
          // it): what a line mixing this copy with other rules is reported with.
          const c = claimable && deciding.length ? coverage(rule) : undefined;
          if (c && c !== 'vacuous') out[out.length - 1].decidedBy = { rules: c.by, sameVerdict: c.same };
          continue;
        }
      }
      if (key !== undefined && reliable) shapes.set(key, { rule, index: i });
    }
    // Matches run on every packet that reaches the rule, so their side effects count even when
    // the rule itself never matches.
    if (shapes.size && isImpure(cmd, effects)) lastImpure = i;

    if (claimable && deciding.length) {
      const c = coverage(rule);
      if (c === 'vacuous') { found('vacuous', rule, []); continue; }
      if (c) { found(c.same ? 'redundant' : 'shadowed', rule, c.by, c.single); continue; }
    }
    // Header fields changed here: what earlier rules decide no longer tells about later rules.
    if ((deciding.length || shapes.size) && mutatesFields(cmd, effects)) { deciding = []; index = undefined; lastMutating = i; }
    if (reliable && decision(rule) !== undefined) pending = rule;
  }
}

/** Equal for rules with the same canonical form (however they are spelled); cheap to compute. */
/** Per command, across analyses: the language server reuses the commands of unchanged lines. */
const signatures = new WeakMap<IptablesCommand, string>();

function signature(r: Rule): string {
  let sig = signatures.get(r.command);
  if (sig === undefined) signatures.set(r.command, (sig = flatString(computeSignature(r.command))));
  return sig;
}

function computeSignature(c: IptablesCommand): string {
  const g = c.generic;
  let options = 0;
  for (const m of c.matches) options += m.options.length;
  const generic = (g.source ? 1 : 0) | (g.destination ? 2 : 0) | (g.protocol ? 4 : 0) | (g.inInterface ? 8 : 0) | (g.outInterface ? 16 : 0) | (g.fragment ? 32 : 0);
  return `${c.goto ? 'g' : 'j'}${c.target?.name ?? ''}|${c.matches.length}|${options}|${generic}`;
}

function prepared(box: Box, domain: Domain): Cover { return { box, dims: domain.restricted(box) }; }

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
