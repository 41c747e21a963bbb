// The exposure matrix's engine: the packet space of new connections, split one header field at a
// time at the boundaries of the rules that can still match (iif, src, proto, port, [oif], dst,
// sport). Inside a cell every rule's box either contains the cell or misses it, so one traced
// packet per cell decides the whole cell. Cells with the same set of candidate rules have the same
// subtree (memoised); equal subtrees merge, which is what yields the groups "treated alike".
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import type { IptablesCommand } from '../syntax/ast';
import { loc } from '../syntax/ast';
import { commandBox, domainOf } from './match';
import { parseAddress } from '../knowledge/values';
import { IntervalSet } from './intervals';
import type { Box, Dim, Domain } from './space';
import { HOOKS, traceState } from './tracer';
import type { MatchResult, PacketState } from './trace-match';
import type { PathKind } from './trace-packet';

export type Level = 'iif' | 'src' | 'proto' | 'port' | 'oif' | 'dst' | 'sport';
export const LEVELS: Record<'input' | 'forward', Level[]> = {
  input: ['iif', 'src', 'proto', 'port', 'dst', 'sport'],
  forward: ['iif', 'src', 'proto', 'port', 'oif', 'dst', 'sport'],
};

/** A cell's answer: accepted, denied, undecided (with the lines it turns on), or moved by NAT (line of the NAT rule). */
export interface Leaf { kind: 'A' | 'D' | 'U' | 'N'; lines: number[] }
export interface Tree { id: number; leaf?: Leaf; dim?: Dim; children?: { set: IntervalSet; tree: Tree }[] }

interface RuleInfo { id: number; rule: Rule; chain: Chain; box: Box; varying: boolean; h1: number; h2: number }

const PORT_PROTOS = new Set([6n, 17n, 33n, 132n, 136n]);
/** ICMP types conntrack lets start a connection (NEW): echo, timestamp, info, address mask; v6 echo and node information. */
const ICMP_NEW: Record<4 | 6, number[]> = { 4: [8, 13, 15, 17], 6: [128, 139] };
/** IPv6 extension headers and "no next header": never the upper-layer protocol of a packet. */
const V6_NOT_UPPER = [0, 43, 44, 51, 59, 60, 135, 139, 140];

/** Work limit in traced cells; past it the rest of the space is reported as undecided. */
export const CELL_BUDGET = 400_000;

export class MatrixEngine {
  readonly domain: Domain;
  readonly rules: RuleInfo[] = [];
  readonly levels: Level[];
  private readonly memo = new Map<string, Tree>();
  private readonly interned = new Map<string, Tree>();
  private cells = 0;
  exhausted = false;
  private loIndex: number;

  constructor(readonly rs: Ruleset, readonly path: 'input' | 'forward') {
    this.domain = domainOf(rs);
    this.levels = LEVELS[path];
    this.loIndex = this.domain.interfaces.atoms.findIndex((a) => !a.prefix && a.name === 'lo');
    let id = 0;
    for (const { chain } of reachableChains(rs, path)) {
      for (const rule of chain.rules) {
        const { box, varying } = safeBox(rule, this.domain);
        // Constant fields of a new connection: state NEW, not a fragment, a lone SYN for TCP.
        if (!box.state.has(1n) || !box.frag.has(0n) || !box.tcpflags.has(2n)) continue;
        this.rules.push({ id: id++, rule, chain, box, varying, h1: (Math.random() * 2 ** 32) >>> 0, h2: (Math.random() * 2 ** 32) >>> 0 });
      }
    }
  }

  /** The whole tree, root first splitting on the input interface. */
  build(): Tree {
    return this.node(0, this.rules, [], 'none');
  }

  /** The allowed values of a level's field for this matrix (loopback and non-NEW ICMP types left out). */
  range(level: Level, portKind: 'dport' | 'icmp' | 'none'): IntervalSet {
    const d = this.domain;
    switch (level) {
      case 'iif': case 'oif': {
        const all = d.full('iif');
        return this.loIndex >= 0 ? all.minus(IntervalSet.point(this.loIndex)) : all;
      }
      case 'src': case 'dst': return d.full('src');
      case 'proto': {
        const all = IntervalSet.of(1n, 255n);
        return d.family === 6 ? all.minus(IntervalSet.fromParts(V6_NOT_UPPER.map((n) => [BigInt(n), BigInt(n)]))) : all;
      }
      case 'port':
        if (portKind === 'icmp') return IntervalSet.fromParts(ICMP_NEW[d.family].map((t) => [BigInt(t * 256), BigInt(t * 256 + 255)]));
        return d.full('dport');
      case 'sport': return d.full('sport');
    }
  }

  /** What the port level splits on for a protocol. */
  protoKind(proto: bigint): 'dport' | 'icmp' | 'none' {
    if (proto === (this.domain.family === 4 ? 1n : 58n)) return 'icmp';
    return PORT_PROTOS.has(proto) ? 'dport' : 'none';
  }

  dimOf(level: Level, portKind: 'dport' | 'icmp' | 'none'): Dim {
    return level === 'port' ? (portKind === 'icmp' ? 'icmp' : 'dport') : level;
  }

  private intern(key: string, make: () => Tree): Tree {
    let t = this.interned.get(key);
    if (!t) { t = make(); t.id = this.interned.size; this.interned.set(key, t); }
    return t;
  }

  private leafTree(leaf: Leaf): Tree {
    return this.intern(`${leaf.kind}${leaf.lines.join(',')}`, () => ({ id: 0, leaf }));
  }

  private node(level: number, relevant: RuleInfo[], reps: bigint[], portKind: 'dport' | 'icmp' | 'none'): Tree {
    if (level === this.levels.length) return this.leaf(relevant, reps, portKind);
    const lv = this.levels[level];
    if ((lv === 'port' && portKind === 'none') || (lv === 'sport' && portKind !== 'dport')) {
      return this.node(level + 1, relevant, [...reps, 0n], portKind);
    }
    if (this.exhausted) return this.leafTree({ kind: 'U', lines: [] });
    const dim = this.dimOf(lv, portKind);
    const range = this.range(lv, portKind);
    const lo = range.parts[0][0], hi = range.parts[range.parts.length - 1][1];

    // Boundaries and add/remove events from the rules whose box does not cover the whole range.
    const always: RuleInfo[] = [];
    const events: [bigint, number, RuleInfo][] = [];
    const cuts = new Set<bigint>();
    for (const r of relevant) {
      const set = r.box[dim];
      if (range.subsetOf(set)) { always.push(r); continue; }
      for (const [a, b] of set.parts) {
        if (b < lo || a > hi) continue;
        const s = a < lo ? lo : a, e = b > hi ? hi : b;
        events.push([s, 1, r], [e + 1n, -1, r]);
        cuts.add(s); cuts.add(e + 1n);
      }
    }
    if (lv === 'proto') for (const p of [1n, 6n, 17n, 33n, 58n, 132n, 136n]) { cuts.add(p); cuts.add(p + 1n); }
    for (const [a, b] of range.parts) { cuts.add(a); cuts.add(b + 1n); }
    const points = [...cuts].filter((x) => x >= lo && x <= hi + 1n).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    events.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));

    let h1 = 0, h2 = 0;
    for (const r of always) { h1 ^= r.h1; h2 ^= r.h2; }
    const active = new Set<RuleInfo>();
    const groups = new Map<string, { parts: [bigint, bigint][]; tree?: Tree; first: bigint }>();
    let ev = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const x = points[k], y = points[k + 1] - 1n;
      while (ev < events.length && events[ev][0] <= x) {
        const [, delta, r] = events[ev++];
        if (delta > 0) active.add(r); else active.delete(r);
        h1 ^= r.h1; h2 ^= r.h2;
      }
      const piece = IntervalSet.of(x, y).intersect(range);
      if (piece.isEmpty) continue;
      const nextKind = lv === 'proto' ? this.protoKind(x) : portKind;
      const key = `${level}:${nextKind}:${h1}:${h2}:${active.size}`;
      let g = groups.get(key);
      if (!g) {
        g = { parts: [], first: piece.first()! };
        groups.set(key, g);
        const memoKey = `${key}:${always.length}`;
        let tree = this.memo.get(memoKey);
        if (!tree) {
          const next = [...always, ...active].sort((a, b) => a.id - b.id);
          tree = this.node(level + 1, next, [...reps, g.first], nextKind);
          this.memo.set(memoKey, tree);
        }
        g.tree = tree;
      }
      g.parts.push(...(piece.parts as [bigint, bigint][]));
    }
    // Merge the pieces whose subtrees are equal.
    const byTree = new Map<Tree, [bigint, bigint][]>();
    for (const g of groups.values()) {
      const list = byTree.get(g.tree!);
      if (list) list.push(...g.parts); else byTree.set(g.tree!, [...g.parts]);
    }
    if (byTree.size === 1) return [...byTree.keys()][0];
    const children = [...byTree].map(([tree, parts]) => ({ set: IntervalSet.fromParts(parts), tree }))
      .sort((a, b) => (a.set.first()! < b.set.first()! ? -1 : 1));
    return this.intern(`${dim}(${children.map((c) => `${c.set}:${c.tree.id}`).join('|')})`, () => ({ id: 0, dim, children }));
  }

  private leaf(relevant: RuleInfo[], reps: bigint[], portKind: 'dport' | 'icmp' | 'none'): Tree {
    if (++this.cells > CELL_BUDGET) { this.exhausted = true; return this.leafTree({ kind: 'U', lines: [] }); }
    const v = (lv: Level) => reps[this.levels.indexOf(lv)];
    const fam = this.domain.family;
    const proto = Number(v('proto'));
    const ports = portKind === 'dport';
    const icmp = portKind === 'icmp' ? Number(v('port')) : undefined;
    const state: PacketState = {
      family: fam, proto, src: v('src'), dst: v('dst'),
      sport: ports ? Number(v('sport')) : undefined, dport: ports ? Number(v('port')) : undefined,
      iif: this.interfaceName(Number(v('iif'))), oif: this.path === 'forward' ? this.interfaceName(Number(v('oif'))) : undefined, iifUnknown: false,
      state: 'NEW', tcpFlags: proto === 6 ? 0x02 : 0, icmpType: icmp === undefined ? undefined : icmp >> 8, icmpCode: icmp === undefined ? undefined : icmp & 255,
      mark: 0, ctmark: 0, ctDnat: false, ctSnat: false,
      orig: { src: v('src'), dst: v('dst') }, reply: false,
    };
    state.orig.sport = state.sport; state.orig.dport = state.dport;
    const byChain = new Map<Chain, Rule[]>();
    const varying = new Set<Rule>();
    for (const r of relevant) {
      const list = byChain.get(r.chain);
      if (list) list.push(r.rule); else byChain.set(r.chain, [r.rule]);
      if (r.varying) varying.add(r.rule);
    }
    const undecided: MatchResult = loc('depends on a condition that differs within this cell', 'このセル内で結果が変わる条件次第');
    const outcomes = traceState(this.rs, state, this.path as PathKind, {
      steps: false, stopAtRewrite: true, maxBranches: 64,
      rulesOf: (c) => byChain.get(c) ?? [],
      hint: varying.size ? (rule) => (varying.has(rule) ? undecided : undefined) : undefined,
    });
    if (outcomes.every((o) => o.verdict === 'ACCEPT')) return this.leafTree({ kind: 'A', lines: [] });
    if (outcomes.every((o) => o.verdict === 'DROP' || o.verdict === 'REJECT')) return this.leafTree({ kind: 'D', lines: [] });
    const nat = outcomes.filter((o) => o.nat && o.decidedBy).map((o) => o.decidedBy!.line);
    if (nat.length) return this.leafTree({ kind: 'N', lines: [...new Set(nat)].sort((a, b) => a - b) });
    const lines = new Set<number>();
    for (const o of outcomes) {
      for (const a of o.assumptions) lines.add(a.line);
      if (o.verdict === 'DEPENDS' && o.decidedBy) lines.add(o.decidedBy.line);
    }
    return this.leafTree({ kind: 'U', lines: [...lines].sort((a, b) => a - b) });
  }

  /** A name inside the interface atom: the exact name, or one only the atom's prefix matches. */
  interfaceName(k: number): string {
    const atoms = this.domain.interfaces.atoms;
    const a = atoms[k];
    if (a && !a.prefix) return a.name;
    const base = a ? a.name : '';
    for (const suffix of ['zz9', 'q7', 'x', 'y0', 'zq']) {
      const name = (a ? base + suffix : `if${suffix}`).slice(0, 15);
      const hits = atoms.filter((x) => (x.prefix ? name.startsWith(x.name) : name === x.name));
      const best = hits.filter((x) => x.prefix).sort((p, q) => q.name.length - p.name.length)[0];
      if (hits.every((x) => x.prefix) && (a ? best === a : hits.length === 0)) return name;
    }
    return base + 'zz9';
  }
}

/** Built-in chains on the path and every chain reached from them, in a stable order. */
export function reachableChains(rs: Ruleset, path: 'input' | 'forward'): { table: string; chain: Chain }[] {
  const out: { table: string; chain: Chain }[] = [];
  const seen = new Set<Chain>();
  for (const [table, name] of HOOKS[path]) {
    const t = rs.tables.get(table);
    const start = t?.chains.get(name);
    if (!t || !start) continue;
    const stack = [start];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      out.push({ table, chain: c });
      for (const r of c.rules) {
        const next = r.command.target && t.chains.get(r.command.target.name);
        if (next && !next.builtin && !seen.has(next)) stack.push(next);
      }
    }
  }
  return out;
}

/**
 * The rule's box, with the matches whose box would not contain every packet the rule matches
 * left out: multiport --ports (source or destination port) and conntrack states the box has no
 * field for (SNAT, DNAT). `varying`: the tracer would decide part of the rule from header values
 * the box does not split on, so inside a cell its answer might change.
 */
export function safeBox(rule: Rule, domain: Domain): { box: Box; exact: boolean; varying: boolean } {
  const cmd = rule.command;
  let dropped = false;
  const matches = cmd.matches.filter((m) => {
    if (m.name === 'multiport' && m.options.some((o) => o.name === 'ports')) { dropped = true; return false; }
    if ((m.name === 'conntrack' || m.name === 'state') && m.options.some((o) => (o.name === 'ctstate' || o.name === 'state') && /SNAT|DNAT/i.test(o.args[0]?.text ?? ''))) { dropped = true; return false; }
    return true;
  });
  const view: IptablesCommand = dropped ? { ...cmd, matches } : cmd;
  const { box, exact } = commandBox(view, domain, rule.addresses);
  const varying = cmd.matches.some((m) => m.name === 'addrtype' || (m.name === 'multiport' && m.options.some((o) => o.name === 'ports'))
    || (m.name === 'conntrack' && m.options.some((o) => /^ct(orig|repl)|^ctproto$/.test(o.name))))
    || (['source', 'destination'] as const).some((f) => cmd.generic[f] && oddMask(rule.addresses[f] ?? cmd.generic[f]!.value, domain.family));
  return { box, exact: exact && !dropped, varying };
}

/** A netmask that is not a prefix (10.0.0.0/255.0.255.0): the box cannot split on it. */
function oddMask(text: string, family: 4 | 6): boolean {
  if (!text.includes('/') || !text.slice(text.indexOf('/') + 1).includes('.')) return false;
  const r = parseAddress(text, family);
  return r.ok && 'prefix' in r.value && r.value.prefix < 0;
}
