import { describe, expect, it } from "vitest";
import { accrue, line, percentOff, product, rule, run, skipReason } from "./fixtures.js";

const exclusive = (group: string, per?: "line" | "receipt") =>
  per ? { mode: "exclusive" as const, group, per } : { mode: "exclusive" as const, group };

describe("combination", () => {
  it("stackable percentages add up on the price before discounts, rounded once per line", () => {
    const r = run([rule(1, [percentOff(1_000)]), rule(2, [percentOff(1_000)])]);
    expect(r.lines[0]!.discount).toBe(2_000);
    // 10 % + 10 % of 0.05 ₽: 20 % = 0.01 ₽ (not 0.01 + 0.01); the kopeck goes to the first rule.
    const tiny = run([rule(1, [percentOff(1_000)]), rule(2, [percentOff(1_000)])], {
      lines: [line({ unitPrice: 5 })],
    });
    expect(tiny.lines[0]!.discount).toBe(1);
    expect(tiny.lines[0]!.contributions).toEqual([
      { ruleId: 1, version: 1, kind: "discount", amount: 1, rateBp: 0 },
    ]);
  });

  it("the line's maximum discount caps, the lower priority loses first, and says why", () => {
    const r = run(
      [rule(1, [percentOff(1_000)], [], { priority: 1 }), rule(2, [percentOff(1_000)], [], { priority: 5 })],
      {},
      {
        maxPointsPaymentShareBp: 10_000,
        maxLineDiscountBp: 1_500,
      },
    );
    expect(r.lines[0]!.discount).toBe(1_500);
    expect(r.appliedRules.map((a) => [a.ruleId, a.discount])).toEqual([
      [2, 1_000],
      [1, 500],
    ]);
    expect(r.appliedRules[1]!.notes.map((n) => n.code)).toEqual(["CAPPED_BY_LINE_MAX"]);
  });

  it("a product's own maximum discount and minimum price cap the line", () => {
    const maxed = run([rule(1, [percentOff(5_000)])], {
      lines: [line({ product: product({ maxDiscountBp: 2_000 }) })],
    });
    expect(maxed.lines[0]!.discount).toBe(2_000);
    const floored = run([rule(1, [percentOff(5_000)])], {
      lines: [line({ product: product({ minPrice: 9_000 }) })],
    });
    expect(floored.lines[0]!.discount).toBe(1_000);
    expect(floored.appliedRules[0]!.notes[0]!.code).toBe("CAPPED_BY_MIN_PRICE");
    const none = run([rule(1, [percentOff(5_000)])], {
      lines: [line({ product: product({ minPrice: 10_000 }) })],
    });
    expect(none.appliedRules).toEqual([]);
    expect(skipReason(none, 1)).toBe("CAPPED_BY_MIN_PRICE");
  });

  it("the receipt's maximum discount trims the lower-priority rules", () => {
    const r = run(
      [
        rule(1, [percentOff(3_000)], [], { priority: 2 }),
        rule(2, [{ type: "receipt_discount", params: { amount: 5_000 } }]),
      ],
      { lines: [line({ lineId: "1" }), line({ lineId: "2" })] },
      { maxPointsPaymentShareBp: 10_000, maxReceiptDiscountBp: 4_000 },
    );
    expect(r.discountTotal).toBe(8_000);
    expect(r.appliedRules.map((a) => [a.ruleId, a.discount])).toEqual([
      [1, 6_000],
      [2, 2_000],
    ]);
    expect(r.appliedRules[1]!.notes.map((n) => n.code)).toEqual(["CAPPED_BY_RECEIPT_MAX"]);
  });

  it("a receipt discount takes what the line discounts left", () => {
    const r = run(
      [
        rule(1, [percentOff(9_000, { skus: ["ASPIRIN"] })], [], { priority: 1 }),
        rule(2, [{ type: "receipt_discount", params: { amount: 6_000 } }]),
      ],
      { lines: [line({ lineId: "1" }), line({ lineId: "2", product: product({ sku: "B" }) })] },
    );
    // Line 1 has 10 ₽ left after 90 %: the receipt discount puts 10 ₽ there and the rest on line 2.
    expect(r.lines.map((l) => l.discount)).toEqual([10_000, 5_000]);
    expect(r.appliedRules.find((a) => a.ruleId === 2)!.discount).toBe(6_000);
  });

  it("an exclusive group gives the best for the customer and explains the losers", () => {
    const r = run([
      rule(1, [percentOff(1_000)], [], { stacking: exclusive("season") }),
      rule(2, [percentOff(1_500)], [], { stacking: exclusive("season") }),
      rule(3, [percentOff(500)], []),
    ]);
    expect(r.lines[0]!.discount).toBe(2_000);
    expect(r.appliedRules.map((a) => a.ruleId)).toEqual([2, 3]);
    expect(r.skippedRules).toContainEqual(
      expect.objectContaining({
        ruleId: 1,
        reason: expect.objectContaining({ code: "LOST_IN_GROUP", winnerRuleId: 2, group: "season" }),
      }),
    );
  });

  it("ties: the higher accrual, then the higher priority, then the lower id", () => {
    const g = { stacking: exclusive("g") };
    const byAccrual = run([
      rule(1, [percentOff(1_000)], [], g),
      rule(2, [percentOff(1_000), accrue(100)], [], g),
    ]);
    expect(byAccrual.appliedRules.map((a) => a.ruleId)).toEqual([2]);
    const byPriority = run([
      rule(1, [percentOff(1_000)], [], g),
      rule(2, [percentOff(1_000)], [], { ...g, priority: 1 }),
    ]);
    expect(byPriority.appliedRules.map((a) => a.ruleId)).toEqual([2]);
    const byId = run([rule(9, [percentOff(1_000)], [], g), rule(4, [percentOff(1_000)], [], g)]);
    expect(byId.appliedRules.map((a) => a.ruleId)).toEqual([4]);
  });

  it("a receipt-wide group: one offer for the whole receipt; a per-line group: the best per line", () => {
    const lines = [
      line({ lineId: "1" }),
      line({ lineId: "2", product: product({ sku: "B", category: "cold" }) }),
    ];
    const rules = (per: "line" | "receipt") => [
      rule(1, [percentOff(1_000)], [], { stacking: exclusive("g", per) }),
      rule(2, [percentOff(3_000, { skus: ["ASPIRIN"] })], [], { stacking: exclusive("g", per) }),
    ];
    // Receipt-wide: 10 % of 200 ₽ = 20 ₽ loses to 30 % of 100 ₽ = 30 ₽.
    expect(run(rules("receipt"), { lines }).lines.map((l) => l.discount)).toEqual([3_000, 0]);
    expect(run(rules("line"), { lines }).lines.map((l) => l.discount)).toEqual([3_000, 1_000]);
  });

  it("rules apply by priority: the higher one takes the line's room first", () => {
    const r = run([
      rule(1, [{ type: "line_discount_amount", params: { amount: 8_000, per: "line" } }], [], {
        priority: 1,
      }),
      rule(2, [{ type: "line_discount_amount", params: { amount: 5_000, per: "line" } }], [], {
        priority: 2,
      }),
    ]);
    expect(r.lines[0]!.contributions.map((c) => [c.ruleId, c.amount])).toEqual([
      [2, 5_000],
      [1, 5_000],
    ]);
  });
});
