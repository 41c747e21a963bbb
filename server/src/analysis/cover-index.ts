// An index of covers (deciding rules' boxes) by one dimension each, so that finding the covers
// that may overlap a rule does not compare it with every earlier rule of a long chain.
// Each cover is filed under the first dimension it restricts (addresses first: they are what long
// chains differ in), by the span of its set there. Spans are grouped by size class (the bit length
// of hi - lo): a span of class c that overlaps [qlo, qhi] starts in [qlo - 2^c, qhi], a range a
// binary search finds in the class's list sorted by start (plus a short unsorted list of the newest
// ones). The answer is a superset, in rule order;
// the caller still tests each candidate exactly.
import type { Box, Cover, Dim } from './space';

const KEY_ORDER: Dim[] = ['dst', 'src', 'dport', 'sport', 'iif', 'oif', 'icmp', 'proto', 'state', 'tcpflags', 'frag'];

/**
 * Spans of one size class: `los`/`ks`/`his` sorted by start, and the newest ones unsorted in `buf*`.
 * Inserting into the sorted lists one at a time moved half of them each time: a blocklist chain of
 * 20,000 rules spent most of its order analysis there. Merging the buffer in when it outgrows the
 * square root of the sorted part costs O(n sqrt n) in all, and a query scans at most that many.
 */
interface SizeClass { los: bigint[]; ks: number[]; his: bigint[]; bufLos: bigint[]; bufKs: number[]; bufHis: bigint[] }

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
    if (!sc) classes.set(c, (sc = { los: [], ks: [], his: [], bufLos: [], bufKs: [], bufHis: [] }));
    sc.bufLos.push(lo);
    sc.bufKs.push(k);
    sc.bufHis.push(hi);
    if (sc.bufLos.length > Math.max(32, Math.sqrt(sc.los.length))) mergeBuffer(sc);
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
        const min = qlo - (1n << BigInt(c));
        const from = lowerBound(sc.los, min);
        for (let i = from; i < sc.los.length && sc.los[i] <= qhi; i++) if (sc.his[i] >= qlo) out.push(sc.ks[i]);
        for (let i = 0; i < sc.bufLos.length; i++) if (sc.bufLos[i] >= min && sc.bufLos[i] <= qhi && sc.bufHis[i] >= qlo) out.push(sc.bufKs[i]);
      }
    }
    return out.sort((a, b) => a - b);
  }
}

/** Moves a size class's buffer into its sorted lists (one merge pass). */
function mergeBuffer(sc: SizeClass): void {
  const order = sc.bufLos.map((_, i) => i).sort((a, b) => (sc.bufLos[a] < sc.bufLos[b] ? -1 : sc.bufLos[a] > sc.bufLos[b] ? 1 : a - b));
  const n = sc.los.length + order.length;
  const los: bigint[] = new Array(n), ks: number[] = new Array(n), his: bigint[] = new Array(n);
  let i = 0, j = 0;
  for (let o = 0; o < n; o++) {
    // Equal starts: the older (sorted) one first, as the order of insertion.
    if (j >= order.length || (i < sc.los.length && sc.los[i] <= sc.bufLos[order[j]])) { los[o] = sc.los[i]; ks[o] = sc.ks[i]; his[o] = sc.his[i]; i++; }
    else { const b = order[j++]; los[o] = sc.bufLos[b]; ks[o] = sc.bufKs[b]; his[o] = sc.bufHis[b]; }
  }
  sc.los = los; sc.ks = ks; sc.his = his;
  sc.bufLos = []; sc.bufKs = []; sc.bufHis = [];
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
