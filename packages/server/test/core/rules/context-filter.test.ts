/**
 * The context filter (validity windows, stores, card levels, local weekdays and times, promo codes) only drops
 * rules that could not apply: on random programs and receipts the indexed engine gives exactly what a
 * full scan gives, and its explanation the same result.
 */
import type { Condition, Effect, RuleDefinition } from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineAmount } from "../../../src/core/arithmetic.js";
import { compileRules } from "../../../src/core/rules/engine.js";
import type { RuleInput, RuleTerms } from "../../../src/core/rules/types.js";
import { NOON_MSK } from "./fixtures.js";

const DAY = 86_400_000;
const SKUS = ["S1", "S2", "S3"];
const STORES = ["A", "B", "C"];
const LEVELS = ["gold", "silver"];
const CODES = ["SPRING", "AUTUMN"];

const TIMES = ["00:00", "03:00", "06:00", "09:00", "12:00", "13:30", "15:00", "18:00", "21:00"];

const isoAt = (days: number) => new Date(NOON_MSK + days * DAY).toISOString();

const contextConditionArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.subarray(STORES, { minLength: 1 }).map((stores) => ({ type: "stores" as const, params: { stores } })),
  fc
    .subarray(LEVELS, { minLength: 1 })
    .map((levels) => ({ type: "card_levels" as const, params: { levels } })),
  fc
    .subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 })
    .map((days) => ({ type: "weekdays" as const, params: { days } })),
  // Edges on a coarse grid, so that receipts fall on them (see the receipts' instants).
  fc
    .tuple(fc.constantFrom(...TIMES), fc.constantFrom(...TIMES, "24:00"))
    .map(([from, to]) => ({ type: "time_of_day" as const, params: { from, to } })),
  fc.subarray(CODES, { minLength: 1 }).map((codes) => ({ type: "promo_code" as const, params: { codes } })),
  fc
    .subarray(SKUS, { minLength: 1 })
    .map((skus) => ({ type: "products" as const, params: { set: { skus } } })),
);

// An any-group's members are not the rule's own demands: a group of a store and a weekday holds on either.
const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  { weight: 4, arbitrary: contextConditionArb },
  {
    weight: 1,
    arbitrary: fc
      .array(contextConditionArb, { minLength: 1, maxLength: 2 })
      .map((conditions) => ({ type: "any" as const, conditions })),
  },
);

const effectArb: fc.Arbitrary<Effect> = fc.oneof(
  fc.integer({ min: 100, max: 3_000 }).map((percentBp) => ({
    type: "line_discount_percent" as const,
    params: { percentBp },
  })),
  fc
    .integer({ min: 100, max: 1_000 })
    .map((percentBp) => ({ type: "accrual_percent" as const, params: { percentBp } })),
  fc
    .integer({ min: 100, max: 5_000 })
    .map((amount) => ({ type: "receipt_discount" as const, params: { amount } })),
);

const windowArb = fc.record(
  {
    validFrom: fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 3 }).map(isoAt)),
    validTo: fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 3 }).map(isoAt)),
  },
  { requiredKeys: [] },
);

const ruleArb = fc
  .record({
    window: windowArb,
    priority: fc.nat({ max: 3 }),
    stacking: fc.constantFrom<RuleDefinition["stacking"]>(
      { mode: "stackable" },
      { mode: "exclusive", group: "g" },
      { mode: "exclusive", group: "l", per: "line" },
    ),
    conditions: fc.array(conditionArb, { maxLength: 3 }),
    effect: effectArb,
  })
  .filter((r) => r.stacking.per !== "line" || r.effect.type !== "receipt_discount");

const rulesArb: fc.Arbitrary<RuleDefinition[]> = fc.array(ruleArb, { maxLength: 40 }).map((rules) =>
  rules.map((r, i) => ({
    id: i + 1,
    version: 1,
    program: "p",
    name: `r${i + 1}`,
    ...r.window,
    priority: r.priority,
    stacking: r.stacking,
    conditions: r.conditions,
    effects: [r.effect],
  })),
);

const inputArb: fc.Arbitrary<RuleInput> = fc.record({
  // Noon in Moscow, give or take days on a 3-hour grid (a minute before, or half an hour after): every weekday, and instants on the
  // edges of the validity windows and of the times of day.
  now: fc
    .tuple(fc.integer({ min: -32, max: 32 }), fc.constantFrom(0, 0, 30, -1))
    .map(([threeHours, minutes]) => NOON_MSK + threeHours * 3 * 3_600_000 + minutes * 60_000),
  store: fc.option(
    fc.record({
      code: fc.constantFrom(...STORES, "Z"),
      partner: fc.constant("P"),
      timeZone: fc.constantFrom("Europe/Moscow", "Asia/Vladivostok", "America/New_York", "Mars/Olympus"),
    }),
    { nil: null, freq: 6 },
  ),
  lines: fc
    .array(fc.record({ sku: fc.constantFrom(...SKUS), unitPrice: fc.integer({ min: 100, max: 30_000 }) }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((ls) =>
      ls.map((l, i) => ({
        lineId: String(i + 1),
        product: {
          sku: l.sku,
          category: null,
          brand: null,
          manufacturer: null,
          excludedFromPointsPayment: false,
          excludedFromAccrual: false,
          minPrice: 0,
        },
        barcode: null,
        quantity: 1_000,
        unitPrice: l.unitPrice,
        amount: lineAmount(l.unitPrice, 1_000),
      })),
    ),
  card: fc.option(
    fc.record({
      status: fc.constantFrom("active" as const, "accrual_only" as const),
      level: fc.constantFrom(null, ...LEVELS, "bronze"),
    }),
    { nil: null, freq: 5 },
  ),
  promoCodes: fc.subarray([" spring", "AUTUMN", "WINTER"]),
});

const terms: RuleTerms = { maxPointsPaymentShareBp: 10_000 };

describe("context filter", () => {
  it("drops only rules that could not apply: the indexed engine equals a full scan", () => {
    fc.assert(
      fc.property(rulesArb, fc.array(inputArb, { minLength: 1, maxLength: 4 }), (rules, inputs) => {
        // One engine for several receipts: its bitmaps are cached between receipts.
        const indexed = compileRules(rules, terms);
        const scanned = compileRules(rules, terms, { useIndex: false });
        for (const input of inputs) {
          const result = indexed.evaluate(input);
          expect(result).toEqual(scanned.evaluate(input));
          const { skippedRules, ...explained } = indexed.evaluate(input, { explain: true });
          expect(explained).toEqual(result);
          expect(skippedRules!.length + result.appliedRules.length).toBe(rules.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
