// Packet space: a set of packets is a union of boxes, a box being one interval set per header
// field. Exact set algebra on boxes (intersection, difference, coverage) is what lets the rule
// order checks, the tracer and the exposure matrix make claims that are true for every packet.
import type { Family } from '../syntax/ast';
import { IntervalSet } from './intervals';

export const DIMS = ['src', 'dst', 'proto', 'sport', 'dport', 'iif', 'oif', 'state', 'tcpflags', 'icmp', 'frag'] as const;
export type Dim = (typeof DIMS)[number];
export type Box = Record<Dim, IntervalSet>;

/** Interface names seen in a ruleset, split into atoms so that `eth+` and `eth0` become intervals. */
export class InterfaceAtoms {
  /** Sorted atoms: exact names, and for each prefix p `p*` = "any other name starting with p". */
  readonly atoms: { name: string; prefix: boolean }[];

  constructor(patterns: Iterable<string>) {
    const exact = new Set<string>(), prefixes = new Set<string>();
    for (const p of patterns) (p.endsWith('+') ? prefixes : exact).add(p.endsWith('+') ? p.slice(0, -1) : p);
    prefixes.delete('');
    this.atoms = [...[...exact].map((name) => ({ name, prefix: false })), ...[...prefixes].map((name) => ({ name, prefix: true }))];
    // The last index (atoms.length) stands for every name matching none of the patterns.
  }

  get max(): bigint { return BigInt(this.atoms.length); }

  /** The atoms a pattern (`eth0`, `eth+`, `+`) matches. */
  set(pattern: string): IntervalSet {
    if (pattern === '+') return IntervalSet.of(0n, this.max);
    const isPrefix = pattern.endsWith('+');
    const p = isPrefix ? pattern.slice(0, -1) : pattern;
    let out = IntervalSet.EMPTY;
    this.atoms.forEach((a, k) => {
      const hit = isPrefix ? a.name.startsWith(p) : !a.prefix && a.name === p;
      if (hit) out = out.union(IntervalSet.point(k));
    });
    return out;
  }

  /** The atom of one concrete interface name: itself if declared, else the longest declared prefix, else "other". */
  atomOf(name: string): number {
    let best = -1, bestLen = -1;
    for (let k = 0; k < this.atoms.length; k++) {
      const a = this.atoms[k];
      if (!a.prefix) { if (a.name === name) return k; continue; }
      if (name.startsWith(a.name) && a.name.length > bestLen) { best = k; bestLen = a.name.length; }
    }
    return best >= 0 ? best : this.atoms.length;
  }

  /** A concrete name in an atom (for example packets): one that no other atom claims. */
  example(k: number): string {
    const a = this.atoms[k];
    if (a && !a.prefix) return a.name;
    for (const base of a ? [a.name] : ['other', 'ifq', 'z']) {
      for (let n = 0; n < 100; n++) {
        const name = `${base}${n < 10 ? n : `x${n}`}`;
        if (this.atomOf(name) === k) return name;
      }
    }
    return a?.name ?? 'other'; // not reached with real names: every prefix has room for a digit
  }
}

export class Domain {
  readonly max: Record<Dim, bigint>;
  private readonly fullSets = {} as Record<Dim, IntervalSet>;
  constructor(readonly family: Family, readonly interfaces: InterfaceAtoms) {
    const addr = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    this.max = { src: addr, dst: addr, proto: 255n, sport: 65535n, dport: 65535n, iif: interfaces.max, oif: interfaces.max, state: 4n, tcpflags: 63n, icmp: 65535n, frag: 1n };
    for (const d of DIMS) this.fullSets[d] = IntervalSet.of(0n, this.max[d]);
  }

  /** The whole dimension (one shared, immutable set per dimension). */
  full(dim: Dim): IntervalSet { return this.fullSets[dim]; }

  isFull(dim: Dim, set: IntervalSet): boolean { return set === this.fullSets[dim] || set.isRange(0n, this.max[dim]); }

  fullBox(): Box {
    const b = {} as Box;
    for (const d of DIMS) b[d] = this.fullSets[d];
    return b;
  }

  /** The dimensions a box restricts: the only ones that overlap and containment tests need to look at. */
  restricted(box: Box): Dim[] { return DIMS.filter((d) => !this.isFull(d, box[d])); }
}

export function intersectBox(a: Box, b: Box): Box | undefined {
  const out = {} as Box;
  for (const d of DIMS) {
    const s = a[d].intersect(b[d]);
    if (s.isEmpty) return undefined;
    out[d] = s;
  }
  return out;
}

/** a \ b as at most |DIMS| disjoint boxes. */
export function subtractBox(a: Box, b: Box): Box[] {
  for (const d of DIMS) if (!a[d].overlaps(b[d])) return [a];
  return subtractInside(a, b, DIMS);
}

/** a \ b when they overlap, looking only at `dims` (the dimensions b restricts). */
function subtractInside(a: Box, b: Box, dims: readonly Dim[]): Box[] {
  const out: Box[] = [];
  let rest: Box = a;
  for (const d of dims) {
    if (rest[d].subsetOf(b[d])) continue;
    out.push({ ...rest, [d]: rest[d].minus(b[d]) });
    rest = { ...rest, [d]: rest[d].intersect(b[d]) };
  }
  return out;
}

/** Default work limit of one coverage question; past it the answer is "unknown", never a guess. */
export const WORK_LIMIT = 20000;

/** A box with the dimensions it restricts, so tests skip the dimensions it leaves whole. */
export interface Cover { box: Box; dims: readonly Dim[] }

export function boxOverlaps(a: Box, c: Cover): boolean {
  for (const d of c.dims) if (!a[d].overlaps(c.box[d])) return false;
  return true;
}

export function boxInside(a: Box, c: Cover): boolean {
  for (const d of c.dims) if (!a[d].subsetOf(c.box[d])) return false;
  return true;
}

export interface Coverage { covered: boolean; used: number[] }

/**
 * Is every packet of `box` in the union of `covers`, taken in order (first match wins)? When it is,
 * `used` lists (ascending) the covers that are the first match of at least one packet of `box`.
 * Undefined when the work budget ran out: the caller then claims nothing.
 *
 * Depth first: the cover that comes first decides its part of a piece; the rest of the piece is
 * split into disjoint boxes, each checked against the later covers. Pieces with the fewest
 * candidate covers go first, so a piece no cover touches (the usual answer) ends the search early.
 */
export function coveredBy(box: Box, covers: (Box | Cover)[], budget: { left: number } = { left: WORK_LIMIT }): Coverage | undefined {
  return coveredByCovers(box, covers.map((c) => ('dims' in c && 'box' in c ? c as Cover : { box: c as Box, dims: DIMS })), budget);
}

/**
 * coveredBy for covers that list their restricted dimensions (the fast path of the order checks).
 * `maybe`: the indices (ascending) of the only covers that may overlap the box, from an index.
 */
export function coveredByCovers(box: Box, cs: readonly Cover[], budget: { left: number } = { left: WORK_LIMIT }, maybe?: readonly number[]): Coverage | undefined {
  if (boxIsEmpty(box)) return { covered: true, used: [] }; // nothing to cover
  const scan = maybe ?? cs.map((_, k) => k);
  budget.left -= scan.length;
  const first: number[] = [];
  for (const k of scan) if (boxOverlaps(box, cs[k])) first.push(k);
  if (!first.length) return { covered: false, used: [] };
  if (first.length > 8 && !projectionsCover(box, cs, first)) return { covered: false, used: [] };
  const used = new Set<number>();
  const stack: { piece: Box; cands: number[] }[] = [{ piece: box, cands: first }];
  while (stack.length) {
    const { piece, cands } = stack.pop()!;
    if (!cands.length) return { covered: false, used: [] };
    const k = cands[0];
    used.add(k);
    if (boxInside(piece, cs[k])) continue;
    const children: { piece: Box; cands: number[] }[] = [];
    for (const p of subtractInside(piece, cs[k].box, cs[k].dims)) {
      const list: number[] = [];
      for (let j = 1; j < cands.length; j++) if (boxOverlaps(p, cs[cands[j]])) list.push(cands[j]);
      budget.left -= cands.length;
      if (!list.length) return { covered: false, used: [] };
      children.push({ piece: p, cands: list });
    }
    if (budget.left < 0) return undefined;
    // Popped last = explored first: the piece with the fewest candidates.
    children.sort((a, b) => b.cands.length - a.cands.length);
    for (const c of children) stack.push(c);
  }
  return { covered: true, used: [...used].sort((a, b) => a - b) };
}

/**
 * A necessary condition, cheap to test: in every dimension that all the covers restrict, the
 * union of their sets holds the box's set (a blocklist of single addresses never covers a rule
 * open to every address: said at once instead of after thousands of splits).
 */
function projectionsCover(box: Box, cs: readonly Cover[], ks: number[]): boolean {
  const all = new Map<Dim, number>();
  for (const k of ks) for (const d of cs[k].dims) all.set(d, (all.get(d) ?? 0) + 1);
  for (const [d, n] of all) {
    if (n !== ks.length) continue;
    const parts: [bigint, bigint][] = [];
    for (const k of ks) for (const p of cs[k].box[d].parts) parts.push([p[0], p[1]]);
    if (!box[d].subsetOf(IntervalSet.fromParts(parts))) return false;
  }
  return true;
}

export function boxIsEmpty(b: Box): boolean { return DIMS.some((d) => b[d].isEmpty); }
