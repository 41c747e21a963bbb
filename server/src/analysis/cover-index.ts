// An index of covers (deciding rules' boxes) by one dimension each, so that finding the covers
// that may overlap a rule does not compare it with every earlier rule of a long chain.
// Each cover is filed under the first dimension it restricts (addresses first: they are what long
// chains differ in), by the span of its set there. Spans are grouped by size class (the bit length
// of hi - lo): a span of class c that overlaps [qlo, qhi] starts in [qlo - 2^c, qhi], a range a
// binary search finds in the class's list sorted by start. The answer is a superset, in rule order;
// the caller still tests each candidate exactly.
import type { Box, Cover, Dim } from './space';

const KEY_ORDER: Dim[] = ['dst', 'src', 'dport', 'sport', 'iif', 'oif', 'icmp', 'proto', 'state', 'tcpflags', 'frag'];

interface SizeClass { los: bigint[]; ks: number[]; his: bigint[] }

export class CoverIndex {
  readonly covers: Cover[] = [];
  /** Covers that restrict no dimension (a catch-all). */
  private readonly unkeyed: number[] = [];
  private readonly byDim = new Map<Dim, Map<number, SizeClass>>();

  add(cover: Cover): void {
    const k = this.covers.length;
    this.covers.push(cover);
    const d = KEY_ORDER.find((x) => cover.dims.includes(x));
    const parts = d ? cover.box[d].parts : [];
    if (!d || !parts.length) { this.unkeyed.push(k); return; }
    const lo = parts[0][0], hi = parts[parts.length - 1][1];
    const c = bitLength(hi - lo);
    let classes = this.byDim.get(d);
    if (!classes) this.byDim.set(d, (classes = new Map()));
    let sc = classes.get(c);
    if (!sc) classes.set(c, (sc = { los: [], ks: [], his: [] }));
    // Sorted by start; equal starts keep insertion order.
    const at = upperBound(sc.los, lo);
    sc.los.splice(at, 0, lo);
    sc.ks.splice(at, 0, k);
    sc.his.splice(at, 0, hi);
  }

  get size(): number { return this.covers.length; }

  /** Indices (ascending) of the covers that may overlap `box`. */
  candidates(box: Box): number[] {
    const out = [...this.unkeyed];
    for (const [d, classes] of this.byDim) {
      const parts = box[d].parts;
      if (!parts.length) return [];
      const qlo = parts[0][0], qhi = parts[parts.length - 1][1];
      for (const [c, sc] of classes) {
        const from = lowerBound(sc.los, qlo - (1n << BigInt(c)));
        for (let i = from; i < sc.los.length && sc.los[i] <= qhi; i++) if (sc.his[i] >= qlo) out.push(sc.ks[i]);
      }
    }
    return out.sort((a, b) => a - b);
  }
}

function bitLength(n: bigint): number {
  let bits = 0;
  while (n > 0xffffffffn) { n >>= 32n; bits += 32; }
  return bits + (n === 0n ? 0 : 32 - Math.clz32(Number(n)));
}

/** First index whose value is >= v. */
function lowerBound(a: bigint[], v: bigint): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] < v) lo = m + 1; else hi = m; }
  return lo;
}

/** First index whose value is > v. */
function upperBound(a: bigint[], v: bigint): number {
  let lo = 0, hi = a.length;
  while (lo < hi) { const m = (lo + hi) >> 1; if (a[m] <= v) lo = m + 1; else hi = m; }
  return lo;
}
