// The packet tracer: one concrete packet through the ruleset the way netfilter walks it — the
// tables' chains in hook order for the packet's path, rule by rule, following jumps, gotos and
// RETURN, applying MARK, CT and NAT on the way. A rule whose match cannot be decided forks the
// walk (not matched / matched); the answer is a verdict only when every branch agrees on it.
import { loc, type Family, type Localized } from '../syntax/ast';
import type { Analysis } from '../engine';
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { formatPacket, parsePacket, type Packet, type PathKind } from './trace-packet';
import { addressNet, matchRule, type MatchResult, type PacketState } from './trace-match';
import { applyTarget } from './trace-target';

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'DEPENDS';

export interface RuleRef { table: string; chain: string; line: number }

export interface TraceStep extends RuleRef {
  matched: boolean;
  /** The match could not be decided; this branch took it as `matched`. */
  undecided?: Localized;
  target?: string;
  rule: Rule;
}

/** What one table's built-in chain decided (`line` null: its policy); NAT = a NAT target ended it. */
export interface HookVerdict { table: string; chain: string; verdict: Verdict | 'NAT'; line: number | null; rule?: Rule }

export interface Assumption extends RuleRef { matched: boolean; reason: Localized }

export interface TraceOutcome {
  verdict: Verdict;
  decidedBy: (RuleRef & { rule: Rule }) | null;
  /** The built-in chain whose policy decided (when decidedBy is null). */
  policyOf?: { table: string; chain: string };
  reason?: Localized;
  /** The branch stopped at a NAT rewrite (TraceOptions.stopAtRewrite). */
  nat?: boolean;
  assumptions: Assumption[];
  steps: TraceStep[];
  hooks: HookVerdict[];
  final: PacketState;
}

export interface TraceResult {
  ok: true;
  packet: Packet;
  /** The packet in canonical form (defaults spelled out). */
  packetText: string;
  family: Family;
  path: PathKind;
  verdict: Verdict;
  decidedBy: (RuleRef & { rule: Rule }) | null;
  policyOf?: { table: string; chain: string };
  /** The walk of the first branch (every undecided match taken as not matching). */
  steps: TraceStep[];
  hooks: HookVerdict[];
  /** The undecided matches the verdict turns on (empty unless verdict is DEPENDS). */
  dependsOn: (RuleRef & { reason: Localized })[];
  /** Every branch explored (one unless some match was undecided). */
  outcomes: TraceOutcome[];
  notes: Localized[];
}

export type TraceAnswer = TraceResult | { ok: false; message: Localized };

type Route = readonly (readonly [string, string])[];

/** Tables' chains in netfilter's priority order per path (raw -300, mangle -150, dnat -100, filter 0, security 50, snat 100). */
export const HOOKS: Record<PathKind, Route> = {
  input: [['raw', 'PREROUTING'], ['mangle', 'PREROUTING'], ['nat', 'PREROUTING'], ['mangle', 'INPUT'], ['filter', 'INPUT'], ['security', 'INPUT'], ['nat', 'INPUT']],
  forward: [['raw', 'PREROUTING'], ['mangle', 'PREROUTING'], ['nat', 'PREROUTING'], ['mangle', 'FORWARD'], ['filter', 'FORWARD'], ['security', 'FORWARD'], ['mangle', 'POSTROUTING'], ['nat', 'POSTROUTING']],
  output: [['raw', 'OUTPUT'], ['mangle', 'OUTPUT'], ['nat', 'OUTPUT'], ['filter', 'OUTPUT'], ['security', 'OUTPUT'], ['mangle', 'POSTROUTING'], ['nat', 'POSTROUTING']],
};
export const FILTER_CHAIN: Record<PathKind, string> = { input: 'INPUT', forward: 'FORWARD', output: 'OUTPUT' };

export interface TraceOptions {
  /** Decides a rule without evaluating it (the matrix knows which rules contain a cell); undefined = evaluate. Not used once NAT moved the packet. */
  hint?: (rule: Rule) => MatchResult | undefined | typeof PAUSE;
  /** Branches explored at most; past it the answer is DEPENDS. */
  maxBranches?: number;
  /** Record the steps (the matrix does not need them). Default true. */
  steps?: boolean;
  /** The rules of a chain to walk (the matrix passes only those that can match its cell); default all. */
  rulesOf?: (chain: Chain) => readonly Rule[];
  /** End a branch with DEPENDS (and `nat` set) as soon as NAT moves the destination. */
  stopAtRewrite?: boolean;
}

interface AssumeNode { a: Assumption; prev?: AssumeNode }
interface Frame {
  chain: Chain;
  rules: readonly Rule[];
  index: number;
  /** Indexes of the rules that can match (long chains, see chainIndex); the others are recorded as not matching. */
  cand?: readonly number[];
  ci?: number;
}

interface World {
  pkt: PacketState;
  path: PathKind;
  route: Route;
  hookIndex: number;
  table: string;
  builtin?: Chain;
  stack: Frame[];
  /** The walk so far, kept flat (copied only when the walk forks). */
  steps: StepLog;
  assumed?: AssumeNode;
  hooks: HookVerdict[];
  /** NAT rewrote the destination: hints about the original packet no longer apply. */
  rewritten: boolean;
  done?: { verdict: Verdict; rule?: Rule; chain?: string; table?: string; reason?: Localized; policyOf?: { table: string; chain: string }; nat?: boolean };
}

interface Ctx { rs: Ruleset; opts: TraceOptions; record: boolean }

/** Steps as parallel arrays: one push per rule instead of an object per rule. */
class StepLog {
  rules: Rule[] = [];
  tables: string[] = [];
  chains: string[] = [];
  /** bit 0 matched; undecided reasons by index. */
  matched: boolean[] = [];
  undecided = new Map<number, Localized>();
  add(table: string, chain: string, rule: Rule, matched: boolean, undecided?: Localized): void {
    if (undecided) this.undecided.set(this.rules.length, undecided);
    this.rules.push(rule); this.tables.push(table); this.chains.push(chain); this.matched.push(matched);
  }
  copy(): StepLog {
    const c = new StepLog();
    c.rules = this.rules.slice(); c.tables = this.tables.slice(); c.chains = this.chains.slice(); c.matched = this.matched.slice();
    c.undecided = new Map(this.undecided);
    return c;
  }
  toSteps(): TraceStep[] {
    const out: TraceStep[] = new Array(this.rules.length);
    for (let i = 0; i < out.length; i++) {
      const rule = this.rules[i], matched = this.matched[i];
      const step: TraceStep = { table: this.tables[i], chain: this.chains[i], line: rule.command.range.start.line, matched, rule };
      if (matched && rule.command.target) step.target = rule.command.target.name;
      const u = this.undecided.get(i);
      if (u) step.undecided = u;
      out[i] = step;
    }
    return out;
  }
}

const MAX_BRANCHES = 256;
const MAX_DEPTH = 100;

/** Traces the packet text through the analysis' ruleset of the packet's family. */
export function tracePacket(analysis: Analysis, packetText: string): TraceAnswer {
  const parsed = parsePacket(packetText);
  if (!parsed.ok) return parsed;
  const result = traceRuleset(analysis.rulesets[parsed.packet.family], parsed.packet);
  if (!analysis.families.includes(parsed.packet.family)) {
    result.notes.unshift(loc(`this file sets no IPv${parsed.packet.family} rules: the answer is what an empty ruleset does`, `このファイルには IPv${parsed.packet.family} のルールがありません。空のルールセットとしての結果です`));
  }
  return result;
}

export function initialState(p: Packet): PacketState {
  const isNew = p.state === 'NEW';
  return {
    family: p.family, proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport,
    iif: p.path === 'output' ? undefined : p.iif, oif: p.path === 'input' ? undefined : p.oif, iifUnknown: p.iifUnknown,
    state: p.state, tcpFlags: p.tcpFlags, icmpType: p.icmpType, icmpCode: p.icmpCode,
    mark: p.mark, ctmark: isNew ? 0 : undefined, ctDnat: isNew ? false : undefined, ctSnat: isNew ? false : undefined,
    orig: { src: p.src, dst: p.dst, sport: p.sport, dport: p.dport },
    reply: p.reply,
  };
}

export function traceRuleset(rs: Ruleset, packet: Packet, opts: TraceOptions = {}): TraceResult {
  const notes: Localized[] = [];
  const leaves = traceLeaves(rs, initialState(packet), packet.path, opts);
  if (packet.state !== 'NEW' && (packet.reply || packet.state === 'RELATED') && hasNatRules(rs)) {
    notes.push(loc('nat chains are not walked for this packet: give its addresses as the filter table sees them (after the connection\'s NAT)', 'このパケットは nat チェインを通りません。アドレスは filter テーブルから見た値（接続の NAT 適用後）で指定してください'));
  }
  return summarize(packet, leaves, notes);
}

/** The branches of a walk that starts from a ready packet state (the exposure matrix's cells). */
export function traceState(rs: Ruleset, state: PacketState, path: PathKind, opts: TraceOptions = {}): TraceOutcome[] {
  return traceLeaves(rs, state, path, opts).map(outcomeOf);
}

function traceLeaves(rs: Ruleset, state: PacketState, path: PathKind, opts: TraceOptions): World[] {
  const ctx: Ctx = { rs, opts, record: opts.steps !== false };
  const start: World = { pkt: state, path, route: HOOKS[path], hookIndex: 0, table: '', stack: [], steps: new StepLog(), hooks: [], rewritten: false };
  return explore(ctx, start, opts.maxBranches ?? MAX_BRANCHES);
}

function hasNatRules(rs: Ruleset): boolean {
  for (const c of rs.tables.get('nat')?.chains.values() ?? []) if (c.rules.length) return true;
  return false;
}

/** Runs every branch to its end, depth first with "not matched" first. */
function explore(ctx: Ctx, start: World, max: number): World[] {
  const ex = new Exploration(ctx, start, max);
  ex.run();
  return ex.leaves;
}

/** A hint's answer that stops the walk before the rule, so the caller can narrow the packet and go on. */
export const PAUSE = Symbol('pause');

/**
 * A walk that can stop before a rule (the hint answered PAUSE) and be copied and resumed: the
 * exposure matrix splits a cell there and continues each half from the same point.
 */
export class Exploration {
  leaves: World[] = [];
  private todo: World[];
  private branches = 1;
  constructor(private ctx: Ctx, start: World, private readonly max: number) { this.todo = [start]; }

  static start(rs: Ruleset, state: PacketState, path: PathKind, opts: TraceOptions): Exploration {
    const ctx: Ctx = { rs, opts, record: opts.steps !== false };
    return new Exploration(ctx, { pkt: state, path, route: HOOKS[path], hookIndex: 0, table: '', stack: [], steps: new StepLog(), hooks: [], rewritten: false }, opts.maxBranches ?? MAX_BRANCHES);
  }

  /** True when every branch ended; false when paused (resume after copying). */
  run(): boolean {
    while (this.todo.length) {
      const w = this.todo[this.todo.length - 1];
      const forks = run(this.ctx, w);
      if (forks === PAUSED) return false;
      this.todo.pop();
      if (!forks) { this.leaves.push(w); continue; }
      this.branches += forks.length - 1;
      if (this.branches > this.max) {
        w.done = { verdict: 'DEPENDS', reason: loc(`too many undecided matches (over ${this.max} branches)`, `判定できない条件が多すぎます（分岐が ${this.max} を超えました）`) };
        this.leaves.push(w);
        continue;
      }
      for (let k = forks.length - 1; k >= 0; k--) this.todo.push(forks[k]);
    }
    return true;
  }

  /** A copy that goes on with other options (another hint) and with every live packet patched. */
  copy(opts: TraceOptions, patch: (p: PacketState) => void): Exploration {
    const c = new Exploration({ ...this.ctx, opts }, this.todo[0], this.max);
    // Branches that already ended stay ended; live ones get the new packet.
    c.todo = this.todo.map((w) => { const x = clone(w); x.done = w.done; if (!w.done) patch(x.pkt); return x; });
    c.leaves = [...this.leaves];
    c.branches = this.branches;
    return c;
  }

  outcomes(): TraceOutcome[] { return this.leaves.map(outcomeOf); }
}

const PAUSED = 'paused' as const;

function clone(w: World): World {
  return { ...w, pkt: { ...w.pkt, orig: { ...w.pkt.orig } }, stack: w.stack.map((f) => ({ ...f })), steps: w.steps.copy(), hooks: [...w.hooks], done: undefined };
}

const lineOf = (rule: Rule) => rule.command.range.start.line;

/** Runs a world until it ends (undefined), forks (the branches: not matched, matched) or pauses. */
function run(ctx: Ctx, w: World): World[] | undefined | typeof PAUSED {
  for (;;) {
    if (w.done) return undefined;
    if (!w.stack.length) {
      if (w.hookIndex >= w.route.length) { w.done = { verdict: 'ACCEPT' }; return undefined; }
      const [table, chainName] = w.route[w.hookIndex];
      const chain = ctx.rs.tables.get(table)?.chains.get(chainName);
      if (!chain) { w.hookIndex++; continue; }
      if (table === 'nat' && w.pkt.state !== 'NEW') {
        // Only a connection's first packet walks the nat chains.
        w.hookIndex++;
        const tracked = w.pkt.state !== 'INVALID' && w.pkt.state !== 'UNTRACKED';
        if (tracked) { const forks = replayNat(ctx, w, chainName); if (forks) return forks; }
        continue;
      }
      w.table = table;
      w.builtin = chain;
      w.stack = [frameOf(ctx, chain, w)];
    }
    const frame = w.stack[w.stack.length - 1];
    if (frame.cand) {
      // Rules the index rules out are evaluated as "no" without looking at them.
      const next = frame.ci! < frame.cand.length ? frame.cand[frame.ci!] : frame.rules.length;
      if (ctx.record) for (let k = frame.index; k < next; k++) w.steps.add(w.table, frame.chain.name, frame.rules[k], false);
      if (next > frame.index) frame.index = next;
      frame.ci!++;
    }
    if (frame.index >= frame.rules.length) { endOfChain(w); continue; }
    if (w.stack.length > MAX_DEPTH) { w.done = { verdict: 'DEPENDS', reason: loc('jumps nest too deep (a loop?)', 'ジャンプの入れ子が深すぎます（ループ？）') }; return undefined; }
    const rule = frame.rules[frame.index++];
    let m: MatchResult | undefined | typeof PAUSE = !w.rewritten && ctx.opts.hint ? ctx.opts.hint(rule) : undefined;
    if (m === PAUSE) { frame.index--; return PAUSED; }
    if (m === undefined) m = matchRule(rule, w.pkt, frame.chain.name);
    if (m !== false && rule.conditional) m = loc('depends on whether the script runs this command (it is inside a condition)', 'スクリプトがこのコマンドを実行するかどうか（条件の中にあります）次第');
    if (m === false) {
      if (ctx.record) w.steps.add(w.table, frame.chain.name, rule, false);
      continue;
    }
    if (m !== true) {
      const ref: RuleRef = { table: w.table, chain: frame.chain.name, line: lineOf(rule) };
      const no = clone(w), yes = clone(w);
      no.assumed = { a: { ...ref, matched: false, reason: m }, prev: w.assumed };
      yes.assumed = { a: { ...ref, matched: true, reason: m }, prev: w.assumed };
      if (ctx.record) {
        no.steps.add(w.table, frame.chain.name, rule, false, m);
        yes.steps.add(w.table, frame.chain.name, rule, true, m);
      }
      takeTarget(ctx, yes, rule, frame.chain.name);
      return [no, yes];
    }
    if (ctx.record) w.steps.add(w.table, frame.chain.name, rule, true);
    takeTarget(ctx, w, rule, frame.chain.name);
  }
}

function frameOf(ctx: Ctx, chain: Chain, w?: World): Frame {
  const rules = ctx.opts.rulesOf ? ctx.opts.rulesOf(chain) : chain.rules;
  const frame: Frame = { chain, rules, index: 0 };
  if (w && !ctx.opts.hint && rules.length >= INDEX_MIN && w.pkt.dst !== undefined) {
    const ix = chainIndex(rules, w.pkt.family);
    frame.cand = mergeSorted(ix.byDst.get(w.pkt.dst) ?? [], ix.others);
    frame.ci = 0;
  }
  return frame;
}

const INDEX_MIN = 48;
interface ChainIndex { byDst: Map<bigint, number[]>; others: number[] }
const indexes = new WeakMap<readonly Rule[], ChainIndex>();

/** For a long chain: the rules whose only possible destination is one address, by that address. */
function chainIndex(rules: readonly Rule[], family: Family): ChainIndex {
  let ix = indexes.get(rules);
  if (ix) return ix;
  ix = { byDst: new Map(), others: [] };
  const full = family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
  rules.forEach((r, i) => {
    const d = r.command.generic.destination;
    const n = d && !d.negated && !d.arg.symbolic ? addressNet(r.addresses.destination ?? d.value, family) : undefined;
    if (n && typeof n !== 'string' && n.mask === full) {
      const list = ix!.byDst.get(n.net);
      if (list) list.push(i); else ix!.byDst.set(n.net, [i]);
    } else ix!.others.push(i);
  });
  indexes.set(rules, ix);
  return ix;
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  if (!a.length) return b as number[];
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++]);
  return out;
}

function endOfChain(w: World): void {
  w.stack.pop();
  if (w.stack.length) return;
  // Fell off (or returned from) the built-in chain: its policy decides.
  const chain = w.builtin!;
  const policy = chain.policy === 'DROP' ? 'DROP' : 'ACCEPT';
  w.hooks.push({ table: w.table, chain: chain.name, verdict: policy, line: null });
  if (policy === 'ACCEPT') { w.hookIndex++; return; }
  w.done = { verdict: 'DROP', policyOf: { table: w.table, chain: chain.name } };
}

function takeTarget(ctx: Ctx, w: World, rule: Rule, chainName: string): void {
  const t = rule.command.target;
  if (!t) return;
  if (t.nameWord?.symbolic) {
    w.done = { verdict: 'DEPENDS', rule, chain: chainName, table: w.table, reason: loc(`depends on the target ${t.nameWord.text} (a shell value)`, `ターゲット ${t.nameWord.text}（シェルの値）次第`) };
    return;
  }
  const target = ctx.rs.tables.get(w.table)?.chains.get(t.name);
  if (target && !target.builtin) {
    if (rule.command.goto) w.stack[w.stack.length - 1] = frameOf(ctx, target, w);
    else w.stack.push(frameOf(ctx, target, w));
    return;
  }
  const effect = applyTarget(rule, w.pkt, w.table, w.path, w.builtin!.name);
  switch (effect.kind) {
    case 'continue': return;
    case 'return':
      w.stack.pop();
      if (!w.stack.length) { w.stack.push({ chain: w.builtin!, rules: [], index: 0 }); endOfChain(w); }
      return;
    case 'accept': case 'nat': {
      w.hooks.push({ table: w.table, chain: w.builtin!.name, verdict: effect.kind === 'nat' ? 'NAT' : 'ACCEPT', line: lineOf(rule), rule });
      if (effect.kind === 'nat') {
        if (effect.rewrote) {
          w.rewritten = true;
          if (ctx.opts.stopAtRewrite) {
            w.done = { verdict: 'DEPENDS', rule, chain: chainName, table: w.table, nat: true, reason: loc(`NAT rewrites the destination (${rule.command.target!.name})`, `NAT が宛先を書き換えます（${rule.command.target!.name}）`) };
            return;
          }
        }
        if (effect.reroute === 'depends') { w.done = { verdict: 'DEPENDS', rule, chain: chainName, table: w.table, reason: effect.reason }; return; }
        if (effect.reroute) reroute(w, effect.reroute, w.builtin!.name);
      }
      w.stack = [];
      w.hookIndex++;
      return;
    }
    case 'drop': case 'reject':
      w.done = { verdict: effect.kind === 'drop' ? 'DROP' : 'REJECT', rule, chain: chainName, table: w.table };
      return;
    case 'depends':
      w.done = { verdict: 'DEPENDS', rule, chain: chainName, table: w.table, reason: effect.reason };
      return;
  }
}

/** Continues on another path after the nat chain that changed it (REDIRECT of a forwarded packet). */
function reroute(w: World, path: PathKind, natChain: string): void {
  w.path = path;
  w.route = HOOKS[path];
  w.hookIndex = w.route.findIndex(([tb, ch]) => tb === 'nat' && ch === natChain);
  if (path === 'input') w.pkt.oif = undefined;
}

/**
 * An ESTABLISHED packet in the original direction does not walk the nat chains, but conntrack
 * gives it the NAT its connection's first packet got. We find that by walking the nat chain as
 * the first packet (same addresses, state NEW, a SYN for TCP) and keep only the rewrite.
 * Returns branches when the first packet's NAT is itself undecided.
 */
function replayNat(ctx: Ctx, w: World, chainName: string): World[] | undefined {
  if (w.pkt.reply || w.pkt.state !== 'ESTABLISHED' || (chainName !== 'PREROUTING' && chainName !== 'OUTPUT')) return undefined;
  const first: PacketState = { ...w.pkt, state: 'NEW', tcpFlags: w.pkt.proto === 6 ? 0x02 : 0, ctmark: 0, ctDnat: false, ctSnat: false, orig: { ...w.pkt.orig } };
  const sub: World = { pkt: first, path: w.path, route: [['nat', chainName]], hookIndex: 0, table: '', stack: [], steps: new StepLog(), hooks: [], rewritten: false };
  const leaves = explore({ rs: ctx.rs, opts: { maxBranches: ctx.opts.maxBranches }, record: false }, sub, ctx.opts.maxBranches ?? MAX_BRANCHES);
  if (!leaves.some((l) => l.hooks.some((h) => h.verdict === 'NAT'))) { w.pkt.ctDnat = false; return undefined; }
  const branches = leaves.map((leaf) => {
    const b = clone(w);
    for (const a of assumptionsOf(leaf)) {
      b.assumed = { a: { ...a, reason: loc(`${a.reason.en} (for the connection's first packet)`, `${a.reason.ja}（接続の最初のパケットについて）`) }, prev: b.assumed };
    }
    const nat = leaf.hooks.find((h) => h.verdict === 'NAT');
    b.pkt.ctDnat = !!nat;
    if (nat) {
      b.pkt.dst = leaf.pkt.dst;
      b.pkt.dport = leaf.pkt.dport;
      b.pkt.oif = leaf.pkt.oif;
      b.rewritten = true;
      b.hooks.push({ table: 'nat', chain: chainName, verdict: 'NAT', line: nat.line, rule: nat.rule });
      if (leaf.path !== w.path) { b.path = leaf.path; b.route = HOOKS[leaf.path]; b.hookIndex = b.route.findIndex(([tb, ch]) => tb === 'nat' && ch === chainName) + 1; }
    }
    if (leaf.done?.verdict === 'DEPENDS') b.done = { ...leaf.done };
    return b;
  });
  if (branches.length === 1) { Object.assign(w, branches[0]); return undefined; }
  return branches;
}

function assumptionsOf(w: World): Assumption[] {
  const out: Assumption[] = [];
  for (let n = w.assumed; n; n = n.prev) out.push(n.a);
  return out.reverse();
}

function stepsOf(w: World): TraceStep[] {
  return w.steps.toSteps();
}

function outcomeOf(w: World): TraceOutcome {
  const d = w.done!;
  const steps = stepsOf(w);
  let decidedBy: TraceOutcome['decidedBy'] = null;
  let policyOf = d.policyOf;
  if (d.rule) decidedBy = { table: d.table!, chain: d.chain!, line: lineOf(d.rule), rule: d.rule };
  else if (d.verdict === 'ACCEPT') {
    // Passed every table: the filter table's decision is the one people ask about.
    const filter = w.hooks.find((h) => h.table === 'filter' && h.chain === FILTER_CHAIN[w.path]);
    if (filter?.rule) decidedBy = { table: 'filter', chain: chainOfRule(steps, filter.rule) ?? filter.chain, line: filter.line!, rule: filter.rule };
    else if (filter) policyOf = { table: 'filter', chain: filter.chain };
  }
  return { verdict: d.verdict, decidedBy, policyOf, reason: d.reason, nat: d.nat, assumptions: assumptionsOf(w), steps, hooks: w.hooks, final: w.pkt };
}

function chainOfRule(steps: TraceStep[], rule: Rule): string | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].rule === rule && steps[i].matched) return steps[i].chain;
  return undefined;
}

const refKey = (r: RuleRef) => `${r.table}/${r.chain}/${r.line}`;

function summarize(packet: Packet, leaves: World[], notes: Localized[]): TraceResult {
  const outcomes = leaves.map(outcomeOf);
  const first = outcomes[0];
  const verdicts = new Set(outcomes.map((o) => o.verdict));
  const agreed = verdicts.size === 1 && !verdicts.has('DEPENDS');
  const dependsOn: TraceResult['dependsOn'] = [];
  let decidedBy = first.decidedBy, policyOf = first.policyOf;
  if (!agreed) {
    const seen = new Set<string>();
    const add = (r: RuleRef, reason: Localized) => { if (!seen.has(refKey(r))) { seen.add(refKey(r)); dependsOn.push({ table: r.table, chain: r.chain, line: r.line, reason }); } };
    for (const o of outcomes) {
      for (const a of o.assumptions) add(a, a.reason);
      if (o.verdict === 'DEPENDS' && o.reason && o.decidedBy) add(o.decidedBy, o.reason);
    }
    // Point at the first rule the answer turns on.
    const at = dependsOn[0];
    const step = at && first.steps.find((s) => refKey(s) === refKey(at));
    decidedBy = step ? { table: step.table, chain: step.chain, line: step.line, rule: step.rule } : first.verdict === 'DEPENDS' ? first.decidedBy : null;
    policyOf = undefined;
  } else if (outcomes.some((o) => o.decidedBy?.rule !== decidedBy?.rule)) {
    notes.push(loc('every branch ends in the same verdict, though not always through the same rule', 'どの分岐でも結果は同じですが、決め手のルールは分岐によって異なります'));
  }
  for (const o of outcomes) if (o.reason && !notes.some((n) => n.en === o.reason!.en)) notes.push(o.reason);
  return {
    ok: true, packet, packetText: formatPacket(packet), family: packet.family, path: packet.path,
    verdict: agreed ? first.verdict : 'DEPENDS', decidedBy, policyOf, steps: first.steps, hooks: first.hooks, dependsOn, outcomes, notes,
  };
}
