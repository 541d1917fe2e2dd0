/**
 * Resolving a hanging purchase by hand. An operator may confirm one only with the receipt its till printed
 * (the late confirm kept it in the purchase's history): the receipt the operator gives, read from the
 * fiscal document, must be that one, figure for figure, and what is booked is what was printed: the
 * customer saw those discounts and points. Pure.
 */
import { lineAmount } from "./arithmetic.js";
import { compareReceipt, type PrintedReceipt, type ReceiptMismatch } from "./printed-receipt.js";
import type { PricedLine } from "./receipt.js";

/**
 * The printed lines as priced lines: the figures printed, with what the calculation knew of each line
 * (product, rule ids, accrual rate) kept where the line is the same, so refunds later work on them.
 */
export function linesAsPrinted(printed: PrintedReceipt, calculated: readonly PricedLine[]): PricedLine[] {
  const byId = new Map(calculated.map((l) => [l.lineId, l]));
  return printed.lines.map((p) => {
    const known = byId.get(p.lineId);
    const amount = p.amount ?? lineAmount(p.price, p.quantity);
    return {
      lineId: p.lineId,
      sku: p.sku ?? known?.sku ?? null,
      barcode: p.barcode ?? known?.barcode ?? null,
      productKnown: known?.productKnown ?? false,
      unitPrice: p.price,
      quantity: p.quantity,
      amount,
      discount: p.discount,
      discountRuleId: known && known.discount === p.discount ? known.discountRuleId : null,
      total: amount - p.discount,
      accrualRateBp: known?.accrualRateBp ?? 0,
      accrualRuleId: known && known.accrual === p.accrual ? known.accrualRuleId : null,
      pointsPaymentCap: Math.max(p.pointsPaid, known?.pointsPaymentCap ?? 0),
      pointsPaid: p.pointsPaid,
      accrual: p.accrual,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    };
  });
}

/**
 * The first difference between the receipt an operator gives and the one the till printed, or null. As in
 * compareReceipt, `printed` holds the value given (here: by the operator) and `calculated` the reference
 * (here: what the till printed).
 */
export function resolutionMismatch(given: PrintedReceipt, printed: PrintedReceipt): ReceiptMismatch | null {
  const differ = (field: string, g: unknown, p: unknown): ReceiptMismatch | null =>
    g === p ? null : { field: `receipt.${field}`, printed: g, calculated: p };
  return (
    differ("posCode", given.posCode, printed.posCode) ??
    differ("pointsSpent", given.pointsSpent, printed.pointsSpent) ??
    differ("pointsAccrued", given.pointsAccrued, printed.pointsAccrued) ??
    compareReceipt(given, {
      storeCode: printed.storeCode,
      cardNumber: printed.cardNumber ?? null,
      lines: linesAsPrinted(printed, []),
    })
  );
}
