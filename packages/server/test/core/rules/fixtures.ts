/** Builders for rule engine tests: rules, products, lines and inputs with readable defaults. */
import type { Condition, Effect, ProductSet, RuleDefinition } from "@kopilka/contract";
import { lineAmount } from "../../../src/core/arithmetic.js";
import { compileRules } from "../../../src/core/rules/engine.js";
import type { RuleInput, RuleLine, RuleProduct, RuleTerms } from "../../../src/core/rules/types.js";

/** 2025-03-05 (a Wednesday) 12:00 in Moscow. */
export const NOON_MSK = Date.parse("2025-03-05T12:00:00+03:00");

export const product = (over: Partial<RuleProduct> = {}): RuleProduct => ({
  sku: "ASPIRIN",
  category: "pain",
  brand: "Bayer",
  manufacturer: "Bayer AG",
  excludedFromPointsPayment: false,
  excludedFromAccrual: false,
  minPrice: 0,
  ...over,
});

let nextLine = 1;
export function line(over: Partial<RuleLine> = {}): RuleLine {
  const quantity = over.quantity ?? 1_000;
  const unitPrice = over.unitPrice ?? 10_000;
  return {
    lineId: over.lineId ?? String(nextLine++),
    product: over.product === undefined ? product() : over.product,
    barcode: over.barcode ?? null,
    quantity,
    unitPrice,
    amount: lineAmount(unitPrice, quantity),
  };
}

export function input(over: Partial<RuleInput> = {}): RuleInput {
  return {
    now: NOON_MSK,
    store: { code: "S1", partner: "P1", timeZone: "Europe/Moscow" },
    lines: over.lines ?? [line({ lineId: "1" })],
    card: { status: "active", level: null },
    promoCodes: [],
    ...over,
  };
}

export function rule(
  id: number,
  effects: Effect[],
  conditions: Condition[] = [],
  over: Partial<RuleDefinition> = {},
): RuleDefinition {
  return {
    id,
    version: 1,
    program: "loyalty",
    name: `rule ${id}`,
    priority: 0,
    stacking: { mode: "stackable" },
    conditions,
    effects,
    ...over,
  };
}

export const percentOff = (percentBp: number, products?: ProductSet): Effect =>
  products
    ? { type: "line_discount_percent", params: { percentBp, products } }
    : { type: "line_discount_percent", params: { percentBp } };

export const accrue = (percentBp: number): Effect => ({ type: "accrual_percent", params: { percentBp } });

export const TERMS: RuleTerms = { maxPointsPaymentShareBp: 10_000 };

export function run(rules: RuleDefinition[], over: Partial<RuleInput> = {}, terms: RuleTerms = TERMS) {
  return compileRules(rules, terms).evaluate(input(over), { explain: true });
}

/** The reason a rule was skipped, by id. */
export function skipReason(result: ReturnType<typeof run>, ruleId: number): string | undefined {
  return result.skippedRules?.find((s) => s.ruleId === ruleId)?.reason.code;
}
