// "What happens to such a packet?" for the safety checks: one concrete kind of packet (a probe) is
// walked through a chain, following jumps, gotos and RETURN. Every rule answers yes, no or maybe;
// anything not understood (an unknown match, a shell variable, a conditional command) is "maybe",
// so a check built on this never claims a drop or an accept it cannot prove.
import type { Family, GenericMatch, IptablesCommand, ParsedModule, ParsedOption } from '../../syntax/ast';
import type { Rule, Ruleset } from '../../model/ruleset';
import { STANDARD_TARGETS, findTarget } from '../../knowledge/registry';
import { WalkMemo, type ChainProgress } from './walk-memo';
import { LOOPBACK, addressOf, cidrWithin, optionRanges, portAllowed, protocol, protocolAllows, stateAllows, type PortLimit } from './rule-facts';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** One kind of packet. Addresses are not concrete: "remote" is some host that is not this one. */
export interface Probe {
  proto: 'tcp' | 'udp' | 'icmpv6';
  /** For tcp and udp (ignored for ICMPv6). */
  dport: number;
  /** ICMPv6 type (code 0), for proto icmpv6. */
  icmpType?: number;
  /** Unknown when undefined (a client's ephemeral port). */
  sport?: number;
  state: CtState;
  /** On the loopback interface (from this host to itself), else from/to a remote host over another interface. */
  loopback: boolean;
  /**
   * The (non-loopback) interface the packet uses, when the question is about one; '' stands for an
   * interface no rule names. Undefined: any interface, so `-i eth0` answers maybe.
   */
  iface?: string;
}

export type Tri = 'yes' | 'no' | 'maybe';

const not = (t: Tri): Tri => (t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'maybe');
const and = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'maybe' || b === 'maybe' ? 'maybe' : 'yes');
const fromBool = (b: boolean | undefined): Tri => (b === undefined ? 'maybe' : b ? 'yes' : 'no');

/** TCP flag sets a packet of the probe may carry (NEW: the opening SYN; later: ACK with or without SYN/PSH/FIN). */
function flagSets(p: Probe): number[] {
  return p.state === 'NEW' ? [0x02] : [0x12, 0x10, 0x18, 0x11];
}

function flagsMatch(p: Probe, mask: number, comp: number, negated: boolean): Tri {
  const results = flagSets(p).map((f) => ((f & mask) === comp) !== negated);
  return results.every(Boolean) ? 'yes' : results.some(Boolean) ? 'maybe' : 'no';
}

function portTri(limit: PortLimit | null | undefined, port: number | undefined, other?: number): Tri {
  if (limit === undefined) return 'yes';
  if (limit === null || port === undefined) return 'maybe';
  if (limit.either) {
    // multiport --ports: either port may be in the list.
    if (portAllowed({ ...limit, negated: false }, port) || (other !== undefined && portAllowed({ ...limit, negated: false }, other))) return limit.negated ? 'no' : 'yes';
    return other === undefined ? 'maybe' : limit.negated ? 'yes' : 'no';
  }
  return portAllowed(limit, port) ? 'yes' : 'no';
}

/** One address text against "this host over lo" or "some remote host". */
function oneAddressTri(text: string, family: Family, p: Probe): Tri {
  const net = addressOf(text, family);
  // Over lo the address may be 127.0.0.1 or one of the host's own: only /0 is sure to match.
  if (!net) return 'maybe';
  if (net.prefix === 0) return 'yes';
  if (cidrWithin(net, LOOPBACK[family])) return p.loopback ? 'maybe' : 'no';
  return 'maybe';
}

/** Per address option, the answer for a remote probe [0] and a loopback probe [1]: a list of 100,000 addresses is read once. */
const listCache = new WeakMap<GenericMatch, (Tri | undefined)[]>();

/** -s/-d against the probe; `own` is the one address of the rule when the command listed several. */
function addressTri(m: GenericMatch | undefined, family: Family, p: Probe, own?: string): Tri {
  if (!m) return 'yes';
  if (m.arg.symbolic) return 'maybe';
  if (own !== undefined) return m.negated ? not(oneAddressTri(own, family, p)) : oneAddressTri(own, family, p);
  let cached = listCache.get(m);
  if (!cached) listCache.set(m, (cached = []));
  const k = p.loopback ? 1 : 0;
  let res = cached[k];
  if (res === undefined) {
    res = 'no';
    for (const text of m.value.split(',')) {
      const t = oneAddressTri(text, family, p);
      if (t === 'yes') { res = 'yes'; break; }
      if (t === 'maybe') res = 'maybe';
    }
    cached[k] = res;
  }
  return m.negated ? not(res) : res;
}

function interfaceTri(m: GenericMatch | undefined, p: Probe): Tri {
  if (!m) return 'yes';
  if (m.arg.symbolic) return 'maybe';
  const name = m.value;
  let t: Tri;
  if (p.iface !== undefined && !p.loopback) {
    const wild = name.endsWith('+');
    const hit = wild ? name === '+' || (p.iface !== '' && p.iface.startsWith(name.slice(0, -1))) : p.iface === name;
    t = hit ? 'yes' : 'no';
    return m.negated ? not(t) : t;
  }
  if (name === '+') t = 'yes';
  else if (name.endsWith('+')) t = 'lo'.startsWith(name.slice(0, -1)) ? (p.loopback ? 'yes' : 'maybe') : (p.loopback ? 'no' : 'maybe');
  else t = name === 'lo' ? (p.loopback ? 'yes' : 'no') : (p.loopback ? 'no' : 'maybe');
  return m.negated ? not(t) : t;
}

/** Does this rule's condition hold for the probe? `own`: the rule's own addresses when the command listed several. */
export function ruleMatches(cmd: IptablesCommand, p: Probe, own: { source?: string; destination?: string } = {}): Tri {
  const g = cmd.generic;
  let t = fromBool(protocolAllows(cmd, p.proto));
  if (t === 'no') return 'no';
  t = and(t, addressTri(g.source, cmd.family, p, own.source));
  t = and(t, addressTri(g.destination, cmd.family, p, own.destination));
  t = and(t, interfaceTri(g.inInterface, p));
  t = and(t, interfaceTri(g.outInterface, p));
  if (g.fragment) t = and(t, g.fragment.negated ? 'yes' : 'no');
  if (t === 'no') return 'no';
  for (const m of cmd.matches) {
    t = and(t, matchTri(cmd, m, p));
    if (t === 'no') return 'no';
  }
  return t;
}

function limitOf(cmd: IptablesCommand, m: ParsedModule, o: ParsedOption): PortLimit | null {
  const ranges = optionRanges(o, m.name === 'multiport' ? protocol(cmd) ?? 'tcp' : m.name);
  return ranges ? { ranges, negated: o.negated, words: o.args, option: o, module: m, either: o.name === 'ports' } : null;
}

function matchTri(cmd: IptablesCommand, m: ParsedModule, p: Probe): Tri {
  switch (m.name) {
    case 'comment': return 'yes';
    case 'tcp': case 'udp': case 'multiport': {
      let t: Tri = 'yes';
      for (const o of m.options) {
        if (o.name === 'dport' || o.name === 'dports') t = and(t, portTri(limitOf(cmd, m, o), p.dport));
        else if (o.name === 'sport' || o.name === 'sports') t = and(t, portTri(limitOf(cmd, m, o), p.sport));
        else if (o.name === 'ports') t = and(t, portTri(limitOf(cmd, m, o), p.dport, p.sport));
        else if (o.name === 'syn') t = and(t, flagsMatch(p, 0x17, 0x02, o.negated));
        else if (o.name === 'tcp-flags') {
          const v = o.value as { mask?: number; comp?: number } | undefined;
          t = and(t, v && typeof v.mask === 'number' && typeof v.comp === 'number' ? flagsMatch(p, v.mask, v.comp, o.negated) : 'maybe');
        } else t = and(t, 'maybe');
      }
      return t;
    }
    case 'icmp6': {
      if (p.proto !== 'icmpv6' || p.icmpType === undefined) return 'maybe';
      let t: Tri = 'yes';
      for (const o of m.options) {
        const v = o.value as { type?: number; codeMin?: number; codeMax?: number } | undefined;
        if (o.name !== 'icmpv6-type' || !v || typeof v.type !== 'number') { t = and(t, 'maybe'); continue; }
        const hit = v.type === p.icmpType && (v.codeMin ?? 0) === 0;
        t = and(t, hit !== o.negated ? 'yes' : 'no');
      }
      return t;
    }
    case 'state': case 'conntrack': {
      let t: Tri = fromBool(stateAllows({ ...cmd, matches: [m] }, p.state));
      if (m.options.some((o) => !(o.name === 'state' || o.name === 'ctstate'))) t = and(t, 'maybe');
      return t;
    }
    default: return 'maybe';
  }
}

export type Outcome = 'accept' | 'drop' | 'return';

export interface Walk {
  /** Every way the packet may leave the chain. */
  outcomes: Set<Outcome>;
  /** The rule that certainly decided (innermost), when the walk ended on one; undefined = the policy. */
  decidedBy?: Rule;
}

/** Deeper nesting is treated like a loop (iptables refuses loops; the kernel limits its jump stack). */
const MAX_DEPTH = 32;
const UNKNOWN: readonly Outcome[] = ['accept', 'drop', 'return'];

/**
 * Walks one chain of `table`. Conditional rules (they may not exist) never match for certain.
 * The memo (for `table` and this probe) walks each chain once: a chain walked before resumes at
 * its first new rule; one jumped to twice is not walked again.
 */
function walkChain(rs: Ruleset, table: string, chainName: string, p: Probe, memo: WalkMemo): Walk {
  const chain = rs.chain(table, chainName);
  if (!chain) return { outcomes: new Set(UNKNOWN) };
  if (memo.path.has(chainName) || memo.path.size > MAX_DEPTH) { memo.aborted = true; return { outcomes: new Set(UNKNOWN) }; }
  const kept = memo.get(chainName);
  if (kept?.ended) return kept.ended;
  // A kept walk is carried on in place (copying it each time would be quadratic again).
  const progress: ChainProgress = kept ?? { next: 0, outcomes: new Set() };
  const outcomes = progress.outcomes;
  const rules = chain.rules;
  memo.path.add(chainName);
  for (let i = progress.next; i < rules.length && !progress.ended && !memo.aborted; i++) {
    const rule = rules[i];
    let m = ruleMatches(rule.command, p, rule.addresses);
    if (m === 'no') continue;
    if (rule.conditional && m === 'yes') m = 'maybe';
    const r = ruleOutcome(rs, table, rule, p, memo, chainName);
    if (r.continues && r.outcomes.size === 0) continue;
    for (const o of r.outcomes) outcomes.add(o);
    if (m === 'yes' && !r.continues) progress.ended = { outcomes, decidedBy: r.decidedBy ?? rule };
  }
  memo.path.delete(chainName);
  progress.next = rules.length;
  if (!kept) memo.keep(chainName, progress);
  if (progress.ended) return progress.ended;
  const end = new Set(outcomes);
  end.add(chain.builtin ? (chain.policy === 'DROP' ? 'drop' : 'accept') : 'return');
  return { outcomes: end };
}

/** What a matching rule does: its possible outcomes, and whether the packet may go on to the next rule. */
function ruleOutcome(rs: Ruleset, table: string, rule: Rule, p: Probe, memo: WalkMemo, caller: string): { outcomes: Set<Outcome>; continues: boolean; decidedBy?: Rule } {
  const t = rule.command.target;
  if (!t) return { outcomes: new Set(), continues: true };
  if (t.nameWord?.symbolic) return { outcomes: new Set(UNKNOWN), continues: true };
  switch (t.name) {
    case 'ACCEPT': return { outcomes: new Set(['accept']), continues: false };
    case 'DROP': case 'REJECT': return { outcomes: new Set(['drop']), continues: false };
    case 'RETURN': return { outcomes: new Set(['return']), continues: false };
  }
  if ((STANDARD_TARGETS as readonly string[]).includes(t.name) || t.name === 'NFQUEUE') return { outcomes: new Set(['accept', 'drop']), continues: false };
  if (!rule.command.goto && findTarget(t.name, rs.family)) return { outcomes: new Set(), continues: true }; // LOG, MARK...: not deciding
  memo.calls(caller, t.name);
  const sub = walkChain(rs, table, t.name, p, memo);
  const outcomes = new Set([...sub.outcomes].filter((o) => o !== 'return'));
  const returns = sub.outcomes.has('return');
  if (rule.command.goto) {
    // A goto's RETURN leaves the calling chain too.
    return { outcomes: returns ? new Set([...outcomes, 'return']) : outcomes, continues: false, decidedBy: sub.decidedBy };
  }
  return { outcomes, continues: returns, decidedBy: returns ? undefined : sub.decidedBy };
}

export type Verdict = 'accept' | 'drop' | 'maybe';

/**
 * The verdict of a built-in chain for the probe, with the rule (or undefined: the policy) that
 * decided it. Pass a memo to keep the walks for the next question on the same (growing) ruleset.
 * A jump loop (or nesting deeper than MAX_DEPTH) on the packet's way makes the answer "maybe".
 */
export function verdict(rs: Ruleset, table: string, chain: string, p: Probe, memo = new WalkMemo(table)): { verdict: Verdict; decidedBy?: Rule } {
  const w = walkChain(rs, table, chain, p, memo);
  if (memo.aborted) {
    memo.reset(); // walks cut short may have been kept half-done
    return { verdict: 'maybe' };
  }
  const outs = [...w.outcomes].map((o) => (o === 'return' ? policyOutcome(rs, table, chain) : o));
  const set = new Set(outs);
  const v: Verdict = set.size === 1 ? (set.has('drop') ? 'drop' : 'accept') : 'maybe';
  return { verdict: v, decidedBy: w.decidedBy };
}

function policyOutcome(rs: Ruleset, table: string, chain: string): 'accept' | 'drop' {
  return rs.chain(table, chain)?.policy === 'DROP' ? 'drop' : 'accept';
}

/** Certainly dropped by filter `chain`? */
export const surelyDropped = (rs: Ruleset, chain: string, p: Probe, memo?: WalkMemo) => verdict(rs, 'filter', chain, p, memo).verdict === 'drop';
/** May filter `chain` accept it? */
export const mayAccept = (rs: Ruleset, chain: string, p: Probe) => verdict(rs, 'filter', chain, p).verdict !== 'drop';

/** A new TCP connection from some remote host to a port of this host, and the segments after it. */
export const inboundTcp = (port: number, state: CtState = 'NEW'): Probe => ({ proto: 'tcp', dport: port, state, loopback: false });
