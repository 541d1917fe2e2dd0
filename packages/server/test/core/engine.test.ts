import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineAmount, mulDivFloor, percentOf, sum } from "../../src/core/arithmetic.js";
import { createBasicEngine } from "../../src/core/engine/basic-engine.js";
import type {
  CardFacts,
  EngineInput,
  ProductFacts,
  ProgramTerms,
  ReceiptLine,
  Rule,
} from "../../src/core/engine/types.js";
import { scenarioArb } from "./engine-arbitraries.js";
import { check } from "./helpers.js";

/**
 * A straightforward re-statement of the rule semantics documented in engine/types.ts, used as an oracle:
 * every scope list given must contain the product's value, levels need a card of that level, a promo code
 * must be presented (case and surrounding spaces ignored), and product-less lines only match unscoped rules.
 */
function ruleApplies(
  rule: Rule,
  product: ProductFacts | null,
  card: CardFacts | null,
  promos: ReadonlySet<string>,
  needsCard: boolean,
): boolean {
  if (
    rule.promoCode !== undefined &&
    rule.promoCode !== "" &&
    !promos.has(rule.promoCode.trim().toUpperCase())
  )
    return false;
  if (rule.levels && rule.levels.length > 0 && !(card?.level && rule.levels.includes(card.level)))
    return false;
  if (needsCard && !card) return false;
  const s = rule.scope;
  const constraints: [string[] | undefined, string | null | undefined][] = [
    [s.skus, product?.sku],
    [s.categories, product?.category],
    [s.brands, product?.brand],
    [s.manufacturers, product?.manufacturer],
  ];
  const active = constraints.filter(([list]) => list && list.length > 0);
  if (active.length === 0) return true;
  if (!product) return false;
  return active.every(([list, value]) => value != null && list!.includes(value));
}

/** Best by value, then priority, then lowest id; null when nothing gives a positive value. */
function winner(candidates: { rule: Rule; value: number }[]): { rule: Rule; value: number } | null {
  const positive = candidates.filter((c) => c.value > 0);
  if (positive.length === 0) return null;
  return positive.reduce((a, b) =>
    b.value !== a.value
      ? b.value > a.value
        ? b
        : a
      : b.rule.priority !== a.rule.priority
        ? b.rule.priority > a.rule.priority
          ? b
          : a
        : b.rule.id < a.rule.id
          ? b
          : a,
  );
}

function floorOf(line: ReceiptLine): number {
  return line.product && line.product.minPrice > 0 ? lineAmount(line.product.minPrice, line.quantity) : 0;
}

describe("basic engine against a rule-semantics oracle", () => {
  it("discounts, accrual rates, points caps, limit and promo codes match the documented rules", () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, terms, input }) => {
        const result = createBasicEngine(rules, terms).evaluate(input);
        const promos = new Set(input.promoCodes.map((p) => p.trim().toUpperCase()));
        const card = input.card;
        const used = new Set<string>();
        expect(result.lines).toHaveLength(input.lines.length);

        input.lines.forEach((line, i) => {
          const ev = result.lines[i]!;
          const product = line.product;
          const at = () => `line ${i}: ${JSON.stringify({ line, ev })}`;
          check(ev.lineId === line.lineId && ev.amount === line.amount, at);

          // Discount: the best applicable rule, never below the min-price floor.
          const floor = floorOf(line);
          const discountable = Math.max(0, line.amount - floor);
          const discountWin = winner(
            rules
              .filter((r) => r.kind === "discount_percent" || r.kind === "discount_fixed")
              .filter((r) => ruleApplies(r, product, card, promos, false))
              .map((rule) => {
                const raw =
                  rule.kind === "discount_percent"
                    ? percentOf(line.amount, rule.percentBp)
                    : rule.kind === "discount_fixed"
                      ? mulDivFloor(rule.amountPerUnit, line.quantity, 1000)
                      : 0;
                return { rule, value: Math.min(raw, discountable) };
              }),
          );
          check(ev.discount === (discountWin?.value ?? 0), at);
          check(ev.discountRuleId === (discountWin?.rule.id ?? null), at);
          check(ev.discount >= 0 && ev.discount <= discountable, at);
          check(ev.total === line.amount - ev.discount, at);
          if (discountWin?.rule.promoCode) used.add(discountWin.rule.promoCode.trim().toUpperCase());

          // Accrual: any non-blocked card, unless the product is excluded.
          const canAccrue = card !== null && card.status !== "blocked" && !product?.excludedFromAccrual;
          const accrualWin = canAccrue
            ? winner(
                rules
                  .filter((r) => r.kind === "accrual_percent")
                  .filter((r) => ruleApplies(r, product, card, promos, true))
                  .map((rule) => ({ rule, value: rule.kind === "accrual_percent" ? rule.percentBp : 0 })),
              )
            : null;
          check(ev.accrualRateBp === (accrualWin?.value ?? 0), at);
          check(ev.accrualRuleId === (accrualWin?.rule.id ?? null), at);
          if (accrualWin?.rule.promoCode) used.add(accrualWin.rule.promoCode.trim().toUpperCase());

          // Points cap: active cards only, never below the floor, bounded by every applicable limit rule.
          let cap = 0;
          if (card?.status === "active" && !product?.excludedFromPointsPayment) {
            cap = Math.max(0, ev.total - floor);
            for (const r of rules) {
              if (r.kind === "points_payment_limit" && ruleApplies(r, product, card, promos, true)) {
                cap = Math.min(cap, percentOf(ev.total, r.maxShareBp));
              }
            }
          }
          check(ev.pointsPaymentCap === cap, at);
          check(ev.pointsPaymentCap >= 0 && ev.pointsPaymentCap <= Math.max(0, ev.total - floor), at);
        });

        expect(result.subtotal).toBe(sum(input.lines.map((l) => l.amount)));
        expect(result.discountTotal).toBe(sum(result.lines.map((l) => l.discount)));
        expect(result.total).toBe(result.subtotal - result.discountTotal);
        const capSum = sum(result.lines.map((l) => l.pointsPaymentCap));
        const shareCap = percentOf(result.total, terms.maxPointsPaymentShareBp);
        expect(result.pointsPaymentLimit).toBeLessThanOrEqual(shareCap);
        expect(result.pointsPaymentLimit).toBeLessThanOrEqual(capSum);
        expect(result.pointsPaymentLimit).toBe(Math.min(capSum, shareCap));

        const known = new Set(rules.flatMap((r) => (r.promoCode ? [r.promoCode.trim().toUpperCase()] : [])));
        expect([...result.appliedPromoCodes].sort()).toEqual([...used].sort());
        expect([...result.unknownPromoCodes].sort()).toEqual([...promos].filter((p) => !known.has(p)).sort());
        const codes = result.messages.map((m) => m.code);
        expect(codes.includes("CARD_ACCRUAL_ONLY")).toBe(card?.status === "accrual_only");
        expect(codes.includes("DISCOUNT_APPLIED")).toBe(result.discountTotal > 0);
        expect(codes.filter((c) => c === "PROMO_CODE_UNKNOWN")).toHaveLength(result.unknownPromoCodes.length);

        // Pure: the same input evaluates to the same result.
        expect(createBasicEngine(rules, terms).evaluate(input)).toEqual(result);
      }),
      { numRuns: 600 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Examples

const product = (over: Partial<ProductFacts> = {}): ProductFacts => ({
  sku: "ASPIRIN",
  category: "pain",
  brand: "Bayer",
  manufacturer: "Bayer AG",
  excludedFromPointsPayment: false,
  excludedFromAccrual: false,
  minPrice: 0,
  ...over,
});
const line = (over: Partial<ReceiptLine> = {}): ReceiptLine => {
  const quantity = over.quantity ?? 1_000;
  const unitPrice = over.unitPrice ?? 10_000;
  return {
    lineId: "1",
    product: product(),
    quantity,
    unitPrice,
    amount: lineAmount(unitPrice, quantity),
    ...over,
  };
};
const base = { name: "r", scope: {}, priority: 0 };
const terms: ProgramTerms = { maxPointsPaymentShareBp: 10_000 };
const activeCard: CardFacts = { status: "active", level: null };
const evaluate = (rules: Rule[], input: Partial<EngineInput>, t: ProgramTerms = terms) =>
  createBasicEngine(rules, t).evaluate({ lines: [line()], card: activeCard, promoCodes: [], ...input });

describe("basic engine examples", () => {
  it("the biggest discount wins; equal discounts go to the higher priority, then the lower id", () => {
    // 100.00 line: 10% = 10.00 beats 5.00 per unit; 15% loses to nothing bigger.
    const rules: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 1_000 },
      { ...base, id: 2, kind: "discount_fixed", amountPerUnit: 500 },
      { ...base, id: 3, kind: "discount_percent", percentBp: 1_500 },
    ];
    const r = evaluate(rules, {});
    expect(r.lines[0]).toMatchObject({ discount: 1_500, discountRuleId: 3, total: 8_500 });
    expect(r.messages.map((m) => m.code)).toContain("DISCOUNT_APPLIED");

    // Fixed 20.00 per unit on 2.5 units = 50.00 beats 10% of 250.00 = 25.00.
    const r2 = evaluate(
      rules.slice(0, 2).concat({ ...base, id: 4, kind: "discount_fixed", amountPerUnit: 2_000 }),
      {
        lines: [line({ quantity: 2_500 })],
      },
    );
    expect(r2.lines[0]).toMatchObject({ amount: 25_000, discount: 5_000, discountRuleId: 4 });

    // Tie at 10.00: priority 5 beats priority 0 even with a higher id.
    const tie: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 1_000 },
      { ...base, id: 2, kind: "discount_fixed", amountPerUnit: 1_000, priority: 5 },
    ];
    expect(evaluate(tie, {}).lines[0]!.discountRuleId).toBe(2);
    // Same priority: the lower id wins, whatever the list order.
    const sameRank: Rule[] = [
      { ...base, id: 9, kind: "discount_fixed", amountPerUnit: 1_000 },
      { ...base, id: 4, kind: "discount_percent", percentBp: 1_000 },
    ];
    expect(evaluate(sameRank, {}).lines[0]!.discountRuleId).toBe(4);
  });

  it("never discounts below the min price floor", () => {
    // 2 units at 100.00 with a 95.00 floor per unit: at most 10.00 off although 50% is asked.
    const rules: Rule[] = [{ ...base, id: 1, kind: "discount_percent", percentBp: 5_000 }];
    const r = evaluate(rules, { lines: [line({ quantity: 2_000, product: product({ minPrice: 9_500 }) })] });
    expect(r.lines[0]).toMatchObject({ amount: 20_000, discount: 1_000, total: 19_000, pointsPaymentCap: 0 });
    // Price already under the floor: no discount at all.
    const under = evaluate(rules, { lines: [line({ product: product({ minPrice: 20_000 }) })] });
    expect(under.lines[0]).toMatchObject({ discount: 0, discountRuleId: null });
  });

  it("a blocked card gets no accrual and cannot pay with points; discounts still apply", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "accrual_percent", percentBp: 500 },
      { ...base, id: 2, kind: "discount_percent", percentBp: 1_000 },
    ];
    const blocked = evaluate(rules, { card: { status: "blocked", level: null } });
    expect(blocked.lines[0]).toMatchObject({
      accrualRateBp: 0,
      accrualRuleId: null,
      pointsPaymentCap: 0,
      discount: 1_000,
    });
    expect(blocked.pointsPaymentLimit).toBe(0);
    const active = evaluate(rules, {});
    expect(active.lines[0]).toMatchObject({ accrualRateBp: 500, accrualRuleId: 1, pointsPaymentCap: 9_000 });
    expect(active.pointsPaymentLimit).toBe(9_000);
  });

  it("an accrual_only card accrues but has a zero points limit and a cashier message", () => {
    const rules: Rule[] = [{ ...base, id: 1, kind: "accrual_percent", percentBp: 300 }];
    const r = evaluate(rules, { card: { status: "accrual_only", level: null } });
    expect(r.lines[0]).toMatchObject({ accrualRateBp: 300, pointsPaymentCap: 0 });
    expect(r.pointsPaymentLimit).toBe(0);
    expect(r.messages.map((m) => m.code)).toEqual(["CARD_ACCRUAL_ONLY"]);
  });

  it("no card: discounts without levels apply, accrual and points do not", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "accrual_percent", percentBp: 300 },
      { ...base, id: 2, kind: "discount_percent", percentBp: 200 },
    ];
    const r = evaluate(rules, { card: null });
    expect(r.lines[0]).toMatchObject({ discount: 200, accrualRateBp: 0, pointsPaymentCap: 0 });
    expect(r.pointsPaymentLimit).toBe(0);
  });

  it("level-restricted rules apply only to cards of those levels", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 1_000, levels: ["gold"] },
      { ...base, id: 2, kind: "accrual_percent", percentBp: 700, levels: ["gold", "platinum"] },
      { ...base, id: 3, kind: "accrual_percent", percentBp: 100 },
    ];
    const gold = evaluate(rules, { card: { status: "active", level: "gold" } });
    expect(gold.lines[0]).toMatchObject({ discount: 1_000, accrualRateBp: 700 });
    const silver = evaluate(rules, { card: { status: "active", level: "silver" } });
    expect(silver.lines[0]).toMatchObject({ discount: 0, accrualRateBp: 100, accrualRuleId: 3 });
    const noLevel = evaluate(rules, { card: activeCard });
    expect(noLevel.lines[0]).toMatchObject({ discount: 0, accrualRateBp: 100 });
    expect(evaluate(rules, { card: null }).lines[0]!.discount).toBe(0);
  });

  it("promo-code rules apply only when the code is presented (case and spaces ignored)", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 2_000, promoCode: "Spring" },
      { ...base, id: 2, kind: "discount_percent", percentBp: 500 },
      { ...base, id: 3, kind: "accrual_percent", percentBp: 1_000, promoCode: "BONUS" },
    ];
    const without = evaluate(rules, {});
    expect(without.lines[0]).toMatchObject({ discount: 500, discountRuleId: 2, accrualRateBp: 0 });
    expect(without.appliedPromoCodes).toEqual([]);

    const withCodes = evaluate(rules, { promoCodes: ["  spring ", "bonus", "nope"] });
    expect(withCodes.lines[0]).toMatchObject({ discount: 2_000, discountRuleId: 1, accrualRateBp: 1_000 });
    expect([...withCodes.appliedPromoCodes].sort()).toEqual(["BONUS", "SPRING"]);
    expect(withCodes.unknownPromoCodes).toEqual(["NOPE"]);
    expect(withCodes.messages.map((m) => m.code)).toContain("PROMO_CODE_UNKNOWN");

    // A known code whose rule does not win is neither applied nor unknown.
    const losing: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 100, promoCode: "SMALL" },
      { ...base, id: 2, kind: "discount_percent", percentBp: 900 },
    ];
    const r = evaluate(losing, { promoCodes: ["small"] });
    expect(r.appliedPromoCodes).toEqual([]);
    expect(r.unknownPromoCodes).toEqual([]);
  });

  it("scoped rules: every given list must match; unknown products only get unscoped rules", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "discount_percent", percentBp: 3_000, scope: { skus: ["ASPIRIN"] } },
      {
        ...base,
        id: 2,
        kind: "discount_percent",
        percentBp: 2_000,
        scope: { categories: ["pain"], brands: ["Other"] },
      },
      { ...base, id: 3, kind: "discount_percent", percentBp: 100 },
      { ...base, id: 4, kind: "accrual_percent", percentBp: 900, scope: { manufacturers: ["Bayer AG"] } },
      { ...base, id: 5, kind: "accrual_percent", percentBp: 200 },
    ];
    const r = evaluate(rules, {
      lines: [
        line({ lineId: "known" }),
        line({ lineId: "other-brand", product: product({ sku: "X", brand: "Other" }) }),
        line({ lineId: "no-category", product: product({ sku: "X", category: null, manufacturer: null }) }),
        line({ lineId: "unknown", product: null }),
      ],
    });
    expect(r.lines.map((l) => [l.lineId, l.discountRuleId, l.accrualRuleId])).toEqual([
      ["known", 1, 4],
      ["other-brand", 2, 4],
      ["no-category", 3, 5],
      ["unknown", 3, 5],
    ]);
  });

  it("points limit: the smaller of the program share and the sum of line caps, excluded products pay no points", () => {
    const rules: Rule[] = [
      { ...base, id: 1, kind: "points_payment_limit", maxShareBp: 5_000, scope: { skus: ["ASPIRIN"] } },
    ];
    const r = evaluate(
      rules,
      {
        lines: [
          line({ lineId: "a" }), // 100.00, capped at 50% by rule 1 → 50.00
          line({ lineId: "b", product: product({ sku: "X" }) }), // 100.00, no rule → 100.00
          line({ lineId: "c", product: product({ sku: "Y", excludedFromPointsPayment: true }) }), // 0
        ],
      },
      { maxPointsPaymentShareBp: 9_000 },
    );
    expect(r.lines.map((l) => l.pointsPaymentCap)).toEqual([5_000, 10_000, 0]);
    // 90% of 300.00 = 270.00 > 150.00 of caps.
    expect(r.pointsPaymentLimit).toBe(15_000);
    const tight = evaluate(
      rules,
      { lines: [line({ lineId: "b", product: product({ sku: "X" }) })] },
      {
        maxPointsPaymentShareBp: 2_500,
      },
    );
    expect(tight.pointsPaymentLimit).toBe(2_500);
  });
});
