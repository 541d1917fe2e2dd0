/**
 * The rule engine behind the purchase flow's `PricingEngine` interface, so the flow can switch engines
 * without changes. The basic engine's four rule kinds map onto definitions:
 *
 * | basic rule              | definition                                                               |
 * | ----------------------- | ------------------------------------------------------------------------ |
 * | `discount_percent`      | `line_discount_percent`, exclusive group `discount` per line              |
 * | `discount_fixed`        | `line_discount_amount` per unit, exclusive group `discount` per line      |
 * | `accrual_percent`       | `accrual_percent`, exclusive group `accrual` per line                     |
 * | `points_payment_limit`  | `points_payment_share` (the lowest applicable share wins), stackable      |
 * | `scope`                 | a `products` condition with `match: "all"` (every list given must match)  |
 * | `levels`, `promoCode`   | `card_levels`, `promo_code` conditions                                    |
 *
 * With percentages rounded down (`discountRounding: "down"`), the program's share applied to the receipt
 * total, and the basic engine's cashier messages, the adapter reproduces the basic engine's results
 * exactly (tested on its property scenarios). Where the new semantics differ on purpose, they are not
 * reachable through the adapter: the basic engine lets only the single best discount and accrual apply per
 * line (hence per-line exclusive groups), rounds percentage discounts down (the new default is half up),
 * and caps points payment per receipt by the program share (the new engine sums per-line caps so a rule
 * may raise a line's share).
 */
import type { Condition, Effect, RuleDefinition } from "@kopilka/contract";
import { percentOf } from "../arithmetic.js";
import type {
  CashierMessage,
  EngineInput,
  EngineResult,
  LineEvaluation,
  PricingEngine,
  ProgramTerms,
  Rule,
} from "../engine/types.js";
import { normalizePromoCode } from "./conditions.js";
import { compileRules } from "./engine.js";
import { formatRublesRu } from "./format.js";
import type { RuleEngine, RuleStore } from "./types.js";

/** A basic rule as a definition (version 1); null for rules that can never give anything. */
export function definitionOfBasicRule(rule: Rule, program = "basic"): RuleDefinition | null {
  const conditions: Condition[] = [];
  const s = rule.scope;
  const set = {
    ...(s.skus?.length ? { skus: s.skus } : {}),
    ...(s.categories?.length ? { categories: s.categories } : {}),
    ...(s.brands?.length ? { brands: s.brands } : {}),
    ...(s.manufacturers?.length ? { manufacturers: s.manufacturers } : {}),
  };
  if (Object.keys(set).length > 0)
    conditions.push({ type: "products", params: { set: { ...set, match: "all" } } });
  if (rule.levels?.length) conditions.push({ type: "card_levels", params: { levels: rule.levels } });
  if (rule.promoCode) conditions.push({ type: "promo_code", params: { codes: [rule.promoCode] } });
  let effect: Effect;
  let group: string | null;
  switch (rule.kind) {
    case "discount_percent":
      if (rule.percentBp <= 0) return null;
      effect = { type: "line_discount_percent", params: { percentBp: rule.percentBp } };
      group = "discount";
      break;
    case "discount_fixed":
      if (rule.amountPerUnit <= 0) return null;
      effect = { type: "line_discount_amount", params: { amount: rule.amountPerUnit, per: "unit" } };
      group = "discount";
      break;
    case "accrual_percent":
      if (rule.percentBp <= 0) return null;
      effect = { type: "accrual_percent", params: { percentBp: rule.percentBp } };
      group = "accrual";
      break;
    case "points_payment_limit":
      effect = { type: "points_payment_share", params: { maxShareBp: rule.maxShareBp } };
      group = null;
      break;
  }
  return {
    id: rule.id,
    version: 1,
    program,
    name: rule.name,
    priority: rule.priority,
    stacking: group ? { mode: "exclusive", group, per: "line" } : { mode: "stackable" },
    conditions,
    effects: [effect],
  };
}

/** A `PricingEngine` over the rule engine, fed with basic rules. */
export function createAdaptedEngine(rules: readonly Rule[], terms: ProgramTerms): PricingEngine {
  const definitions = rules
    .map((r) => definitionOfBasicRule(r))
    .filter((d): d is RuleDefinition => d !== null);
  const engine = compileRules(definitions, { maxPointsPaymentShareBp: 10_000, discountRounding: "down" });
  const known = new Set(rules.flatMap((r) => (r.promoCode ? [normalizePromoCode(r.promoCode)] : [])));
  // Basic rules know no time or store, so neither instant nor store matters to them.
  return asPricingEngine(engine, terms, { now: () => 0, store: null }, known);
}

/** What the old interface does not carry: the instant (from the caller's clock) and the store. */
export interface PricingContext {
  now: () => number;
  store: RuleStore | null;
}

/**
 * Wraps a rule engine as a `PricingEngine`: one discount and one accrual rule id per line (the largest
 * contribution's), the accrual as the sum of the percentage rates, and the program share applied to the
 * receipt total. The old interface cannot carry fixed-point accruals, the explanation, messages of rules,
 * instructions or the daily accrual cap: a flow that needs them uses `RuleEngine.evaluate` directly.
 */
export function asPricingEngine(
  engine: RuleEngine,
  terms: ProgramTerms,
  context: PricingContext,
  knownPromoCodes: ReadonlySet<string> = engine.knownPromoCodes(),
): PricingEngine {
  return {
    evaluate(input: EngineInput): EngineResult {
      const evaluation = engine.evaluate({
        now: context.now(),
        store: context.store,
        lines: input.lines.map((l) => ({
          lineId: l.lineId,
          product: l.product,
          barcode: null,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
          amount: l.amount,
        })),
        card: input.card,
        promoCodes: input.promoCodes,
      });
      const presented = new Set(input.promoCodes.map(normalizePromoCode));
      const applied = new Map(evaluation.appliedRules.map((r) => [r.ruleId, r]));
      const used = new Set<string>();
      const lines: LineEvaluation[] = evaluation.lines.map((l) => {
        let discountRuleId: number | null = null;
        let discountBest = -1;
        let accrualRuleId: number | null = null;
        let accrualRateBp = 0;
        let accrualBest = 0;
        for (const c of l.contributions) {
          if (c.kind === "discount" && c.amount > discountBest) {
            discountBest = c.amount;
            discountRuleId = c.ruleId;
          }
          if (c.kind === "accrual" && c.rateBp > 0) {
            if (c.rateBp > accrualBest) {
              accrualBest = c.rateBp;
              accrualRuleId = c.ruleId;
            }
            accrualRateBp += c.rateBp;
          }
        }
        for (const id of [discountRuleId, accrualRuleId]) {
          const rule = id === null ? undefined : applied.get(id);
          if (rule) for (const c of rule.promoCodes) used.add(c);
        }
        return {
          lineId: l.lineId,
          amount: l.amount,
          discount: l.discount,
          discountRuleId,
          total: l.total,
          accrualRateBp,
          accrualRuleId,
          pointsPaymentCap: l.pointsPaymentCap,
        };
      });
      const pointsPaymentLimit = Math.min(
        evaluation.pointsPaymentLimit,
        percentOf(evaluation.total, terms.maxPointsPaymentShareBp),
      );
      const messages: CashierMessage[] = [];
      if (input.card?.status === "accrual_only")
        messages.push({
          code: "CARD_ACCRUAL_ONLY",
          text: "Карта только для начисления баллов: оплата баллами недоступна",
        });
      if (evaluation.discountTotal > 0)
        messages.push({
          code: "DISCOUNT_APPLIED",
          text: `Скидка по программе: ${formatRublesRu(evaluation.discountTotal)}`,
        });
      const unknownPromoCodes = [...presented].filter((p) => !knownPromoCodes.has(p));
      for (const p of unknownPromoCodes)
        messages.push({ code: "PROMO_CODE_UNKNOWN", text: `Промокод ${p} не найден` });
      return {
        lines,
        subtotal: evaluation.subtotal,
        discountTotal: evaluation.discountTotal,
        total: evaluation.total,
        pointsPaymentLimit,
        appliedPromoCodes: [...used],
        unknownPromoCodes,
        messages,
      };
    },
  };
}
