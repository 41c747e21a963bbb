// The cover index returns every cover that overlaps a box on its indexed dimension (a superset is
// allowed, never a miss), in ascending order, however many covers it holds: long chains (a
// blocklist of thousands of addresses) go through its sorted lists and its buffer of new entries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CoverIndex } from '../../../server/src/analysis/cover-index';
import { DIMS, boxOverlaps, type Box, type Cover, type Dim } from '../../../server/src/analysis/space';
import { IntervalSet } from '../../../server/src/analysis/intervals';

const FULL: Box = Object.fromEntries(DIMS.map((d) => [d, IntervalSet.of(0n, (1n << 32n) - 1n)])) as Box;

/** A box restricting `src` (and sometimes `dport`) to spans of many sizes, like /32 to /8 networks. */
const span = fc.tuple(fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 12 })).map(([at, bits]) => {
  const lo = BigInt(at) << 4n;
  return IntervalSet.of(lo, lo + (1n << BigInt(bits)) - 1n);
});
const cover = fc.record({ src: span, dport: fc.option(span, { nil: undefined }), catchAll: fc.boolean() }).map(({ src, dport, catchAll }): Cover => {
  if (catchAll && dport === undefined) return { box: FULL, dims: [] };
  const box = { ...FULL, src, ...(dport ? { dport } : {}) } as Box;
  const dims: Dim[] = dport ? ['src', 'dport'] : ['src'];
  return { box, dims };
});

test('candidates never miss an overlapping cover, with thousands of covers', () => {
  fc.assert(
    fc.property(fc.array(cover, { minLength: 300, maxLength: 3000, size: 'max' }), fc.array(span, { minLength: 1, maxLength: 20 }), (covers, queries) => {
      const index = new CoverIndex();
      covers.forEach((c, n) => {
        index.add(c);
        // Ask after some additions (the buffer is merged at varying sizes) and at the end.
        if (n % 97 !== 0 && n !== covers.length - 1) return;
        for (const q of queries) {
          const box = { ...FULL, src: q } as Box;
          const got = index.candidates(box);
          assert.deepEqual(got, [...got].sort((a, b) => a - b), 'ascending');
          assert.equal(new Set(got).size, got.length, 'no duplicates');
          const have = new Set(got);
          for (let k = 0; k <= n; k++) if (boxOverlaps(box, covers[k]) && !have.has(k)) assert.fail(`cover ${k} overlaps the query but is not a candidate (after ${n + 1} covers)`);
        }
      });
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 40), seed: Number(process.env.FUZZ_SEED ?? 3) },
  );
});
