import { describe, expect, it } from "vitest";
import { randomHex } from "../../src/kernel/index.js";

describe("randomHex", () => {
  it("gives the bytes asked for as lower-case hex, across many refills of its pool", () => {
    const seen = new Set<string>();
    // 3,000 draws of 10 bytes use the 4 KB pool seven times over, with draws that do not divide it evenly.
    for (let i = 0; i < 3_000; i++) {
      const hex = randomHex(10);
      expect(hex).toMatch(/^[0-9a-f]{20}$/);
      seen.add(hex);
    }
    // 80 random bits: two equal draws among 3,000 would mean the same bytes of the pool handed out again
    // (a pool not moved on, or not refilled), not chance.
    expect(seen.size).toBe(3_000);
  });

  it("uses every hex digit about equally", () => {
    const counts = new Map<string, number>();
    const text = Array.from({ length: 2_000 }, () => randomHex(12)).join("");
    for (const digit of text) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    expect(counts.size).toBe(16);
    const expected = text.length / 16;
    // 48,000 digits: each count's standard deviation is about 47, so ±20 % is over 30 of them.
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.2);
  });

  it("refuses a size that is not a whole number of bytes within the pool", () => {
    for (const bytes of [0, -1, 1.5, 4097, Number.NaN]) expect(() => randomHex(bytes)).toThrow(RangeError);
    expect(randomHex(4096)).toHaveLength(8192);
  });
});
