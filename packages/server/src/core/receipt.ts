/**
 * A priced receipt: the engine's evaluation plus the points payment spread over the lines and the accrual
 * that follows from it. Accrual is earned on what the customer pays with money, so it is recomputed
 * whenever the points payment changes.
 */

import { DomainError } from "../kernel/errors.js";
import { allocate } from "./allocation.js";
import { percentOf, sum } from "./arithmetic.js";
import type { EngineResult, LineEvaluation } from "./engine/types.js";
import type { RefundableLine } from "./refund.js";
import type { Evaluation } from "./rules/types.js";

/** A rule's part of a line's discount: the rule and the version that produced it. */
export interface RuleAmount {
  ruleId: number;
  version: number;
  amount: number;
}

/** A rule's part of a line's accrual: `rateBp` > 0 applies to what is paid with money, 0 is fixed points. */
export interface RuleAccrual extends RuleAmount {
  /** Hundredths of a point with no points payment. */
  amount: number;
  rateBp: number;
}

export interface PricedLine extends LineEvaluation, RefundableLine {
  sku: string | null;
  barcode: string | null;
  productKnown: boolean;
  unitPrice: number;
  /** Each rule's discount on the line (absent on purchases priced before rule versions). */
  discounts?: RuleAmount[];
  /** Each rule's accrual on the line (absent on purchases priced before rule versions). */
  accruals?: RuleAccrual[];
  /** Lines priced by a manufacturer's discount program: the line code and why (PharmApi's line answer). */
  programLine?: ProgramLineOutcome;
}

/** A discount program's verdict on a line: PharmApi line code (0 = discounted), message, product name. */
export interface ProgramLineOutcome {
  code: number;
  message: string;
  name: string | null;
  type: "percent" | "cash" | null;
  /** Whole packs discounted. */
  packs: number;
  availableFrom: string | null;
}

export interface PricedTotals {
  subtotal: number;
  discount: number;
  total: number;
  pointsPaid: number;
  /** What the customer pays with money. */
  toPay: number;
  accrual: number;
}

/**
 * A line's accrual once `pointsPaid` of it is paid with points: each percentage contribution applies to
 * what is paid with money (rounded down per contribution), fixed points stay. A contribution the daily
 * accrual cap trimmed keeps its trimmed amount as its ceiling.
 */
export function accrualOf(
  line: Pick<PricedLine, "total" | "accrualRateBp" | "accruals">,
  pointsPaid: number,
): number {
  const paidWithMoney = line.total - pointsPaid;
  if (!line.accruals) return percentOf(paidWithMoney, line.accrualRateBp);
  let total = 0;
  for (const a of line.accruals)
    total += a.rateBp > 0 ? Math.min(a.amount, percentOf(paidWithMoney, a.rateBp)) : a.amount;
  return total;
}

/** Spreads a points payment over the lines by their caps and recomputes each line's accrual. */
export function applyPointsPayment<L extends PricedLine>(
  lines: readonly L[],
  amount: number,
  limit: number,
): L[] {
  if (amount > limit) {
    throw new DomainError("POINTS_PAYMENT_LIMIT_EXCEEDED", `at most ${limit} may be paid with points`, {
      field: "amount",
      max: limit,
    });
  }
  const shares = allocate(
    amount,
    lines.map((l) => l.pointsPaymentCap),
  );
  return lines.map((l, i) => {
    const pointsPaid = shares[i]!;
    return { ...l, pointsPaid, accrual: accrualOf(l, pointsPaid) };
  });
}

export function totalsOf(lines: readonly PricedLine[]): PricedTotals {
  const subtotal = sum(lines.map((l) => l.amount));
  const discount = sum(lines.map((l) => l.discount));
  const pointsPaid = sum(lines.map((l) => l.pointsPaid));
  return {
    subtotal,
    discount,
    total: subtotal - discount,
    pointsPaid,
    toPay: subtotal - discount - pointsPaid,
    accrual: sum(lines.map((l) => l.accrual)),
  };
}

export interface LineSource {
  lineId: string;
  sku: string | null;
  barcode: string | null;
  productKnown: boolean;
  quantity: number;
  unitPrice: number;
}

/**
 * Joins the request's lines with the rule engine's evaluation into fresh, unpaid priced lines: every
 * discount and accrual names its rule and version; `discountRuleId` and `accrualRuleId` keep naming the
 * largest discount and the highest accrual rate, as before rule versions. Written out field by field: on
 * the hot path a spread that adds keys costs far more than an object literal.
 */
export function pricedLines(
  sources: readonly LineSource[],
  evaluation: Evaluation | EngineResult,
): PricedLine[] {
  if (!isRuleEvaluation(evaluation)) return basicPricedLines(sources, evaluation);
  return evaluation.lines.map((e, i) => {
    const s = sources[i]!;
    const discounts: RuleAmount[] = [];
    const accruals: RuleAccrual[] = [];
    let discountRuleId: number | null = null;
    let discountBest = -1;
    let accrualRuleId: number | null = null;
    let accrualBest = 0;
    let accrualRateBp = 0;
    for (const c of e.contributions) {
      if (c.kind === "discount") {
        discounts.push({ ruleId: c.ruleId, version: c.version, amount: c.amount });
        if (c.amount > discountBest) {
          discountBest = c.amount;
          discountRuleId = c.ruleId;
        }
      } else {
        accruals.push({ ruleId: c.ruleId, version: c.version, amount: c.amount, rateBp: c.rateBp });
        if (c.rateBp > 0) {
          if (c.rateBp > accrualBest) {
            accrualBest = c.rateBp;
            accrualRuleId = c.ruleId;
          }
          accrualRateBp += c.rateBp;
        }
      }
    }
    const line: PricedLine = {
      lineId: e.lineId,
      sku: s.sku,
      barcode: s.barcode,
      productKnown: s.productKnown,
      quantity: s.quantity,
      unitPrice: s.unitPrice,
      amount: e.amount,
      discount: e.discount,
      discountRuleId,
      discounts,
      total: e.total,
      accrualRateBp,
      accrualRuleId,
      accruals,
      pointsPaymentCap: e.pointsPaymentCap,
      pointsPaid: 0,
      accrual: 0,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    };
    line.accrual = accrualOf(line, 0);
    return line;
  });
}

function isRuleEvaluation(e: Evaluation | EngineResult): e is Evaluation {
  return "appliedRules" in e;
}

/** Lines priced by the basic engine (its property tests; the purchase flow uses the rule engine). */
function basicPricedLines(sources: readonly LineSource[], evaluation: EngineResult): PricedLine[] {
  return evaluation.lines.map((e, i) => {
    const s = sources[i]!;
    return {
      lineId: e.lineId,
      sku: s.sku,
      barcode: s.barcode,
      productKnown: s.productKnown,
      quantity: s.quantity,
      unitPrice: s.unitPrice,
      amount: e.amount,
      discount: e.discount,
      discountRuleId: e.discountRuleId,
      total: e.total,
      accrualRateBp: e.accrualRateBp,
      accrualRuleId: e.accrualRuleId,
      pointsPaymentCap: e.pointsPaymentCap,
      pointsPaid: 0,
      accrual: accrualOf(e, 0),
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    };
  });
}
