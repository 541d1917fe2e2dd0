import type { Effect } from "@kopilka/contract";
import { describe, expect, it } from "vitest";
import { accrualAfterPointsPayment, capAccruals, compileRules } from "../../../src/core/rules/engine.js";
import type { RuleInput } from "../../../src/core/rules/types.js";
import { accrue, input, line, percentOff, product, rule, run, skipReason, TERMS } from "./fixtures.js";

interface Case {
  name: string;
  effects: Effect[];
  input?: Partial<RuleInput>;
  /** Per line, in input order. */
  discounts?: number[];
  accruals?: number[];
  caps?: number[];
}

const two = {
  lines: [
    line({ lineId: "1" }),
    line({ lineId: "2", unitPrice: 5_000, product: product({ sku: "B", brand: "Other" }) }),
  ],
};

const CASES: Case[] = [
  {
    name: "percent, half up: 12.5 % of 1.01 ₽ = 0.13",
    effects: [percentOff(1_250)],
    input: { lines: [line({ unitPrice: 101 })] },
    discounts: [13],
  },
  {
    name: "percent on target lines only",
    effects: [percentOff(1_000, { brands: ["Bayer"] })],
    input: two,
    discounts: [1_000, 0],
  },
  {
    name: "amount per unit, pro rata for 2.5 units",
    effects: [{ type: "line_discount_amount", params: { amount: 1_000, per: "unit" } }],
    input: { lines: [line({ quantity: 2_500 })] },
    discounts: [2_500],
  },
  {
    name: "amount per line",
    effects: [{ type: "line_discount_amount", params: { amount: 1_000, per: "line" } }],
    input: { lines: [line({ quantity: 3_000 })] },
    discounts: [1_000],
  },
  {
    name: "fixed price 80 ₽ for 2 units at 100 ₽",
    effects: [{ type: "line_fixed_price", params: { price: 8_000 } }],
    input: { lines: [line({ quantity: 2_000 })] },
    discounts: [4_000],
  },
  {
    name: "fixed price above the price gives nothing",
    effects: [{ type: "line_fixed_price", params: { price: 12_000 } }],
    discounts: [0],
  },
  {
    name: "receipt discount spread by amount: 10 ₽ over 100 and 50 ₽",
    effects: [{ type: "receipt_discount", params: { amount: 1_000 } }],
    input: two,
    discounts: [667, 333],
  },
  {
    name: "receipt discount: equal remainders go to the lower line id",
    effects: [{ type: "receipt_discount", params: { amount: 1 } }],
    input: { lines: [line({ lineId: "10" }), line({ lineId: "9" })] },
    discounts: [0, 1],
  },
  {
    name: "3rd item free: the cheapest unit of the set",
    effects: [{ type: "n_plus_m", params: { buy: 2, free: 1 } }],
    input: {
      lines: [
        line({ lineId: "1", unitPrice: 30_000 }),
        line({ lineId: "2", unitPrice: 10_000, quantity: 1_000 }),
        line({ lineId: "3", unitPrice: 20_000 }),
      ],
    },
    discounts: [0, 10_000, 0],
  },
  {
    name: "2 + 1 over 7 whole units (fractions ignored): 2 free, cheapest first, ties by line id",
    effects: [{ type: "n_plus_m", params: { buy: 2, free: 1 } }],
    input: {
      lines: [
        line({ lineId: "2", unitPrice: 5_000, quantity: 1_000 }),
        line({ lineId: "1", unitPrice: 5_000, quantity: 6_500 }),
      ],
    },
    discounts: [0, 10_000],
  },
  {
    name: "accrual percent on the total after discounts",
    effects: [percentOff(1_000), accrue(500)],
    discounts: [1_000],
    accruals: [450],
  },
  {
    name: "accrual fixed per unit",
    effects: [{ type: "accrual_fixed", params: { points: 100, per: "unit" } }],
    input: { lines: [line({ quantity: 3_000 })] },
    accruals: [300],
  },
  {
    name: "accrual fixed per receipt, spread by line totals",
    effects: [{ type: "accrual_fixed", params: { points: 1_000, per: "receipt" } }],
    input: two,
    accruals: [667, 333],
  },
  {
    name: "accrual multiplier ×2 of the base percentage",
    effects: [accrue(300), { type: "accrual_multiplier", params: { factorBp: 20_000 } }],
    accruals: [600],
  },
  {
    name: "points share 30 % on target lines",
    effects: [
      { type: "points_payment_share", params: { maxShareBp: 3_000, products: { brands: ["Bayer"] } } },
    ],
    input: two,
    caps: [3_000, 5_000],
  },
  {
    name: "points payment excluded for a brand",
    effects: [{ type: "points_payment_exclusion", params: { products: { brands: ["Other"] } } }],
    input: two,
    caps: [10_000, 0],
  },
];

describe("effects", () => {
  it.each(CASES)("$name", ({ effects, input: over, discounts, accruals, caps }) => {
    const r = run([rule(1, effects)], over ?? {});
    if (discounts) expect(r.lines.map((l) => l.discount)).toEqual(discounts);
    if (accruals) expect(r.lines.map((l) => l.accrual)).toEqual(accruals);
    if (caps) expect(r.lines.map((l) => l.pointsPaymentCap)).toEqual(caps);
    for (const l of r.lines) {
      const own = l.contributions.filter((c) => c.kind === "discount").reduce((s, c) => s + c.amount, 0);
      expect(own).toBe(l.discount);
      for (const c of l.contributions) expect(c).toMatchObject({ ruleId: 1, version: 1 });
    }
  });

  it("cashier message with amounts in Russian", () => {
    const r = run(
      [
        rule(1, [
          percentOff(1_050),
          accrue(500),
          {
            type: "cashier_message",
            params: { template: "Скидка {ruleDiscount}, баллы {ruleAccrual}, к оплате {toPay}" },
          },
        ]),
      ],
      { lines: [line({ unitPrice: 1_234_500 })] },
    );
    expect(r.messages).toContainEqual({
      code: "RULE_MESSAGE",
      ruleId: 1,
      text: "Скидка 1 296,23 ₽, баллы 552,43 балла, к оплате 11 048,77 ₽",
    });
  });

  it("issues a promo code for the next purchase as an instruction", () => {
    const r = run([
      rule(7, [{ type: "issue_promo_code", params: { campaign: "COMEBACK", validDays: 30 } }], [], {
        version: 3,
      }),
    ]);
    expect(r.instructions).toEqual([
      { type: "issue_promo_code", ruleId: 7, version: 3, campaign: "COMEBACK", validDays: 30 },
    ]);
    expect(r.appliedRules.map((a) => [a.ruleId, a.version])).toEqual([[7, 3]]);
  });

  it("no accrual for a blocked card or without a card, nor on products excluded from accrual", () => {
    const rules = [rule(1, [accrue(500)])];
    expect(run(rules, { card: { status: "blocked", level: null } }).accrualTotal).toBe(0);
    expect(run(rules, { card: null }).accrualTotal).toBe(0);
    expect(skipReason(run(rules, { card: null }), 1)).toBe("CARD_CANNOT_ACCRUE");
    const excluded = run(rules, {
      lines: [line({ product: product({ excludedFromAccrual: true }) }), line()],
    });
    expect(excluded.lines.map((l) => l.accrual)).toEqual([0, 500]);
  });

  it("accrual after a points payment: percentages on the money part, fixed points stay", () => {
    const r = run([rule(1, [accrue(1_000), { type: "accrual_fixed", params: { points: 50, per: "line" } }])]);
    const l = r.lines[0]!;
    expect(l.accrual).toBe(1_050);
    expect(accrualAfterPointsPayment(l, 4_000)).toBe(650);
    expect(capAccruals([650, 350], 500)).toEqual([325, 175]);
    expect(capAccruals([650, 350], null)).toEqual([650, 350]);
  });

  it("the daily accrual cap trims, lowest priority first, and tells the cashier", () => {
    const engine = compileRules(
      [rule(1, [accrue(500)], [], { priority: 10 }), rule(2, [accrue(300)], [], { priority: 1 })],
      TERMS,
    );
    const r = engine.evaluate(input({ accrualAllowance: 600 }));
    expect(r.accrualTotal).toBe(600);
    expect(r.accrualTrimmed).toBe(200);
    expect(r.appliedRules.map((a) => [a.ruleId, a.accrual])).toEqual([
      [1, 500],
      [2, 100],
    ]);
    expect(r.appliedRules[1]!.notes.map((n) => n.code)).toEqual(["ACCRUAL_CAPPED_DAILY"]);
    expect(r.messages.find((m) => m.code === "ACCRUAL_CAPPED")?.text).toBe(
      "Начисление ограничено дневным лимитом: начислено 6 баллов из 8 баллов",
    );
    expect(r.lines[0]!.contributions.filter((c) => c.kind === "accrual").map((c) => c.amount)).toEqual([
      500, 100,
    ]);
    // An allowance already used up gives nothing, and never fails.
    expect(engine.evaluate(input({ accrualAllowance: 0 })).accrualTotal).toBe(0);
  });

  it("an accrual-only card earns but cannot pay with points", () => {
    const r = run([rule(1, [accrue(500)])], { card: { status: "accrual_only", level: null } });
    expect(r.accrualTotal).toBe(500);
    expect(r.pointsPaymentLimit).toBe(0);
    expect(r.messages.map((m) => m.code)).toContain("CARD_ACCRUAL_ONLY");
  });

  it("promo codes: applied when their rule applied, unknown when no rule knows them", () => {
    const r = run([rule(1, [percentOff(1_000)], [{ type: "promo_code", params: { codes: ["spring"] } }])], {
      promoCodes: ["Spring ", "nope"],
    });
    expect(r.appliedPromoCodes).toEqual(["SPRING"]);
    expect(r.appliedRules[0]!.promoCodes).toEqual(["SPRING"]);
    expect(r.unknownPromoCodes).toEqual(["NOPE"]);
    expect(r.messages.map((m) => m.code)).toContain("PROMO_CODE_UNKNOWN");
  });
});
