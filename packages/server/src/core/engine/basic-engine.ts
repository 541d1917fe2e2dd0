/**
 * The first rule engine: percent or fixed discounts on product sets, percent accrual on the paid amount,
 * and limits on the share payable with points. Rules are compiled once per program version; evaluate()
 * is then allocation-light so a 10-line receipt against hundreds of rules stays well under a millisecond.
 */
import { lineAmount, mulDivFloor, percentOf, sum } from "../arithmetic.js";
import { formatRublesRu } from "../rules/format.js";
import type {
  CashierMessage,
  EngineInput,
  EngineResult,
  LineEvaluation,
  PricingEngine,
  ProductFacts,
  ProgramTerms,
  Rule,
} from "./types.js";

interface CompiledRule {
  rule: Rule;
  unscoped: boolean;
  skus: Set<string> | null;
  categories: Set<string> | null;
  brands: Set<string> | null;
  manufacturers: Set<string> | null;
  levels: Set<string> | null;
  promoCode: string | null;
}

const toSet = (values: string[] | undefined): Set<string> | null =>
  values && values.length > 0 ? new Set(values) : null;

export function normalizePromoCode(code: string): string {
  return code.trim().toUpperCase();
}

function compile(rule: Rule): CompiledRule {
  const skus = toSet(rule.scope.skus);
  const categories = toSet(rule.scope.categories);
  const brands = toSet(rule.scope.brands);
  const manufacturers = toSet(rule.scope.manufacturers);
  return {
    rule,
    unscoped: !skus && !categories && !brands && !manufacturers,
    skus,
    categories,
    brands,
    manufacturers,
    levels: toSet(rule.levels),
    promoCode: rule.promoCode ? normalizePromoCode(rule.promoCode) : null,
  };
}

function inScope(c: CompiledRule, product: ProductFacts | null): boolean {
  if (c.unscoped) return true;
  if (!product) return false;
  if (c.skus && !c.skus.has(product.sku)) return false;
  if (c.categories && !(product.category !== null && c.categories.has(product.category))) return false;
  if (c.brands && !(product.brand !== null && c.brands.has(product.brand))) return false;
  if (c.manufacturers && !(product.manufacturer !== null && c.manufacturers.has(product.manufacturer)))
    return false;
  return true;
}

/** Better candidate: the bigger value, then the higher priority, then the lower id (stable across runs). */
function better(value: number, rule: Rule, bestValue: number, best: Rule | null): boolean {
  if (!best) return value > 0;
  if (value !== bestValue) return value > bestValue;
  if (rule.priority !== best.priority) return rule.priority > best.priority;
  return rule.id < best.id;
}

export function createBasicEngine(rules: readonly Rule[], terms: ProgramTerms): PricingEngine {
  const compiled = rules.map(compile);
  const byKind = (kind: Rule["kind"]) => compiled.filter((c) => c.rule.kind === kind);
  const discounts = [...byKind("discount_percent"), ...byKind("discount_fixed")];
  const accruals = byKind("accrual_percent");
  const paymentLimits = byKind("points_payment_limit");
  const knownPromoCodes = new Set(compiled.flatMap((c) => (c.promoCode ? [c.promoCode] : [])));

  return {
    evaluate(input: EngineInput): EngineResult {
      const promo = new Set(input.promoCodes.map(normalizePromoCode));
      const card = input.card;
      const applicable = (c: CompiledRule, product: ProductFacts | null, needsCard: boolean): boolean => {
        if (c.promoCode && !promo.has(c.promoCode)) return false;
        if (c.levels && !(card?.level && c.levels.has(card.level))) return false;
        if (needsCard && !card) return false;
        return inScope(c, product);
      };
      const usedPromo = new Set<string>();
      const canAccrue = card !== null && card.status !== "blocked";
      const canPayWithPoints = card !== null && card.status === "active";

      const lines: LineEvaluation[] = input.lines.map((line) => {
        const product = line.product;
        const floor = product && product.minPrice > 0 ? lineAmount(product.minPrice, line.quantity) : 0;
        const discountable = Math.max(0, line.amount - floor);

        let discount = 0;
        let discountRule: Rule | null = null;
        let discountPromo: string | null = null;
        for (const c of discounts) {
          if (!applicable(c, product, false)) continue;
          const r = c.rule;
          const raw =
            r.kind === "discount_percent"
              ? percentOf(line.amount, r.percentBp)
              : r.kind === "discount_fixed"
                ? mulDivFloor(r.amountPerUnit, line.quantity, 1000)
                : 0;
          const value = Math.min(raw, discountable);
          if (better(value, r, discount, discountRule)) {
            discount = value;
            discountRule = r;
            discountPromo = c.promoCode;
          }
        }
        if (discountPromo) usedPromo.add(discountPromo);
        const total = line.amount - discount;

        let accrualRateBp = 0;
        let accrualRule: Rule | null = null;
        if (canAccrue && !product?.excludedFromAccrual) {
          for (const c of accruals) {
            if (c.rule.kind !== "accrual_percent" || !applicable(c, product, true)) continue;
            if (better(c.rule.percentBp, c.rule, accrualRateBp, accrualRule)) {
              accrualRateBp = c.rule.percentBp;
              accrualRule = c.rule;
            }
          }
          if (accrualRule?.promoCode) usedPromo.add(normalizePromoCode(accrualRule.promoCode));
        }

        let pointsPaymentCap = 0;
        if (canPayWithPoints && !product?.excludedFromPointsPayment) {
          pointsPaymentCap = Math.max(0, total - floor);
          for (const c of paymentLimits) {
            if (c.rule.kind !== "points_payment_limit" || !applicable(c, product, true)) continue;
            pointsPaymentCap = Math.min(pointsPaymentCap, percentOf(total, c.rule.maxShareBp));
          }
        }

        return {
          lineId: line.lineId,
          amount: line.amount,
          discount,
          discountRuleId: discountRule?.id ?? null,
          total,
          accrualRateBp,
          accrualRuleId: accrualRule?.id ?? null,
          pointsPaymentCap,
        };
      });

      const subtotal = sum(lines.map((l) => l.amount));
      const discountTotal = sum(lines.map((l) => l.discount));
      const total = subtotal - discountTotal;
      const pointsPaymentLimit = Math.min(
        sum(lines.map((l) => l.pointsPaymentCap)),
        percentOf(total, terms.maxPointsPaymentShareBp),
      );

      const messages: CashierMessage[] = [];
      if (card?.status === "accrual_only")
        messages.push({
          code: "CARD_ACCRUAL_ONLY",
          text: "Карта только для начисления баллов: оплата баллами недоступна",
        });
      if (discountTotal > 0)
        messages.push({
          code: "DISCOUNT_APPLIED",
          text: `Скидка по программе: ${formatRublesRu(discountTotal)}`,
        });
      const unknownPromoCodes = [...promo].filter((p) => !knownPromoCodes.has(p));
      for (const p of unknownPromoCodes)
        messages.push({ code: "PROMO_CODE_UNKNOWN", text: `Промокод ${p} не найден` });

      return {
        lines,
        subtotal,
        discountTotal,
        total,
        pointsPaymentLimit,
        appliedPromoCodes: [...usedPromo],
        unknownPromoCodes,
        messages,
      };
    },
  };
}
