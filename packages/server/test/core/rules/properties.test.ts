import type { Condition, Effect, ProductSet, RuleDefinition } from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineAmount, percentOf } from "../../../src/core/arithmetic.js";
import { compileRules } from "../../../src/core/rules/engine.js";
import type { Evaluation, RuleInput, RuleLine, RuleTerms } from "../../../src/core/rules/types.js";
import { check } from "../helpers.js";
import { NOON_MSK } from "./fixtures.js";

const SKUS = ["S1", "S2", "S3", "S4"];
const CATEGORIES = ["C1", "C2"];
const BRANDS = ["B1", "B2"];
const BARCODES = ["4600000000011", "4600000000028"];

const productSetArb: fc.Arbitrary<ProductSet> = fc
  .record(
    {
      skus: fc.subarray(SKUS, { minLength: 1 }),
      categories: fc.subarray(CATEGORIES, { minLength: 1 }),
      brands: fc.subarray(BRANDS, { minLength: 1 }),
      barcodes: fc.subarray(BARCODES, { minLength: 1 }),
      match: fc.constantFrom("any" as const, "all" as const),
    },
    { requiredKeys: [] },
  )
  .filter((s) => Boolean(s.skus || s.categories || s.brands || s.barcodes));

const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  productSetArb.map((set) => ({ type: "products" as const, params: { set } })),
  fc
    .subarray(["S1", "S2"], { minLength: 1 })
    .map((stores) => ({ type: "stores" as const, params: { stores } })),
  fc.constant<Condition>({ type: "card_levels", params: { levels: ["gold"] } }),
  fc.constant<Condition>({ type: "promo_code", params: { codes: ["PROMO"] } }),
  fc.constant<Condition>({ type: "weekdays", params: { days: [3] } }),
  fc.nat({ max: 40_000 }).map((min) => ({ type: "receipt_total" as const, params: { min: min + 1 } })),
);

const target = fc.option(productSetArb, { nil: undefined, freq: 2 });
const withTarget = <P extends object>(params: P, products: ProductSet | undefined) =>
  products ? { ...params, products } : params;

const lineEffectArb: fc.Arbitrary<Effect> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 10_000 }), target).map(([percentBp, t]) => ({
    type: "line_discount_percent" as const,
    params: withTarget({ percentBp }, t),
  })),
  fc
    .tuple(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom("unit" as const, "line" as const), target)
    .map(([amount, per, t]) => ({
      type: "line_discount_amount" as const,
      params: withTarget({ amount, per }, t),
    })),
  fc
    .tuple(fc.nat({ max: 20_000 }), target)
    .map(([price, t]) => ({ type: "line_fixed_price" as const, params: withTarget({ price }, t) })),
  fc
    .tuple(fc.integer({ min: 1, max: 3_000 }), target)
    .map(([percentBp, t]) => ({ type: "accrual_percent" as const, params: withTarget({ percentBp }, t) })),
  fc
    .tuple(fc.integer({ min: 1, max: 500 }), fc.constantFrom("line" as const, "unit" as const), target)
    .map(([points, per, t]) => ({ type: "accrual_fixed" as const, params: withTarget({ points, per }, t) })),
  fc
    .tuple(fc.integer({ min: 10_001, max: 30_000 }), target)
    .map(([factorBp, t]) => ({ type: "accrual_multiplier" as const, params: withTarget({ factorBp }, t) })),
  fc.tuple(fc.nat({ max: 10_000 }), target).map(([maxShareBp, t]) => ({
    type: "points_payment_share" as const,
    params: withTarget({ maxShareBp }, t),
  })),
  target.map((t) => ({ type: "points_payment_exclusion" as const, params: withTarget({}, t) })),
);

const receiptEffectArb: fc.Arbitrary<Effect> = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 30_000 }), target)
    .map(([amount, t]) => ({ type: "receipt_discount" as const, params: withTarget({ amount }, t) })),
  fc
    .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), target)
    .map(([buy, free, t]) => ({ type: "n_plus_m" as const, params: withTarget({ buy, free }, t) })),
  fc.tuple(fc.integer({ min: 1, max: 2_000 }), target).map(([points, t]) => ({
    type: "accrual_fixed" as const,
    params: withTarget({ points, per: "receipt" as const }, t),
  })),
);

type Body = Omit<RuleDefinition, "id">;
const bodyArb = (stackingArb: fc.Arbitrary<RuleDefinition["stacking"]>): fc.Arbitrary<Body> =>
  stackingArb.chain((stacking) =>
    fc.record({
      version: fc.integer({ min: 1, max: 3 }),
      program: fc.constant("p"),
      name: fc.constant("r"),
      priority: fc.nat({ max: 3 }),
      stacking: fc.constant(stacking),
      conditions: fc.array(conditionArb, { maxLength: 2 }),
      effects: fc.array(stacking.per === "line" ? lineEffectArb : fc.oneof(lineEffectArb, receiptEffectArb), {
        minLength: 1,
        maxLength: 2,
      }),
    }),
  );

const stackingArb: fc.Arbitrary<RuleDefinition["stacking"]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ mode: "stackable" as const }) },
  fc.constantFrom("g1", "g2").map((group) => ({ mode: "exclusive" as const, group })),
  fc.constant({ mode: "exclusive" as const, group: "pl", per: "line" as const }),
);

const withIds = (bodies: Body[]): fc.Arbitrary<RuleDefinition[]> =>
  fc
    .shuffledSubarray(
      bodies.map((_, i) => i + 1),
      { minLength: bodies.length, maxLength: bodies.length },
    )
    .map((ids) => bodies.map((b, i) => ({ ...b, id: ids[i]! })));

const rulesArb = fc.array(bodyArb(stackingArb), { maxLength: 8 }).chain(withIds);

const linesArb: fc.Arbitrary<RuleLine[]> = fc
  .array(
    fc.record({
      product: fc.option(
        fc.record({
          sku: fc.constantFrom(...SKUS),
          category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
          brand: fc.option(fc.constantFrom(...BRANDS), { nil: null }),
          manufacturer: fc.constant(null),
          excludedFromPointsPayment: fc.boolean(),
          excludedFromAccrual: fc.boolean(),
          minPrice: fc.oneof(fc.constant(0), fc.nat({ max: 20_000 })),
        }),
        { nil: null, freq: 6 },
      ),
      barcode: fc.option(fc.constantFrom(...BARCODES), { nil: null }),
      quantity: fc.oneof(fc.constantFrom(1_000, 2_000, 3_000), fc.integer({ min: 1, max: 5_000 })),
      unitPrice: fc.oneof(fc.nat({ max: 100 }), fc.nat({ max: 30_000 })),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((ls) =>
    ls.map((l, i) => ({ ...l, lineId: String(i + 1), amount: lineAmount(l.unitPrice, l.quantity) })),
  );

const inputArb: fc.Arbitrary<RuleInput> = fc.record({
  now: fc.constant(NOON_MSK),
  store: fc.constantFrom(
    { code: "S1", partner: "P", timeZone: "Europe/Moscow" },
    { code: "S3", partner: "P", timeZone: "Asia/Vladivostok" },
  ),
  lines: linesArb,
  card: fc.option(
    fc.record({
      status: fc.constantFrom(
        "active" as const,
        "active" as const,
        "blocked" as const,
        "accrual_only" as const,
      ),
      level: fc.option(fc.constant("gold"), { nil: null }),
    }),
    { nil: null, freq: 5 },
  ),
  promoCodes: fc.subarray(["promo", "other"]),
  accrualAllowance: fc.option(fc.nat({ max: 3_000 }), { nil: null }),
});

const termsArb: fc.Arbitrary<RuleTerms> = fc.record({
  maxPointsPaymentShareBp: fc.constantFrom(10_000, 5_000, 0),
  maxLineDiscountBp: fc.constantFrom(10_000, 5_000, 2_000),
  maxReceiptDiscountBp: fc.constantFrom(10_000, 3_000),
  discountRounding: fc.constantFrom("half_up" as const, "down" as const),
});

const scenarioArb = fc.record({ rules: rulesArb, terms: termsArb, input: inputArb });

function checkInvariants(r: Evaluation, input: RuleInput, terms: RuleTerms): void {
  const at = () => JSON.stringify({ input, r });
  let discountSum = 0;
  let accrualSum = 0;
  input.lines.forEach((line, i) => {
    const l = r.lines[i]!;
    const p = line.product;
    const floor = p && p.minPrice > 0 ? lineAmount(p.minPrice, line.quantity) : 0;
    check(l.lineId === line.lineId && l.amount === line.amount, at);
    check(l.discount >= 0 && l.discount <= line.amount, at);
    check(l.discount <= Math.max(0, line.amount - floor), at);
    check(l.discount <= percentOf(line.amount, terms.maxLineDiscountBp ?? 10_000), at);
    check(l.total === line.amount - l.discount, at);
    check(l.accrual >= 0, at);
    check(l.pointsPaymentCap >= 0 && l.pointsPaymentCap <= Math.max(0, l.total - floor), at);
    let d = 0;
    let a = 0;
    for (const c of l.contributions) {
      check(c.amount >= 0, at);
      if (c.kind === "discount") d += c.amount;
      else a += c.amount;
    }
    check(d === l.discount && a === l.accrual, at);
    discountSum += l.discount;
    accrualSum += l.accrual;
  });
  check(r.discountTotal === discountSum && r.accrualTotal === accrualSum, at);
  check(r.total === r.subtotal - r.discountTotal, at);
  check(r.discountTotal <= percentOf(r.subtotal, terms.maxReceiptDiscountBp ?? 10_000), at);
  if (input.accrualAllowance !== null && input.accrualAllowance !== undefined)
    check(r.accrualTotal <= input.accrualAllowance, at);
  // Each applied rule's amounts are exactly the sum of its line contributions.
  for (const a of r.appliedRules) {
    let d = 0;
    let acc = 0;
    for (const l of r.lines)
      for (const c of l.contributions)
        if (c.ruleId === a.ruleId) {
          if (c.kind === "discount") d += c.amount;
          else acc += c.amount;
        }
    check(d === a.discount && acc === a.accrual, at);
  }
}

const byLine = (r: Evaluation) => {
  const { lines, ...rest } = r;
  return { ...rest, lines: [...lines].sort((a, b) => Number(a.lineId) - Number(b.lineId)) };
};

describe("rule engine properties", () => {
  it("discounts stay within the line and receipt limits; allocations are exact", () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, terms, input }) => {
        checkInvariants(compileRules(rules, terms).evaluate(input), input, terms);
      }),
      { numRuns: 1_500 },
    );
  });

  it("the candidate index and the explanation give the same result as a full scan", () => {
    fc.assert(
      fc.property(scenarioArb, ({ rules, terms, input }) => {
        const indexed = compileRules(rules, terms).evaluate(input);
        const scanned = compileRules(rules, terms, { useIndex: false }).evaluate(input);
        expect(indexed).toEqual(scanned);
        const { skippedRules, ...explained } = compileRules(rules, terms).evaluate(input, { explain: true });
        expect(explained).toEqual(indexed);
        // Every rule is either applied or explained.
        expect(skippedRules!.length + indexed.appliedRules.length).toBe(rules.length);
      }),
      { numRuns: 800 },
    );
  });

  it("the result does not depend on the order of the lines", () => {
    fc.assert(
      fc.property(
        scenarioArb.chain((s) =>
          fc
            .shuffledSubarray([...s.input.lines], {
              minLength: s.input.lines.length,
              maxLength: s.input.lines.length,
            })
            .map((shuffled) => ({ ...s, shuffled })),
        ),
        ({ rules, terms, input, shuffled }) => {
          const engine = compileRules(rules, terms);
          expect(byLine(engine.evaluate({ ...input, lines: shuffled }))).toEqual(
            byLine(engine.evaluate(input)),
          );
        },
      ),
      { numRuns: 800 },
    );
  });

  it("adding a stackable rule never lowers the customer's benefit (discount, then accrual)", () => {
    const stackableArb = fc.array(bodyArb(fc.constant({ mode: "stackable" as const })), {
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        stackableArb.chain(withIds),
        bodyArb(fc.constant({ mode: "stackable" as const })),
        termsArb,
        inputArb.map((i) => ({ ...i, accrualAllowance: null })),
        (rules, extra, terms, input) => {
          const before = compileRules(rules, terms).evaluate(input);
          const after = compileRules([...rules, { ...extra, id: 100 }], terms).evaluate(input);
          const at = () => JSON.stringify({ rules, extra, input, before, after });
          check(after.discountTotal >= before.discountTotal, at);
          // A rule that adds no discount never lowers the accrual. (One that does may move the same capped
          // discount between lines, and the per-line rounding of accruals may then lose a hundredth.)
          const extraDiscount = after.appliedRules.find((a) => a.ruleId === 100)?.discount ?? 0;
          if (extraDiscount === 0 && after.discountTotal === before.discountTotal)
            check(after.accrualTotal >= before.accrualTotal, at);
        },
      ),
      { numRuns: 800 },
    );
  });

  it("an exclusive group picks the member that is best for the customer on its own", () => {
    fc.assert(
      fc.property(
        fc
          .array(bodyArb(fc.constant({ mode: "exclusive" as const, group: "g" })), {
            minLength: 2,
            maxLength: 5,
          })
          .chain(withIds),
        termsArb,
        inputArb,
        (rules, terms, input) => {
          const r = compileRules(rules, terms).evaluate({ ...input, accrualAllowance: null });
          const solo = rules.map((rule) => ({
            rule,
            r: compileRules([rule], terms).evaluate({ ...input, accrualAllowance: null }),
          }));
          const bestDiscount = Math.max(...solo.map((s) => s.r.discountTotal));
          expect(r.discountTotal).toBe(bestDiscount);
          const tied = solo.filter((s) => s.r.discountTotal === bestDiscount);
          expect(r.accrualTotal).toBe(Math.max(...tied.map((s) => s.r.accrualTotal)));
          expect(r.appliedRules.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 800 },
    );
  });
});
