import type { Condition } from "@kopilka/contract";
import { describe, expect, it } from "vitest";
import { compileRules } from "../../../src/core/rules/engine.js";
import type { RuleInput } from "../../../src/core/rules/types.js";
import { input, line, NOON_MSK, percentOff, product, rule, run, skipReason, TERMS } from "./fixtures.js";

interface Case {
  name: string;
  condition: Condition;
  input?: Partial<RuleInput>;
  /** null: the condition holds; otherwise the failure code. */
  fails: string | null;
}

const at = (iso: string) => Date.parse(iso);
const client = (c: RuleInput["client"]) => ({ client: c });

const CASES: Case[] = [
  { name: "partner listed", condition: { type: "partners", params: { partners: ["P1"] } }, fails: null },
  {
    name: "partner not listed",
    condition: { type: "partners", params: { partners: ["P2"] } },
    fails: "PARTNER_NOT_LISTED",
  },
  {
    name: "partner without store",
    condition: { type: "partners", params: { partners: ["P1"] } },
    input: { store: null },
    fails: "NO_STORE",
  },
  { name: "store listed", condition: { type: "stores", params: { stores: ["S9", "S1"] } }, fails: null },
  {
    name: "store not listed",
    condition: { type: "stores", params: { stores: ["S9"] } },
    fails: "STORE_NOT_LISTED",
  },
  {
    name: "date in range",
    condition: { type: "date_range", params: { from: "2025-03-01", to: "2025-03-05" } },
    fails: null,
  },
  {
    name: "date after range",
    condition: { type: "date_range", params: { to: "2025-03-04" } },
    fails: "DATE_OUTSIDE_RANGE",
  },
  {
    name: "local date, not UTC: 01:30 MSK on 6 March is 5 March in UTC",
    condition: { type: "date_range", params: { from: "2025-03-06" } },
    input: { now: at("2025-03-06T01:30:00+03:00") },
    fails: null,
  },
  { name: "weekday listed (Wednesday)", condition: { type: "weekdays", params: { days: [3] } }, fails: null },
  {
    name: "weekday not listed",
    condition: { type: "weekdays", params: { days: [6, 7] } },
    fails: "WEEKDAY_NOT_LISTED",
  },
  {
    name: "hours inside",
    condition: { type: "time_of_day", params: { from: "09:00", to: "18:00" } },
    fails: null,
  },
  {
    name: "hours: end excluded",
    condition: { type: "time_of_day", params: { from: "09:00", to: "12:00" } },
    fails: "TIME_OUTSIDE_RANGE",
  },
  {
    name: "hours past midnight",
    condition: { type: "time_of_day", params: { from: "22:00", to: "02:00" } },
    input: { now: at("2025-03-06T01:00:00+03:00") },
    fails: null,
  },
  {
    name: "unknown time zone",
    condition: { type: "weekdays", params: { days: [1, 2, 3, 4, 5, 6, 7] } },
    input: { store: { code: "S1", partner: "P1", timeZone: "Mars/Olympus" } },
    fails: "TIMEZONE_INVALID",
  },
  {
    name: "card level listed",
    condition: { type: "card_levels", params: { levels: ["gold"] } },
    input: { card: { status: "active", level: "gold" } },
    fails: null,
  },
  {
    name: "card level missing",
    condition: { type: "card_levels", params: { levels: ["gold"] } },
    fails: "CARD_LEVEL_NOT_LISTED",
  },
  {
    name: "no card for a level",
    condition: { type: "card_levels", params: { levels: ["gold"] } },
    input: { card: null },
    fails: "NO_CARD",
  },
  {
    name: "card status listed",
    condition: { type: "card_statuses", params: { statuses: ["accrual_only"] } },
    input: { card: { status: "accrual_only", level: null } },
    fails: null,
  },
  {
    name: "card status not listed",
    condition: { type: "card_statuses", params: { statuses: ["accrual_only"] } },
    fails: "CARD_STATUS_NOT_LISTED",
  },
  {
    name: "birthday in 3 days, window 5 before",
    condition: { type: "birthday", params: { daysBefore: 5, daysAfter: 0 } },
    input: client({ birthday: "1990-03-08" }),
    fails: null,
  },
  {
    name: "birthday 2 days ago, window 1 after",
    condition: { type: "birthday", params: { daysBefore: 7, daysAfter: 1 } },
    input: client({ birthday: "03-03" }),
    fails: "BIRTHDAY_NOT_NEAR",
  },
  {
    name: "birthday across the new year",
    condition: { type: "birthday", params: { daysBefore: 3, daysAfter: 0 } },
    input: { now: at("2025-12-30T12:00:00+03:00"), client: { birthday: "01-01" } },
    fails: null,
  },
  {
    name: "29 February birthday kept on 28 February in a common year",
    condition: { type: "birthday", params: { daysBefore: 0, daysAfter: 0 } },
    input: { now: at("2025-02-28T12:00:00+03:00"), client: { birthday: "2000-02-29" } },
    fails: null,
  },
  {
    name: "birthday unknown",
    condition: { type: "birthday", params: { daysBefore: 5, daysAfter: 5 } },
    fails: "FACT_MISSING",
  },
  {
    name: "client registered",
    condition: { type: "client_attribute", params: { attribute: "registered", value: true } },
    input: client({ registered: true }),
    fails: null,
  },
  {
    name: "phone not confirmed",
    condition: { type: "client_attribute", params: { attribute: "phone_confirmed", value: true } },
    input: client({ phoneConfirmed: false }),
    fails: "CLIENT_ATTRIBUTE_MISMATCH",
  },
  {
    name: "e-mail fact absent",
    condition: { type: "client_attribute", params: { attribute: "email_confirmed", value: true } },
    input: client({ phoneConfirmed: true }),
    fails: "FACT_MISSING",
  },
  {
    name: "first purchase",
    condition: { type: "client_attribute", params: { attribute: "first_purchase", value: true } },
    input: client({ firstPurchase: true }),
    fails: null,
  },
  {
    name: "receipt total reached",
    condition: { type: "receipt_total", params: { min: 10_000 } },
    fails: null,
  },
  {
    name: "receipt total short",
    condition: { type: "receipt_total", params: { min: 10_001 } },
    fails: "RECEIPT_TOTAL_TOO_LOW",
  },
  {
    name: "products by SKU",
    condition: { type: "products", params: { set: { skus: ["ASPIRIN"] } } },
    fails: null,
  },
  {
    name: "products by barcode",
    condition: { type: "products", params: { set: { barcodes: ["4600000000001"] } } },
    input: { lines: [line({ barcode: "4600000000001", product: null })] },
    fails: null,
  },
  {
    name: "products: any list (category) matches",
    condition: { type: "products", params: { set: { skus: ["X"], categories: ["pain"] } } },
    fails: null,
  },
  {
    name: "products: all lists must match",
    condition: { type: "products", params: { set: { skus: ["ASPIRIN"], brands: ["Other"], match: "all" } } },
    fails: "PRODUCTS_MISSING",
  },
  {
    name: "products by manufacturer with a minimum quantity over lines",
    condition: { type: "products", params: { set: { manufacturers: ["Bayer AG"] }, minQuantity: 3_000 } },
    input: { lines: [line({ quantity: 2_000 }), line({ quantity: 1_000, product: product({ sku: "B" }) })] },
    fails: null,
  },
  {
    name: "products quantity short",
    condition: { type: "products", params: { set: { brands: ["Bayer"] }, minQuantity: 3_000 } },
    input: { lines: [line({ quantity: 2_500 })] },
    fails: "PRODUCTS_QUANTITY_TOO_LOW",
  },
  {
    name: "products amount short",
    condition: { type: "products", params: { set: { brands: ["Bayer"] }, minAmount: 20_000 } },
    fails: "PRODUCTS_AMOUNT_TOO_LOW",
  },
  {
    name: "purchases today ≥ 2",
    condition: { type: "purchase_history", params: { metric: "count", period: "today", min: 2 } },
    input: { history: { "count:today": 2 } },
    fails: null,
  },
  {
    name: "amount in 30 days at most 5000 ₽",
    condition: {
      type: "purchase_history",
      params: { metric: "amount", period: "last_days", days: 30, max: 500_000 },
    },
    input: { history: { "amount:last_days:30": 600_000 } },
    fails: "HISTORY_OUT_OF_RANGE",
  },
  {
    name: "history fact absent",
    condition: { type: "purchase_history", params: { metric: "count", period: "calendar_month", min: 1 } },
    fails: "FACT_MISSING",
  },
  {
    name: "promo code presented (case and spaces ignored)",
    condition: { type: "promo_code", params: { codes: ["Spring"] } },
    input: { promoCodes: ["  SPRING "] },
    fails: null,
  },
  {
    name: "promo code absent",
    condition: { type: "promo_code", params: { codes: ["SPRING"] } },
    fails: "PROMO_CODE_ABSENT",
  },
  {
    name: "paid with points",
    condition: { type: "points_payment", params: { present: true } },
    input: { pointsPayment: true },
    fails: null,
  },
  {
    name: "not paid with points",
    condition: { type: "points_payment", params: { present: false } },
    fails: null,
  },
  {
    name: "points payment expected",
    condition: { type: "points_payment", params: { present: true } },
    fails: "POINTS_PAYMENT_MISMATCH",
  },
  {
    name: "any-group: one member holds",
    condition: {
      type: "any",
      conditions: [
        { type: "stores", params: { stores: ["S9"] } },
        { type: "card_statuses", params: { statuses: ["active"] } },
      ],
    },
    fails: null,
  },
  {
    name: "any-group: none holds",
    condition: {
      type: "any",
      conditions: [
        { type: "stores", params: { stores: ["S9"] } },
        { type: "weekdays", params: { days: [7] } },
      ],
    },
    fails: "NONE_OF_ANY",
  },
];

describe("conditions", () => {
  it.each(CASES)("$name", ({ condition, input: over, fails }) => {
    const r = run([rule(1, [percentOff(1_000)], [condition])], over ?? {});
    if (fails === null) {
      expect(r.appliedRules.map((a) => a.ruleId)).toEqual([1]);
    } else {
      expect(r.appliedRules).toEqual([]);
      expect(skipReason(r, 1)).toBe(fails);
      const skipped = r.skippedRules![0]!;
      expect(skipped.reason.path).toBe("conditions[0]");
      expect(skipped.reason.text.length).toBeGreaterThan(0);
    }
  });

  it("names the first failing condition and explains an any-group member by member", () => {
    const r = run([
      rule(
        1,
        [percentOff(1_000)],
        [
          { type: "stores", params: { stores: ["S1"] } },
          {
            type: "any",
            conditions: [
              { type: "stores", params: { stores: ["S9"] } },
              { type: "weekdays", params: { days: [7] } },
            ],
          },
        ],
      ),
    ]);
    const reason = r.skippedRules![0]!.reason;
    expect(reason).toMatchObject({ code: "NONE_OF_ANY", path: "conditions[1]" });
    expect(reason.text).toContain("conditions[1].conditions[0]");
    expect(reason.text).toContain("conditions[1].conditions[1]");
  });

  it("validity period: from included, to excluded", () => {
    const r = (now: number) =>
      run(
        [
          rule(1, [percentOff(1_000)], [], {
            validFrom: "2025-03-05T12:00:00+03:00",
            validTo: "2025-03-05T13:00:00+03:00",
          }),
        ],
        { now },
      );
    expect(r(NOON_MSK).appliedRules).toHaveLength(1);
    expect(skipReason(r(NOON_MSK - 1), 1)).toBe("NOT_YET_VALID");
    expect(skipReason(r(NOON_MSK + 3_600_000), 1)).toBe("EXPIRED");
  });

  it("lists the history facts the rules need, once each", () => {
    const engine = compileRules(
      [
        rule(
          1,
          [percentOff(100)],
          [{ type: "purchase_history", params: { metric: "count", period: "today", min: 1 } }],
        ),
        rule(
          2,
          [percentOff(100)],
          [
            {
              type: "any",
              conditions: [
                {
                  type: "purchase_history",
                  params: { metric: "amount", period: "last_days", days: 30, min: 1 },
                },
                { type: "purchase_history", params: { metric: "count", period: "today", max: 3 } },
              ],
            },
          ],
        ),
      ],
      TERMS,
    );
    expect(engine.requiredHistoryFacts()).toEqual([
      { key: "count:today", metric: "count", period: "today" },
      { key: "amount:last_days:30", metric: "amount", period: "last_days", days: 30 },
    ]);
    expect(
      engine.evaluate(input({ history: { "count:today": 1 } })).appliedRules.map((a) => a.ruleId),
    ).toEqual([1, 2]);
  });
});

describe("time zones", () => {
  // "Weekdays 9–18 local": at 07:30 UTC on a Friday it is 10:30 in Moscow and 17:30 in Vladivostok;
  // at 09:30 UTC it is 12:30 in Moscow and 19:30 in Vladivostok; on Saturday 01:00 UTC it is still Friday
  // 04:00 in Moscow (closed) and Saturday 11:00 in Vladivostok (a weekend).
  const weekdayHours = rule(
    1,
    [percentOff(1_000)],
    [
      { type: "weekdays", params: { days: [1, 2, 3, 4, 5] } },
      { type: "time_of_day", params: { from: "09:00", to: "18:00" } },
    ],
  );
  const engine = compileRules([weekdayHours], TERMS);
  const moscow = { code: "MSK", partner: "P1", timeZone: "Europe/Moscow" };
  const vladivostok = { code: "VVO", partner: "P1", timeZone: "Asia/Vladivostok" };
  const applies = (store: typeof moscow, iso: string) =>
    engine.evaluate(input({ store, now: Date.parse(iso) })).discountTotal > 0;

  it.each([
    ["2025-03-07T07:30:00Z", true, true],
    ["2025-03-07T09:30:00Z", true, false],
    ["2025-03-08T01:00:00Z", false, false],
    ["2025-03-07T05:59:00Z", false, true],
    ["2025-03-07T06:00:00Z", true, true],
  ])("at %s: Moscow %s, Vladivostok %s", (iso, inMoscow, inVladivostok) => {
    expect(applies(moscow, iso)).toBe(inMoscow);
    expect(applies(vladivostok, iso)).toBe(inVladivostok);
  });
});
