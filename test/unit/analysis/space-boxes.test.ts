// Boxes against brute force: three small dimensions (0..7 each, 512 points), the other
// dimensions pinned to one value. subtractBox, intersectBox and coveredBy are compared with the
// same questions answered point by point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalSet } from '../../../server/src/analysis/intervals';
import { DIMS, coveredBy, intersectBox, subtractBox, boxInside, boxOverlaps, type Box, type Dim } from '../../../server/src/analysis/space';

const USED: Dim[] = ['src', 'dport', 'state'];
const N = 8;

const arbDimSet = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 0, max: N - 1 })).map(([a, b]) => IntervalSet.of(BigInt(Math.min(a, b)), BigInt(Math.max(a, b)))),
  fc.integer({ min: 0, max: 255 }).map((mask) => {
    const parts: [bigint, bigint][] = [];
    for (let v = 0; v < N; v++) if (mask & (1 << v)) parts.push([BigInt(v), BigInt(v)]);
    return IntervalSet.fromParts(parts);
  }),
  fc.constant(IntervalSet.of(0n, BigInt(N - 1))),
);

const arbBox = fc.tuple(arbDimSet, arbDimSet, arbDimSet).map(([a, b, c]) => {
  const box = {} as Box;
  for (const d of DIMS) box[d] = IntervalSet.point(0);
  box.src = a; box.dport = b; box.state = c;
  return box;
});

type Pt = [number, number, number];
const POINTS: Pt[] = [];
for (let x = 0; x < N; x++) for (let y = 0; y < N; y++) for (let z = 0; z < N; z++) POINTS.push([x, y, z]);
const inBox = (b: Box, p: Pt) => USED.every((d, k) => b[d].has(BigInt(p[k])));

test('subtractBox gives disjoint boxes whose union is a \\ b; intersectBox is a ∩ b', () => {
  fc.assert(fc.property(arbBox, arbBox, (a, b) => {
    const pieces = subtractBox(a, b);
    const inter = intersectBox(a, b);
    for (const p of POINTS) {
      const want = inBox(a, p) && !inBox(b, p);
      const hits = pieces.filter((x) => inBox(x, p)).length;
      assert.equal(hits, want ? 1 : 0, `point ${p}`);
      assert.equal(!!inter && inBox(inter, p), inBox(a, p) && inBox(b, p));
    }
    assert.ok(pieces.length <= USED.length || pieces.length <= DIMS.length);
  }), { numRuns: 1500 });
});

test('boxInside and boxOverlaps agree with points', () => {
  fc.assert(fc.property(arbBox, arbBox, (a, b) => {
    const cover = { box: b, dims: DIMS };
    const pa = POINTS.filter((p) => inBox(a, p));
    if (!pa.length) return; // the tests are for non-empty boxes (an empty rule box is never asked)
    assert.equal(boxInside(a, cover), pa.every((p) => inBox(b, p)));
    assert.equal(boxOverlaps(a, cover), pa.some((p) => inBox(b, p)));
    // With only the dimensions b restricts listed, the answers are the same.
    const dims = DIMS.filter((d) => !b[d].isRange(0n, BigInt(N - 1)) || !USED.includes(d));
    assert.equal(boxInside(a, { box: b, dims }), boxInside(a, cover));
    assert.equal(boxOverlaps(a, { box: b, dims }), boxOverlaps(a, cover));
  }), { numRuns: 1500 });
});

test('coveredBy: covered exactly when every point is in some cover; used = the first-match covers', () => {
  fc.assert(fc.property(arbBox, fc.array(arbBox, { maxLength: 7 }), (box, covers) => {
    const res = coveredBy(box, covers, { left: 1e9 });
    assert.ok(res, 'no budget limit here');
    const pts = POINTS.filter((p) => inBox(box, p));
    const first = pts.map((p) => covers.findIndex((c) => inBox(c, p)));
    const covered = first.every((k) => k >= 0);
    assert.equal(res.covered, covered);
    if (covered) assert.deepEqual(res.used, [...new Set(first)].sort((x, y) => x - y));
  }), { numRuns: 2000 });
});

test('coveredBy gives up (undefined) rather than guessing when the budget runs out', () => {
  // 64 single points, in an order that fragments the box: needs far more than a budget of 10.
  const box = {} as Box;
  for (const d of DIMS) box[d] = IntervalSet.point(0);
  box.src = IntervalSet.of(0n, 7n); box.dport = IntervalSet.of(0n, 7n);
  const covers: Box[] = [];
  for (let x = 0n; x < 8n; x++) for (let y = 0n; y < 8n; y++) covers.push({ ...box, src: IntervalSet.point(x), dport: IntervalSet.point(y) });
  assert.equal(coveredBy(box, covers, { left: 10 }), undefined);
  const full = coveredBy(box, covers, { left: 1e7 });
  assert.equal(full?.covered, true);
  assert.equal(full?.used.length, 64);
});
