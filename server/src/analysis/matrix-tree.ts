// The exposure matrix's engine, in two passes over the packet space of new connections.
// 1. solve(): trace one packet per cell; a rule that covers only part of the cell splits it (on the
//    first field where it does), so the space is cut only where the ruleset's answer may change.
//    Inside a final cell every rule met either contains the cell or misses it: one packet decides it.
// 2. build(): a tree over the fields in a fixed order (iif, src, proto, port, [oif], dst, sport)
//    whose leaves are those regions. Subtrees are memoised by the set of regions they overlap, and
//    equal subtrees merge: that is what yields the source groups "treated alike".
import type { Chain, Rule, Ruleset } from '../model/ruleset';
import { loc } from '../syntax/ast';
import { domainOf } from './match';
import { IntervalSet } from './intervals';
import { DIMS, type Box, type Dim, type Domain } from './space';
import { Exploration, PAUSE, type TraceOptions, type TraceOutcome } from './tracer';
import type { MatchResult, PacketState } from './trace-match';
import { overlaps, reachableChains, safeBox, subset } from './matrix-box';
import { CONTINUE } from './trace-target';

export type Level = 'iif' | 'src' | 'proto' | 'port' | 'oif' | 'dst' | 'sport';
export const LEVELS: Record<'input' | 'forward', Level[]> = {
  input: ['iif', 'src', 'proto', 'port', 'dst', 'sport'],
  forward: ['iif', 'src', 'proto', 'port', 'oif', 'dst', 'sport'],
};
type PortKind = 'dport' | 'icmp' | 'none';

/** A cell's answer: accepted, denied, undecided (lines it turns on), or moved by NAT (lines of the NAT rules). */
export interface Leaf { kind: 'A' | 'D' | 'U' | 'N'; lines: number[] }
export interface Tree { id: number; leaf?: Leaf; dim?: Dim; children?: { set: IntervalSet; tree: Tree }[] }

interface RuleInfo { rule: Rule; chain: Chain; box: Box; exact: boolean; varying: boolean }
interface Item { id: number; box: Box; leaf: Leaf; h1: number; h2: number; full: Map<Dim, boolean> }

const PORT_PROTOS = new Set([6n, 17n, 33n, 132n, 136n]);
/** ICMP types conntrack lets open a connection (NEW): echo, timestamp, info, address mask; v6 echo, node information. */
const ICMP_NEW: Record<4 | 6, number[]> = { 4: [8, 13, 15, 17], 6: [128, 139] };
/** IPv6 extension headers and "no next header": never the upper-layer protocol of a packet. */
const V6_NOT_UPPER = [0, 43, 44, 51, 59, 60, 135, 139, 140];
/** Fields in the order a partly covering rule splits a cell. */
const SPLIT_ORDER: Dim[] = ['iif', 'src', 'proto', 'dport', 'icmp', 'oif', 'dst', 'sport'];
/** Every field, the most selective first, to find quickly the rules that miss a cell. */
const CHECK_ORDER: Dim[] = ['state', 'proto', 'dst', 'dport', 'src', 'iif', 'oif', 'tcpflags', 'icmp', 'sport', 'frag'];

/** Work limit in traced cells; past it the rest of the space is reported as undecided. */
export const CELL_BUDGET = 30_000;
/**
 * Splits of one cell nested inside each other. A cell splits once per rule that covers part of it,
 * so a list of 20,000 addresses nests 20,000 deep: past this depth the rest is reported as depends
 * (deeper, the call stack overflowed, and the paused walks kept for each level take gigabytes).
 */
const SPLIT_DEPTH = 1_000;
/** Work limit of the second pass (regions looked at while grouping); past it, the rest is undecided too. */
export const GROUP_BUDGET = 150_000;

class Split { constructor(readonly info: RuleInfo, readonly dim: Dim) {} }

const UNDECIDED: MatchResult = loc('depends on a condition that differs within this cell', 'このセル内で結果が変わる条件次第');

/** The header fields of a packet state (what changes from one cell to the next). */
function header(p: PacketState): Partial<PacketState> {
  return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, iif: p.iif, oif: p.oif, tcpFlags: p.tcpFlags, icmpType: p.icmpType, icmpCode: p.icmpCode, orig: { ...p.orig } };
}

export class MatrixEngine {
  readonly domain: Domain;
  readonly rules: RuleInfo[] = [];
  readonly levels: Level[];
  exhausted = false;
  cellsTraced = 0;
  private readonly byRule = new Map<Rule, RuleInfo>();
  private readonly memo = new Map<string, Tree>();
  private readonly interned = new Map<string, Tree>();
  private readonly loIndex: number;

  constructor(readonly rs: Ruleset, readonly path: 'input' | 'forward') {
    this.domain = domainOf(rs);
    this.levels = LEVELS[path];
    this.loIndex = this.domain.interfaces.atoms.findIndex((a) => !a.prefix && a.name === 'lo');
    const inert = inertChains(rs, path);
    for (const { chain } of reachableChains(rs, path)) {
      if (inert.has(chain)) continue;
      for (const rule of chain.rules) {
        // A rule whose target changes nothing the walk can see cannot change a cell's answer.
        const t = rule.command.target;
        if (!rule.conditional && (!t || (!t.nameWord?.symbolic && (CONTINUE.has(t.name) || (!rule.command.goto && inert.has(chainByName(rs, chain, t.name)!)))))) continue;
        const info = { rule, chain, ...safeBox(rule, this.domain) };
        this.rules.push(info);
        this.byRule.set(rule, info);
      }
    }
  }

  /** The space of the matrix: new connections (state NEW, no fragment, a lone SYN for TCP), loopback left out. */
  startBox(): Box {
    const d = this.domain;
    const box = d.fullBox();
    box.iif = this.range('iif', 'none');
    box.oif = this.path === 'forward' ? this.range('oif', 'none') : IntervalSet.point(d.interfaces.max);
    box.proto = this.range('proto', 'none');
    box.icmp = this.range('port', 'icmp');
    box.state = IntervalSet.point(1n);
    box.frag = IntervalSet.point(0n);
    box.tcpflags = IntervalSet.point(2n);
    return box;
  }

  range(level: Level, portKind: PortKind): IntervalSet {
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
  protoKind(proto: bigint): PortKind {
    if (proto === (this.domain.family === 4 ? 1n : 58n)) return 'icmp';
    return PORT_PROTOS.has(proto) ? 'dport' : 'none';
  }

  // --- pass 1: regions ------------------------------------------------------------------------

  solve(): Item[] {
    const regions: Item[] = [];
    const start = this.startBox();
    // Cut the protocols that change which fields matter (ports, ICMP types) apart from the start.
    const special = [1n, 6n, 17n, 33n, 58n, 132n, 136n].map((p) => IntervalSet.point(p));
    const protoPieces = [start.proto.minus(special.reduce((a, b) => a.union(b))), ...special.map((p) => p.intersect(start.proto))].filter((s) => !s.isEmpty);
    for (const proto of protoPieces) {
      const box = { ...start, proto };
      const found = this.solveCell(box);
      for (const [b, leaf] of found) regions.push(this.item(regions.length, b, leaf));
    }
    return regions;
  }

  /**
   * The regions of one cell. The walk pauses before a rule that covers only part of the cell; the
   * cell is split on that rule's first such field and both halves resume from that rule. Halves
   * that end with the same answer come back as one region.
   */
  private solveCell(box: Box, from?: Exploration, depth = 0): [Box, Leaf][] {
    if (++this.cellsTraced > CELL_BUDGET || depth > SPLIT_DEPTH) { this.exhausted = true; return [[box, { kind: 'U', lines: [] }]]; }
    const cell = { split: undefined as Split | undefined };
    const opts = this.optionsFor(box, cell);
    const rep = this.packet(box);
    const ex = from ? from.copy(opts, (p) => Object.assign(p, header(rep))) : Exploration.start(this.rs, rep, this.path, opts);
    if (ex.run()) return [[box, this.leafOf(ex.outcomes())]];
    const { info, dim } = cell.split!;
    const out: [Box, Leaf][] = [];
    for (const part of [box[dim].minus(info.box[dim]), box[dim].intersect(info.box[dim])]) {
      if (part.isEmpty) continue;
      out.push(...this.solveCell({ ...box, [dim]: part }, ex, depth + 1));
    }
    const first = out[0][1];
    if (out.every(([, l]) => l.kind === first.kind && l.lines.join() === first.lines.join())) return [[box, first]];
    return out;
  }

  private item(id: number, box: Box, leaf: Leaf): Item {
    return { id, box, leaf, h1: (Math.random() * 2 ** 32) >>> 0, h2: (Math.random() * 2 ** 32) >>> 0, full: new Map() };
  }

  /** The tracer's options for one cell: rules that miss it are skipped, a rule covering part of it pauses the walk. */
  private optionsFor(box: Box, cell: { split?: Split }): TraceOptions {
    const hint = (rule: Rule): MatchResult | undefined | typeof PAUSE => {
      const info = this.byRule.get(rule);
      if (!info) return false; // an inert rule (only logs or counts)
      for (const d of CHECK_ORDER) if (!overlaps(box[d], info.box[d])) return false;
      for (const d of SPLIT_ORDER) {
        if (subset(box[d], info.box[d])) continue;
        cell.split = new Split(info, d);
        return PAUSE;
      }
      if (info.varying) return UNDECIDED;
      return info.exact ? true : undefined;
    };
    return { steps: false, stopAtRewrite: true, maxBranches: 64, hint };
  }

  private leafOf(outcomes: TraceOutcome[]): Leaf {
    if (outcomes.every((o) => o.verdict === 'ACCEPT')) return { kind: 'A', lines: [] };
    if (outcomes.every((o) => o.verdict === 'DROP' || o.verdict === 'REJECT')) return { kind: 'D', lines: [] };
    const nat = outcomes.filter((o) => o.nat && o.decidedBy).map((o) => o.decidedBy!.line);
    if (nat.length) return { kind: 'N', lines: [...new Set(nat)].sort((a, b) => a - b) };
    const lines = new Set<number>();
    for (const o of outcomes) {
      for (const a of o.assumptions) lines.add(a.line);
      if (o.verdict === 'DEPENDS' && o.decidedBy) lines.add(o.decidedBy.line);
    }
    return { kind: 'U', lines: [...lines].sort((a, b) => a - b) };
  }

  /** The first packet of a cell. */
  packet(box: Box): PacketState {
    const proto = Number(box.proto.first()!);
    const kind = this.protoKind(BigInt(proto));
    const ports = kind === 'dport';
    const icmp = kind === 'icmp' ? Number(box.icmp.first()!) : undefined;
    const src = box.src.first()!, dst = box.dst.first()!;
    const sport = ports ? Number(box.sport.first()!) : undefined, dport = ports ? Number(box.dport.first()!) : undefined;
    return {
      family: this.domain.family, proto, src, dst, sport, dport,
      iif: this.interfaceName(Number(box.iif.first()!)), oif: this.path === 'forward' ? this.interfaceName(Number(box.oif.first()!)) : undefined, iifUnknown: false,
      state: 'NEW', tcpFlags: proto === 6 ? 0x02 : 0, icmpType: icmp === undefined ? undefined : icmp >> 8, icmpCode: icmp === undefined ? undefined : icmp & 255,
      mark: 0, ctmark: 0, ctDnat: false, ctSnat: false, orig: { src, dst, sport, dport }, reply: false,
    };
  }

  /** A name inside the interface atom: the exact name, or one that only the atom's prefix matches. */
  interfaceName(k: number): string {
    const atoms = this.domain.interfaces.atoms;
    const a = atoms[k];
    if (a && !a.prefix) return a.name;
    for (const suffix of ['zz9', 'q7', 'x', 'y0', 'zq', '_9']) {
      const name = (a ? a.name + suffix : `if${suffix}`).slice(0, 15);
      const hits = atoms.filter((x) => (x.prefix ? name.startsWith(x.name) : name === x.name));
      if (hits.some((x) => !x.prefix)) continue;
      const longest = hits.sort((p, q) => q.name.length - p.name.length)[0];
      if (a ? longest === a : hits.length === 0) return name;
    }
    return a ? `${a.name}zz9` : 'ifzz9';
  }

  // --- pass 2: the tree in field order -----------------------------------------------------------

  build(): Tree {
    const regions = this.solve();
    return this.node(0, regions, 'none');
  }

  private intern(key: string, make: () => Tree): Tree {
    let t = this.interned.get(key);
    if (!t) { t = make(); t.id = this.interned.size; this.interned.set(key, t); }
    return t;
  }

  private dimOf(level: Level, kind: PortKind): Dim {
    return level === 'port' ? (kind === 'icmp' ? 'icmp' : 'dport') : level;
  }

  private grouped = 0;

  private node(level: number, items: Item[], kind: PortKind): Tree {
    if ((this.grouped += items.length) > GROUP_BUDGET) {
      this.exhausted = true;
      return this.intern('U', () => ({ id: 0, leaf: { kind: 'U', lines: [] } }));
    }
    if (level === this.levels.length) {
      // The regions partition the space: exactly one is left here.
      const leaf = items.length === 1 ? items[0].leaf : { kind: 'U' as const, lines: [] };
      return this.intern(`${leaf.kind}${leaf.lines.join(',')}`, () => ({ id: 0, leaf }));
    }
    const lv = this.levels[level];
    if ((lv === 'port' && kind === 'none') || (lv === 'sport' && kind !== 'dport')) return this.node(level + 1, items, kind);
    // All regions agree: nothing below this point can differ.
    const first = items[0]?.leaf;
    if (first && items.every((it) => it.leaf.kind === first.kind && it.leaf.lines.join() === first.lines.join())) {
      return this.intern(`${first.kind}${first.lines.join(',')}`, () => ({ id: 0, leaf: first }));
    }
    const dim = this.dimOf(lv, kind);
    const range = this.range(lv, kind);
    const lo = range.parts[0][0], hi = range.parts[range.parts.length - 1][1];
    const always: Item[] = [];
    const events: [bigint, number, Item][] = [];
    const cuts = new Set<bigint>();
    for (const it of items) {
      const set = it.box[dim];
      let full = it.full.get(dim);
      if (full === undefined) it.full.set(dim, full = subset(range, set));
      if (full) { always.push(it); continue; }
      for (const [a, b] of set.parts) {
        if (b < lo || a > hi) continue;
        const s = a < lo ? lo : a, e = b > hi ? hi : b;
        events.push([s, 1, it], [e + 1n, -1, it]);
        cuts.add(s); cuts.add(e + 1n);
      }
    }
    for (const [a, b] of range.parts) { cuts.add(a); cuts.add(b + 1n); }
    const points = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    events.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    let h1 = 0, h2 = 0;
    for (const it of always) { h1 ^= it.h1; h2 ^= it.h2; }
    const active = new Set<Item>();
    const byTree = new Map<Tree, [bigint, bigint][]>();
    let ev = 0;
    for (let k = 0; k + 1 < points.length; k++) {
      const x = points[k], y = points[k + 1] - 1n;
      while (ev < events.length && events[ev][0] <= x) {
        const [, delta, it] = events[ev++];
        if (delta > 0) active.add(it); else active.delete(it);
        h1 ^= it.h1; h2 ^= it.h2;
      }
      const piece = IntervalSet.of(x, y).intersect(range);
      if (piece.isEmpty) continue;
      const next = lv === 'proto' ? this.protoKind(x) : kind;
      const key = `${level}:${next}:${h1}:${h2}:${always.length + active.size}`;
      let tree = this.memo.get(key);
      if (!tree) {
        tree = this.node(level + 1, [...always, ...active], next);
        this.memo.set(key, tree);
      }
      const list = byTree.get(tree);
      if (list) list.push(...(piece.parts as [bigint, bigint][])); else byTree.set(tree, [...(piece.parts as [bigint, bigint][])]);
    }
    if (byTree.size === 1) return [...byTree.keys()][0];
    const children = [...byTree].map(([tree, parts]) => ({ set: IntervalSet.fromParts(parts), tree }))
      .sort((a, b) => (a.set.first()! < b.set.first()! ? -1 : 1));
    return this.intern(`${dim}(${children.map((c) => `${c.set}:${c.tree.id}`).join('|')})`, () => ({ id: 0, dim, children }));
  }
}

function chainByName(rs: Ruleset, from: Chain, name: string): Chain | undefined {
  for (const t of rs.tables.values()) if (t.chains.get(from.name) === from) return t.chains.get(name);
  return undefined;
}

/** User chains whose rules (and the chains they call) only log or count: jumping there changes nothing. */
function inertChains(rs: Ruleset, path: 'input' | 'forward'): Set<Chain> {
  const inert = new Set<Chain>();
  const chains = reachableChains(rs, path).filter((c) => !c.chain.builtin);
  for (let changed = true; changed;) {
    changed = false;
    for (const { table, chain } of chains) {
      if (inert.has(chain)) continue;
      const ok = chain.rules.every((r) => {
        const t = r.command.target;
        if (r.conditional) return false;
        if (!t) return true;
        if (t.nameWord?.symbolic) return false;
        if (CONTINUE.has(t.name)) return true;
        const target = rs.tables.get(table)?.chains.get(t.name);
        return !!target && !target.builtin && !r.command.goto && inert.has(target);
      });
      if (ok) { inert.add(chain); changed = true; }
    }
  }
  return inert;
}
