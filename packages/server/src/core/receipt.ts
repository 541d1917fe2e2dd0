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

export interface PricedLine extends LineEvaluation, RefundableLine {
  sku: string | null;
  barcode: string | null;
  productKnown: boolean;
  unitPrice: number;
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

export function accrualOf(line: Pick<LineEvaluation, "total" | "accrualRateBp">, pointsPaid: number): number {
  return percentOf(line.total - pointsPaid, line.accrualRateBp);
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
 * Joins the request's lines with the engine's evaluation into fresh, unpaid priced lines. Written out
 * field by field: on the hot path a spread that adds keys costs far more than an object literal.
 */
export function pricedLines(sources: readonly LineSource[], evaluation: EngineResult): PricedLine[] {
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
