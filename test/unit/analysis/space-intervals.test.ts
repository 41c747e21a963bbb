// IntervalSet against brute force: every operation on sets of 0..7 (and on a wider range with
// gaps) compared with the same operation on plain bit masks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalSet } from '../../../server/src/analysis/intervals';

const BITS = 8; // domain 0..7

function fromMask(mask: number): IntervalSet {
  const parts: [bigint, bigint][] = [];
  for (let v = 0; v < BITS; v++) if (mask & (1 << v)) parts.push([BigInt(v), BigInt(v)]);
  return IntervalSet.fromParts(parts);
}

/** The same set built from random, possibly overlapping and unsorted intervals. */
const arbSet = fc.array(fc.tuple(fc.integer({ min: 0, max: BITS - 1 }), fc.integer({ min: 0, max: BITS - 1 })), { maxLength: 5 }).map((pairs) => {
  let mask = 0;
  const parts: [bigint, bigint][] = [];
  for (const [a, b] of pairs) {
    parts.push([BigInt(a), BigInt(b)]); // a > b is an empty interval
    for (let v = a; v <= b; v++) mask |= 1 << v;
  }
  return { set: IntervalSet.fromParts(parts), mask };
});

function toMask(s: IntervalSet): number {
  let mask = 0;
  for (let v = 0; v < BITS; v++) if (s.has(BigInt(v))) mask |= 1 << v;
  return mask;
}

/** Canonical form: sorted, disjoint, non-adjacent, inside 0..7. */
function assertCanonical(s: IntervalSet): void {
  for (let k = 0; k < s.parts.length; k++) {
    const [a, b] = s.parts[k];
    assert.ok(a <= b, 'interval not empty');
    assert.ok(a >= 0n && b < BigInt(BITS), 'inside the domain');
    if (k > 0) assert.ok(a > s.parts[k - 1][1] + 1n, 'sorted, disjoint and non-adjacent');
  }
}

const popcount = (m: number) => { let n = 0; for (; m; m &= m - 1) n++; return n; };

test('IntervalSet operations agree with bit masks on 0..7', () => {
  fc.assert(fc.property(arbSet, arbSet, ({ set: a, mask: ma }, { set: b, mask: mb }) => {
    assertCanonical(a);
    assert.equal(toMask(a), ma);
    const all = (1 << BITS) - 1;
    const checks: [IntervalSet, number][] = [
      [a.union(b), ma | mb],
      [a.intersect(b), ma & mb],
      [a.minus(b), ma & ~mb],
      [a.complement(0n, BigInt(BITS - 1)), all & ~ma],
      [a.complement(2n, 5n), 0b00111100 & ~ma],
    ];
    for (const [s, m] of checks) { assertCanonical(s); assert.equal(toMask(s), m); assert.ok(s.equals(fromMask(m))); }
    assert.equal(a.subsetOf(b), (ma & ~mb) === 0);
    assert.equal(a.overlaps(b), (ma & mb) !== 0);
    assert.equal(a.isEmpty, ma === 0);
    assert.equal(a.equals(b), ma === mb);
    assert.equal(a.size(), BigInt(popcount(ma)));
    assert.equal(a.isRange(0n, BigInt(BITS - 1)), ma === all);
    assert.equal(a.first(), ma === 0 ? undefined : BigInt(Math.log2(ma & -ma)));
  }), { numRuns: 3000 });
});

test('IntervalSet keeps 128-bit bounds exact', () => {
  const max = (1n << 128n) - 1n;
  const lowHalf = IntervalSet.of(0n, (1n << 127n) - 1n);
  const highHalf = lowHalf.complement(0n, max);
  assert.deepEqual(highHalf.parts, [[1n << 127n, max]]);
  assert.ok(lowHalf.union(highHalf).isRange(0n, max));
  assert.ok(!lowHalf.overlaps(highHalf));
  assert.ok(IntervalSet.point(max).subsetOf(highHalf));
  assert.equal(highHalf.size(), 1n << 127n);
});
