import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineAmount, mulDivFloor, mulDivRound, percentOf, sum } from "../../src/core/arithmetic.js";

const SAFE = Number.MAX_SAFE_INTEGER;
const BIG_SAFE = BigInt(SAFE);

/** Exact references computed in BigInt. */
const floorRef = (a: number, b: number, c: number): bigint => (BigInt(a) * BigInt(b)) / BigInt(c);
/** Half up: floor((2ab + c) / 2c). */
const roundRef = (a: number, b: number, c: number): bigint =>
  (2n * BigInt(a) * BigInt(b) + BigInt(c)) / (2n * BigInt(c));

/** Non-negative safe integers of every magnitude: tiny, around 2^26 (where a*b crosses 2^53) and huge. */
const magnitude = fc.oneof(
  fc.nat({ max: 1_000 }),
  fc.integer({ min: 2 ** 20, max: 2 ** 32 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, 2 ** 26, 2 ** 26 + 1, 2 ** 52, 2 ** 53 - 1, 3 ** 33),
);
const divisor = fc.oneof(
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: 2 ** 32 }),
  fc.integer({ min: 1, max: SAFE }),
);

describe("mulDivFloor / mulDivRound against a BigInt reference", () => {
  it("match for random safe integers, throwing only when the floor exceeds the safe range", () => {
    fc.assert(
      fc.property(magnitude, magnitude, divisor, (a, b, c) => {
        const f = floorRef(a, b, c);
        const r = roundRef(a, b, c);
        if (f > BIG_SAFE) {
          expect(() => mulDivFloor(a, b, c)).toThrow(RangeError);
          expect(() => mulDivRound(a, b, c)).toThrow(RangeError);
          return;
        }
        expect(mulDivFloor(a, b, c)).toBe(Number(f));
        // A floor of exactly MAX_SAFE_INTEGER that rounds up is a separate (reported) edge case.
        if (r <= BIG_SAFE) expect(mulDivRound(a, b, c)).toBe(Number(r));
      }),
      { numRuns: 1000 },
    );
  });

  it("are exact when a*b exceeds 2^53 but the quotient is safe (BigInt path)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2 ** 27, max: SAFE }),
        fc.integer({ min: 2 ** 27, max: SAFE }),
        fc.bigInt({ min: 0n, max: 2n ** 40n }),
        (a, b, extra) => {
          const product = BigInt(a) * BigInt(b);
          fc.pre(product > BIG_SAFE);
          // Smallest divisor keeping the quotient safe, plus some slack; the divisor itself must be safe.
          const cBig = product / BIG_SAFE + 1n + extra;
          fc.pre(cBig <= BIG_SAFE);
          const c = Number(cBig);
          expect(mulDivFloor(a, b, c)).toBe(Number(floorRef(a, b, c)));
          const r = roundRef(a, b, c);
          if (r <= BIG_SAFE) expect(mulDivRound(a, b, c)).toBe(Number(r));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("are exact next to integer boundaries (a*b = q*c + {-1, 0, +1} up to 2^53)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 2 ** 40, max: 2 ** 53 }),
        fc.constantFrom(-1, 0, 1),
        fc.constantFrom(1, 2, 3),
        (c, top, delta, bSelect) => {
          // Products one below, at, and one above a multiple of c: floor and half-up rounding flip here.
          const q = Math.floor((top - 1) / c);
          const p = q * c + delta;
          fc.pre(p >= 0 && p <= SAFE);
          // Factor the product as a*b in a few ways so both operands vary.
          const b = bSelect === 1 || p % bSelect !== 0 ? 1 : bSelect;
          const a = p / b;
          expect(mulDivFloor(a, b, c)).toBe(Number(floorRef(a, b, c)));
          expect(mulDivRound(a, b, c)).toBe(Number(roundRef(a, b, c)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("reject negative, non-integer or unsafe operands and a non-positive divisor", () => {
    expect(() => mulDivFloor(-1, 1, 1)).toThrow(RangeError);
    expect(() => mulDivFloor(1, -1, 1)).toThrow(RangeError);
    expect(() => mulDivFloor(1, 1, 0)).toThrow(RangeError);
    expect(() => mulDivFloor(1, 1, -5)).toThrow(RangeError);
    expect(() => mulDivFloor(1.5, 1, 1)).toThrow(RangeError);
    expect(() => mulDivFloor(2 ** 53, 1, 1)).toThrow(RangeError);
    expect(() => mulDivRound(1, Number.NaN, 1)).toThrow(RangeError);
    // A zero operand short-circuits to zero even with a huge other operand.
    expect(mulDivFloor(0, SAFE, 1)).toBe(0);
    expect(mulDivRound(SAFE, 0, 7)).toBe(0);
  });
});

describe("mulDivRound at the top of the safe range", () => {
  // 6004799503160661 * 3 / 2 = 9007199254740991.5, whose floor is MAX_SAFE_INTEGER; rounding half up would
  // give 2^53, which is not a safe integer, so it must throw like mulDivFloor does.
  it("throws instead of returning an unsafe 2^53", () => {
    expect(floorRef(6004799503160661, 3, 2)).toBe(BIG_SAFE);
    expect(() => mulDivRound(6004799503160661, 3, 2)).toThrow(RangeError);
  });
});

describe("lineAmount", () => {
  it("rounds price x quantity/1000 half up (examples)", () => {
    // 999 kopecks x 1.5 = 1498.5 -> 1499
    expect(lineAmount(999, 1_500)).toBe(1_499);
    // 1 kopeck x 0.5 = 0.5 -> 1 (exact half goes up), 0.499 -> 0
    expect(lineAmount(1, 500)).toBe(1);
    expect(lineAmount(1, 499)).toBe(0);
    // 101 x 2.5 = 252.5 -> 253; 3 x 1.5 = 4.5 -> 5
    expect(lineAmount(101, 2_500)).toBe(253);
    expect(lineAmount(3, 1_500)).toBe(5);
    // 12345 x 0.333 = 4110.885 -> 4111; 12345 x 0.001 = 12.345 -> 12
    expect(lineAmount(12_345, 333)).toBe(4_111);
    expect(lineAmount(12_345, 1)).toBe(12);
    // whole quantities are exact
    expect(lineAmount(4_990, 3_000)).toBe(14_970);
    expect(lineAmount(0, 7_000)).toBe(0);
    expect(lineAmount(7_000, 0)).toBe(0);
  });

  it("equals the BigInt half-up reference for random prices and quantities", () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 ** 9 }), fc.nat({ max: 10 ** 9 }), (price, qty) => {
        expect(lineAmount(price, qty)).toBe(Number(roundRef(price, qty, 1000)));
      }),
      { numRuns: 500 },
    );
  });
});

describe("percentOf", () => {
  it("takes basis points rounding down", () => {
    expect(percentOf(999, 1_000)).toBe(99); // 10% of 9.99 = 0.999 -> 0.99
    expect(percentOf(10_000, 1)).toBe(1);
    expect(percentOf(9_999, 1)).toBe(0);
    expect(percentOf(12_345, 10_000)).toBe(12_345);
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat({ max: 10_000 }), (amount, bp) => {
        expect(percentOf(amount, bp)).toBe(Number(floorRef(amount, bp, 10_000)));
        expect(percentOf(amount, bp)).toBeLessThanOrEqual(amount);
      }),
      { numRuns: 300 },
    );
  });

  it("sum adds up a list", () => {
    expect(sum([])).toBe(0);
    expect(sum([1, 2, 3])).toBe(6);
  });
});
