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

  /** A representative name for an atom (for example packets). */
  example(k: number): string {
    const a = this.atoms[k];
    if (!a) return 'other0';
    return a.prefix ? `${a.name}zz9` : a.name;
  }
}

export class Domain {
  readonly max: Record<Dim, bigint>;
  constructor(readonly family: Family, readonly interfaces: InterfaceAtoms) {
    const addr = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    this.max = { src: addr, dst: addr, proto: 255n, sport: 65535n, dport: 65535n, iif: interfaces.max, oif: interfaces.max, state: 4n, tcpflags: 63n, icmp: 65535n, frag: 1n };
  }

  full(dim: Dim): IntervalSet { return IntervalSet.of(0n, this.max[dim]); }

  fullBox(): Box {
    const b = {} as Box;
    for (const d of DIMS) b[d] = this.full(d);
    return b;
  }
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
  if (!intersectBox(a, b)) return [a];
  const out: Box[] = [];
  let rest: Box = { ...a };
  for (const d of DIMS) {
    const outside = rest[d].minus(b[d]);
    if (!outside.isEmpty) out.push({ ...rest, [d]: outside });
    rest = { ...rest, [d]: rest[d].intersect(b[d]) };
  }
  return out;
}

/** Limit on intermediate boxes; past it the answer is "unknown" rather than a slow or false one. */
export const WORK_LIMIT = 20000;

/**
 * Is every packet of `box` inside the union of `covers`? `undefined` when the work limit was hit.
 * Returns the covers that took part when true.
 */
export function coveredBy(box: Box, covers: Box[]): { covered: boolean; used: number[] } | undefined {
  let remaining: Box[] = [box];
  const used: number[] = [];
  for (let k = 0; k < covers.length && remaining.length; k++) {
    const c = covers[k];
    let touched = false;
    const next: Box[] = [];
    for (const r of remaining) {
      if (!intersectBox(r, c)) { next.push(r); continue; }
      touched = true;
      next.push(...subtractBox(r, c));
    }
    if (touched) used.push(k);
    remaining = next;
    if (remaining.length > WORK_LIMIT) return undefined;
  }
  return { covered: remaining.length === 0, used };
}

export function boxIsEmpty(b: Box): boolean { return DIMS.some((d) => b[d].isEmpty); }
