// Sets of integers as sorted, disjoint, non-adjacent closed intervals [lo, hi] over bigint, so
// the same code serves 128-bit IPv6 addresses, ports, protocol numbers and small enumerations.

export type Interval = readonly [bigint, bigint];

export class IntervalSet {
  private constructor(readonly parts: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);
  static of(lo: bigint, hi: bigint): IntervalSet { return lo > hi ? IntervalSet.EMPTY : new IntervalSet([[lo, hi]]); }
  static point(v: bigint | number): IntervalSet { const b = BigInt(v); return new IntervalSet([[b, b]]); }
  static fromParts(parts: Interval[]): IntervalSet { return new IntervalSet(normalize(parts)); }

  get isEmpty(): boolean { return this.parts.length === 0; }

  has(v: bigint): boolean {
    let lo = 0, hi = this.parts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.parts[mid];
      if (v < a) hi = mid - 1;
      else if (v > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty) return this;
    if (this.isEmpty) return o;
    return new IntervalSet(normalize([...this.parts, ...o.parts]));
  }

  intersect(o: IntervalSet): IntervalSet {
    const out: Interval[] = [];
    let i = 0, j = 0;
    while (i < this.parts.length && j < o.parts.length) {
      const [a1, b1] = this.parts[i], [a2, b2] = o.parts[j];
      const lo = a1 > a2 ? a1 : a2, hi = b1 < b2 ? b1 : b2;
      if (lo <= hi) out.push([lo, hi]);
      if (b1 < b2) i++; else j++;
    }
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  /** Complement within [min, max]. */
  complement(min: bigint, max: bigint): IntervalSet {
    const out: Interval[] = [];
    let next = min;
    for (const [a, b] of this.parts) {
      if (a > next) out.push([next, a - 1n < max ? a - 1n : max]);
      if (b + 1n > next) next = b + 1n;
      if (next > max) break;
    }
    if (next <= max) out.push([next, max]);
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  minus(o: IntervalSet): IntervalSet {
    if (this.isEmpty || o.isEmpty) return this;
    const lo = this.parts[0][0], hi = this.parts[this.parts.length - 1][1];
    return this.intersect(o.complement(lo, hi));
  }

  /** Every member of this set is in `o` (no allocation: the order checks call this a lot). */
  subsetOf(o: IntervalSet): boolean {
    const a = this.parts, b = o.parts;
    let j = 0;
    for (let i = 0; i < a.length; i++) {
      const [lo, hi] = a[i];
      while (j < b.length && b[j][1] < lo) j++;
      // Parts are non-adjacent, so one part of `o` must hold the whole part of this set.
      if (j === b.length || b[j][0] > lo || b[j][1] < hi) return false;
    }
    return true;
  }

  /** Some integer is in both sets (no allocation). */
  overlaps(o: IntervalSet): boolean {
    const a = this.parts, b = o.parts;
    let i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i][1] < b[j][0]) i++;
      else if (b[j][1] < a[i][0]) j++;
      else return true;
    }
    return false;
  }

  /** The set is exactly [min, max]. */
  isRange(min: bigint, max: bigint): boolean {
    return this.parts.length === 1 && this.parts[0][0] === min && this.parts[0][1] === max;
  }

  equals(o: IntervalSet): boolean {
    if (this.parts.length !== o.parts.length) return false;
    return this.parts.every(([a, b], k) => a === o.parts[k][0] && b === o.parts[k][1]);
  }

  /** Number of integers in the set. */
  size(): bigint { return this.parts.reduce((n, [a, b]) => n + (b - a + 1n), 0n); }

  /** Smallest member, for examples in messages and tests. */
  first(): bigint | undefined { return this.parts[0]?.[0]; }

  toString(): string { return this.parts.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(','); }
}

function normalize(parts: Interval[]): Interval[] {
  const sorted = parts.filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) { if (b > last[1]) last[1] = b; }
    else out.push([a, b]);
  }
  return out;
}
