import {
  CONDITION_TYPES,
  EFFECT_TYPES,
  type RuleIssue,
  validateDiscountProgram,
  validateRuleDefinition,
} from "@kopilka/contract";
import { describe, expect, it } from "vitest";
import { rule } from "./fixtures.js";

const valid = () =>
  rule(
    1,
    [{ type: "line_discount_percent", params: { percentBp: 1_000 } }],
    [
      { type: "stores", params: { stores: ["S1"] } },
      { type: "products", params: { set: { brands: ["Bayer"] }, minQuantity: 2_000 } },
    ],
    { validFrom: "2025-03-01T00:00:00+03:00", validTo: "2025-04-01T00:00:00+03:00" },
  );

/** Applies `mutate` to a valid rule and returns the issues as `path code` strings. */
function issuesOf(mutate: (r: Record<string, unknown> & ReturnType<typeof valid>) => void): string[] {
  const r = structuredClone(valid()) as Record<string, unknown> & ReturnType<typeof valid>;
  mutate(r);
  return validateRuleDefinition(r).map((i: RuleIssue) => `${i.path} ${i.code}`);
}

describe("rule definition validation", () => {
  it("accepts a valid rule", () => {
    expect(validateRuleDefinition(valid())).toEqual([]);
  });

  it.each<[string, (r: ReturnType<typeof valid> & Record<string, unknown>) => void, string[]]>([
    ["a missing name", (r) => Reflect.deleteProperty(r, "name"), ["name required"]],
    [
      "an unknown top-level field",
      (r) => Object.assign(r, { colour: "red" }),
      ["colour additionalProperties"],
    ],
    [
      "a negative minimum quantity",
      (r) => Object.assign(r.conditions[1]!, { params: { set: { brands: ["Bayer"] }, minQuantity: -1 } }),
      ["conditions[1].params.minQuantity minimum"],
    ],
    [
      "an unknown condition type",
      (r) => Object.assign(r.conditions[0]!, { type: "moon_phase" }),
      ["conditions[0].type unknown_type"],
    ],
    [
      "an unknown parameter of a condition",
      (r) => Object.assign(r.conditions[0]!, { params: { stores: ["S1"], region: "x" } }),
      ["conditions[0].params.region additionalProperties"],
    ],
    [
      "a product set that names nothing",
      (r) => Object.assign(r.conditions[1]!, { params: { set: {} } }),
      ["conditions[1].params.set required"],
    ],
    [
      "a percentage over 100 %",
      (r) => Object.assign(r.effects[0]!, { params: { percentBp: 10_001 } }),
      ["effects[0].params.percentBp maximum"],
    ],
    ["no effects", (r) => Object.assign(r, { effects: [] }), ["effects minItems"]],
    [
      "an exclusive rule without a group",
      (r) => Object.assign(r, { stacking: { mode: "exclusive" } }),
      ["stacking.group required"],
    ],
    [
      "a receipt discount competing line by line",
      (r) =>
        Object.assign(r, {
          stacking: { mode: "exclusive", group: "g", per: "line" },
          effects: [{ type: "receipt_discount", params: { amount: 100 } }],
        }),
      ["effects[0].type stacking"],
    ],
    [
      "validTo before validFrom",
      (r) => Object.assign(r, { validTo: "2025-02-01T00:00:00+03:00" }),
      ["validTo range"],
    ],
    [
      "an instant without an offset",
      (r) => Object.assign(r, { validFrom: "2025-03-01T00:00:00" }),
      ["validFrom pattern"],
    ],
    [
      "hours of equal ends",
      (r) => r.conditions.push({ type: "time_of_day", params: { from: "09:00", to: "09:00" } }),
      ["conditions[2].params.to range"],
    ],
    [
      "an impossible date",
      (r) => r.conditions.push({ type: "date_range", params: { from: "2025-02-30" } }),
      ["conditions[2].params.from format"],
    ],
    [
      "history over last_days without days",
      (r) =>
        r.conditions.push({
          type: "purchase_history",
          params: { metric: "count", period: "last_days", min: 1 },
        }),
      ["conditions[2].params.days required"],
    ],
    [
      "a nested condition in an any-group",
      (r) =>
        r.conditions.push({
          type: "any",
          conditions: [
            { type: "stores", params: { stores: ["S1"] } },
            { type: "weekdays", params: { days: [8] } },
          ],
        }),
      ["conditions[2].conditions[1].params.days[0] maximum"],
    ],
    [
      "an unknown placeholder in a cashier message",
      (r) => r.effects.push({ type: "cashier_message", params: { template: "Скидка {discount}" } }),
      ["effects[1].params.template placeholder"],
    ],
  ])("names the field at fault: %s", (_name, mutate, expected) => {
    expect(issuesOf(mutate)).toEqual(expected);
  });

  it("survives any JSON", () => {
    for (const v of [null, 1, "x", [], {}, { conditions: "x" }])
      expect(validateRuleDefinition(v).length).toBeGreaterThan(0);
  });

  it("every registry entry has titles and an object schema of parameters for the cabinet's forms", () => {
    for (const entry of [...Object.values(CONDITION_TYPES), ...Object.values(EFFECT_TYPES)]) {
      expect(entry.title.ru.length).toBeGreaterThan(0);
      expect(entry.title.en.length).toBeGreaterThan(0);
      expect((entry.params as { type?: string }).type).toBe("object");
    }
  });
});

describe("discount program validation", () => {
  const program = () => ({
    code: "PHARMA",
    version: 1,
    name: "Test program",
    items: [
      { barcode: "1111111111116", name: "A", discount: { type: "percent", percentBp: 2_000 } },
      {
        barcode: "3333333333338",
        name: "C",
        discount: { type: "cash", amount: 20_000 },
        priceCeiling: 100_000,
      },
    ],
    limits: [{ id: "month", period: "calendar_month", maxPacks: 2 }],
  });

  it("accepts a valid program and names the faulty fields", () => {
    expect(validateDiscountProgram(program())).toEqual([]);
    const bad = program() as ReturnType<typeof program> & Record<string, unknown>;
    bad.items.push({
      barcode: "1111111111116",
      name: "dup",
      discount: { type: "cash", percentBp: 5 } as never,
    });
    bad.limits.push({ id: "rolling", period: "last_days", maxPacks: 1 });
    expect(validateDiscountProgram(bad).map((i) => `${i.path} ${i.code}`)).toEqual([
      "items[2].barcode duplicate",
      "items[2].discount.percentBp unexpected",
      "items[2].discount.amount required",
      "limits[1].days required",
    ]);
  });
});
