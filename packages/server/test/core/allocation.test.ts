import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationError, allocate } from "../../src/core/allocation.js";
import { sum } from "../../src/core/arithmetic.js";
import { check } from "./helpers.js";

/** Amounts with plenty of zeros and both small and large magnitudes. */
const amount = fc.oneof(
  { weight: 2, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.nat({ max: 100 }) },
  { weight: 3, arbitrary: fc.nat({ max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.nat({ max: 10 ** 12 }) },
);
const lines = fc.array(fc.record({ weight: amount, cap: amount }), { maxLength: 12 });

/** A total between 0 and `max` inclusive, with the two ends picked often. */
const totalUpTo = (max: number) =>
  fc.oneof(
    fc.constant(0),
    fc.constant(max),
    fc.integer({ min: 0, max }),
    fc.integer({ min: 0, max: Math.min(max, 50) }),
  );

const caseWithTotal = lines.chain((ls) =>
  totalUpTo(sum(ls.map((l) => l.cap))).map((total) => ({
    total,
    weights: ls.map((l) => l.weight),
    caps: ls.map((l) => l.cap),
  })),
);

describe("allocate with caps", () => {
  it("sums exactly to the total, keeps 0 <= share <= cap, and is deterministic", () => {
    fc.assert(
      fc.property(caseWithTotal, ({ total, weights, caps }) => {
        const shares = allocate(total, weights, caps);
        const show = () => JSON.stringify(shares);
        check(shares.length === weights.length, show);
        check(sum(shares) === total, show);
        shares.forEach((s, i) => {
          check(Number.isSafeInteger(s) && s >= 0 && s <= caps[i]!, show);
        });
        expect(allocate(total, [...weights], [...caps])).toEqual(shares);
      }),
      { numRuns: 1000 },
    );
  });

  it("gives nothing to a zero-weight line while some weighted line still has room", () => {
    fc.assert(
      fc.property(caseWithTotal, ({ total, weights, caps }) => {
        const shares = allocate(total, weights, caps);
        const weightedHaveRoom = weights.some((w, i) => w > 0 && shares[i]! < caps[i]!);
        if (weightedHaveRoom) {
          weights.forEach((w, i) => {
            if (w === 0) expect(shares[i]).toBe(0);
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it("matches the plain proportion when no cap binds", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 10 }),
        fc.nat({ max: 10 ** 9 }),
        (weights, total) => {
          const weightSum = sum(weights);
          fc.pre(weightSum > 0);
          // Caps far above any proportional share.
          const caps = weights.map(() => total + 1);
          const shares = allocate(total, weights, caps);
          expect(sum(shares)).toBe(total);
          const W = BigInt(weightSum);
          shares.forEach((s, i) => {
            // |s - total*w/W| < 1  <=>  |s*W - total*w| < W
            const diff = BigInt(s) * W - BigInt(total) * BigInt(weights[i]!);
            expect(diff < W && diff > -W).toBe(true);
            if (weights[i] === 0) expect(s).toBe(0);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("throws AllocationError when the total exceeds the sum of caps", () => {
    fc.assert(
      fc.property(lines, fc.integer({ min: 1, max: 1_000 }), (ls, excess) => {
        const caps = ls.map((l) => l.cap);
        const weights = ls.map((l) => l.weight);
        expect(() => allocate(sum(caps) + excess, weights, caps)).toThrow(AllocationError);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects malformed input", () => {
    expect(() => allocate(-1, [1])).toThrow(AllocationError);
    expect(() => allocate(1.5, [2])).toThrow(AllocationError);
    expect(() => allocate(1, [1, 1], [1])).toThrow(AllocationError);
    expect(() => allocate(1, [-1, 2], [1, 2])).toThrow(AllocationError);
    expect(() => allocate(1, [1, 2], [1, 0.5])).toThrow(AllocationError);
    expect(() => allocate(1, [])).toThrow(AllocationError);
    expect(allocate(0, [])).toEqual([]);
  });

  it("examples", () => {
    // 100 over three equal weights: 33 each and the one leftover unit to the earliest line.
    expect(allocate(100, [1, 1, 1], [100, 100, 100])).toEqual([34, 33, 33]);
    // 2 over [1, 1, 1]: equal remainders, so the first two lines get a unit each.
    expect(allocate(2, [1, 1, 1], [5, 5, 5])).toEqual([1, 1, 0]);
    // 10 over weights [1, 2] → 3.33 / 6.67, but line 2 is capped at 3; the other 7 go to line 1.
    expect(allocate(10, [1, 2], [10, 3])).toEqual([7, 3]);
    // Zero-weight lines only take what weighted lines cannot: 8 over weight [1, 0] caps [5, 10] → [5, 3].
    expect(allocate(8, [1, 0], [5, 10])).toEqual([5, 3]);
    // Several zero-weight lines share the overflow by their caps: 6 over caps [2, 4] → [2, 4].
    expect(allocate(6, [0, 0], [2, 4])).toEqual([2, 4]);
    // Bigger remainder first: 1 over [1, 2] is 1/3 vs 2/3, so the unit goes to line 2.
    expect(allocate(1, [1, 2])).toEqual([0, 1]);
    // Equal remainders go to the bigger weight: 3 over [1, 3, 2] is 0.5 / 1.5 / 1 → the half unit goes to line 2.
    expect(allocate(3, [1, 3, 2], [9, 9, 9])).toEqual([0, 2, 1]);
    // 2 over [1, 3, 1, 3] → remainders 2/8, 6/8, 2/8, 6/8: the two units go to lines 2 and 4.
    expect(allocate(2, [1, 3, 1, 3], [5, 5, 5, 5])).toEqual([0, 1, 0, 1]);
    // 1 over [3, 3] caps [5, 5] → equal remainder and weight: the earlier line.
    expect(allocate(1, [3, 3], [5, 5])).toEqual([1, 0]);
    // Full total: every line exactly at its cap.
    expect(allocate(15, [3, 0, 9], [5, 4, 6])).toEqual([5, 4, 6]);
  });
});

describe("allocate with caps equal to weights", () => {
  it("keeps every share within 1 of the exact proportion and never above the weight", () => {
    fc.assert(
      fc.property(
        fc
          .array(amount, { maxLength: 12 })
          .chain((weights) => totalUpTo(sum(weights)).map((total) => ({ weights, total }))),
        ({ weights, total }) => {
          const shares = allocate(total, weights);
          const show = () => JSON.stringify(shares);
          expect(allocate(total, weights, weights)).toEqual(shares);
          check(sum(shares) === total, show);
          const W = BigInt(sum(weights));
          shares.forEach((s, i) => {
            check(s >= 0 && s <= weights[i]!, show);
            if (W === 0n) return;
            // |s - total*w/W| < 1  <=>  |s*W - total*w| < W
            const diff = BigInt(s) * W - BigInt(total) * BigInt(weights[i]!);
            check(diff < W && diff > -W, show);
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
