/**
 * Refund arithmetic. Every per-line figure is taken cumulatively (what is due after this refund minus what
 * was already given back), so any sequence of partial refunds ends exactly at the purchase's figures and
 * never beyond them.
 */

import { DomainError } from "../kernel/errors.js";
import { allocate } from "./allocation.js";
import { mulDivFloor, sum } from "./arithmetic.js";

export interface RefundableLine {
  lineId: string;
  quantity: number;
  /** Line total after discounts, kopecks. */
  total: number;
  pointsPaid: number;
  accrual: number;
  refundedQuantity: number;
  refundedAmount: number;
  pointsReturned: number;
  accrualReversed: number;
}

export interface RefundRequest {
  /** Absent: everything not yet refunded. */
  lines?: readonly { lineId: string; quantity: number }[];
  /** Points the POS decided to give back for the spend; never more than the refunded lines hold. */
  pointsToReturn?: number;
  /** Accrued points the POS decided to take back; never more than the refunded lines hold. */
  accrualToReverse?: number;
}

export interface RefundLinePlan {
  lineId: string;
  quantity: number;
  amount: number;
  pointsReturned: number;
  accrualReversed: number;
}

export interface RefundPlan {
  lines: RefundLinePlan[];
  amount: number;
  pointsReturned: number;
  accrualReversed: number;
  /** True when, after this refund, nothing of the purchase is left to refund. */
  completesPurchase: boolean;
}

/** What is due on a line once `cumulativeQuantity` of it is refunded, minus what was already given. */
function due(whole: number, cumulativeQuantity: number, quantity: number, already: number): number {
  const target = cumulativeQuantity >= quantity ? whole : mulDivFloor(whole, cumulativeQuantity, quantity);
  return Math.max(0, target - already);
}

/**
 * Spreads a figure the POS states over the refunded lines. It may not exceed what those lines still hold
 * nor `ceiling` (points given back can never be worth more than the goods returned).
 */
function stated(
  value: number,
  field: string,
  computed: number[],
  remaining: number[],
  ceiling: number,
): number[] {
  const max = Math.min(sum(remaining), ceiling);
  if (value > max) {
    throw new DomainError("REFUND_POINTS_EXCEED_REFUNDABLE", `${field} exceeds the refundable ${max}`, {
      field,
      max,
    });
  }
  const weights = computed.some((v) => v > 0) ? computed : remaining;
  return allocate(value, weights, remaining);
}

export function planRefund(lines: readonly RefundableLine[], request: RefundRequest): RefundPlan {
  const byId = new Map(lines.map((l) => [l.lineId, l]));
  const asked =
    request.lines ??
    lines
      .filter((l) => l.refundedQuantity < l.quantity)
      .map((l) => ({ lineId: l.lineId, quantity: l.quantity - l.refundedQuantity }));
  if (asked.length === 0)
    throw new DomainError("NOTHING_TO_REFUND", "the purchase has nothing left to refund");

  const seen = new Set<string>();
  const chosen = asked.map((a, index) => {
    const line = byId.get(a.lineId);
    const field = `lines[${index}].lineId`;
    if (!line)
      throw new DomainError("REFUND_LINE_UNKNOWN", `line ${a.lineId} is not in the purchase`, { field });
    if (seen.has(a.lineId))
      throw new DomainError("DUPLICATE_LINE_ID", `line ${a.lineId} is listed twice`, { field });
    seen.add(a.lineId);
    const left = line.quantity - line.refundedQuantity;
    if (a.quantity <= 0 || a.quantity > left) {
      throw new DomainError(
        "REFUND_QUANTITY_EXCEEDS_PURCHASED",
        `line ${a.lineId} has ${left} left to refund`,
        {
          field: `lines[${index}].quantity`,
          max: left,
        },
      );
    }
    return { line, quantity: a.quantity, after: line.refundedQuantity + a.quantity };
  });

  const amounts = chosen.map((c) => due(c.line.total, c.after, c.line.quantity, c.line.refundedAmount));
  const pointsComputed = chosen.map((c) =>
    due(c.line.pointsPaid, c.after, c.line.quantity, c.line.pointsReturned),
  );
  const accrualComputed = chosen.map((c) =>
    due(c.line.accrual, c.after, c.line.quantity, c.line.accrualReversed),
  );

  const points =
    request.pointsToReturn === undefined
      ? pointsComputed
      : stated(
          request.pointsToReturn,
          "pointsToReturn",
          pointsComputed,
          chosen.map((c) => c.line.pointsPaid - c.line.pointsReturned),
          sum(amounts),
        );
  const accrual =
    request.accrualToReverse === undefined
      ? accrualComputed
      : stated(
          request.accrualToReverse,
          "accrualToReverse",
          accrualComputed,
          chosen.map((c) => c.line.accrual - c.line.accrualReversed),
          Number.MAX_SAFE_INTEGER,
        );

  const planLines = chosen.map((c, i) => ({
    lineId: c.line.lineId,
    quantity: c.quantity,
    amount: amounts[i]!,
    pointsReturned: points[i]!,
    accrualReversed: accrual[i]!,
  }));
  const refundedQuantities = new Map(chosen.map((c) => [c.line.lineId, c.after]));
  const completesPurchase = lines.every(
    (l) => (refundedQuantities.get(l.lineId) ?? l.refundedQuantity) >= l.quantity,
  );
  return {
    lines: planLines,
    amount: sum(amounts),
    pointsReturned: sum(points),
    accrualReversed: sum(accrual),
    completesPurchase,
  };
}

/** The purchase's lines after a refund plan is applied. */
export function applyRefund<T extends RefundableLine>(lines: readonly T[], plan: RefundPlan): T[] {
  const byId = new Map(plan.lines.map((p) => [p.lineId, p]));
  return lines.map((l) => {
    const p = byId.get(l.lineId);
    if (!p) return l;
    return {
      ...l,
      refundedQuantity: l.refundedQuantity + p.quantity,
      refundedAmount: l.refundedAmount + p.amount,
      pointsReturned: l.pointsReturned + p.pointsReturned,
      accrualReversed: l.accrualReversed + p.accrualReversed,
    };
  });
}

export interface RefundPolicyOutcome {
  /** The proportional figures of this refund: the least the POS may state unless the program allows less. */
  minimum: { pointsToReturn: number; accrualToReverse: number };
  /** The POS stated less than the minimum and the program allows it: the refund is marked and reported. */
  belowProportional: boolean;
}

/**
 * The program's refund policy over what the POS stated. By default a stated figure may not be below the
 * proportional share of the returned goods, in either direction of harm: fewer accrued points taken back
 * leaves the customer points for goods they no longer have (the merchant's loss), fewer paid points given
 * back keeps points the customer paid for goods returned (the customer's loss). A figure is never raised
 * silently: the POS prints what was applied, so a too-low one is refused with the minimum. A program that
 * allows lower figures gets them, marked.
 */
export function applyRefundPolicy(
  lines: readonly RefundableLine[],
  request: RefundRequest,
  allowBelowProportional: boolean,
): RefundPolicyOutcome {
  const proportional = planRefund(lines, request.lines ? { lines: request.lines } : {});
  // Points given back never exceed the value of the goods returned, so neither does their minimum.
  const minimum = {
    pointsToReturn: Math.min(proportional.pointsReturned, proportional.amount),
    accrualToReverse: proportional.accrualReversed,
  };
  const pointsLow = request.pointsToReturn !== undefined && request.pointsToReturn < minimum.pointsToReturn;
  const accrualLow =
    request.accrualToReverse !== undefined && request.accrualToReverse < minimum.accrualToReverse;
  if (!allowBelowProportional) {
    if (accrualLow) {
      throw new DomainError(
        "REFUND_ACCRUAL_BELOW_MINIMUM",
        `accrualToReverse is below the proportional ${minimum.accrualToReverse}`,
        { field: "accrualToReverse", min: minimum.accrualToReverse },
      );
    }
    if (pointsLow) {
      throw new DomainError(
        "REFUND_POINTS_BELOW_MINIMUM",
        `pointsToReturn is below the proportional ${minimum.pointsToReturn}`,
        { field: "pointsToReturn", min: minimum.pointsToReturn },
      );
    }
  }
  return { minimum, belowProportional: pointsLow || accrualLow };
}
