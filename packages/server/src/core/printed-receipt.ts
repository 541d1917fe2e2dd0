/**
 * A receipt as the till printed it, compared with what the server calculated. A late confirm is applied
 * only when the two agree on every figure the customer saw: never a discount other than the one printed.
 */
import { lineAmount, sum } from "./arithmetic.js";
import type { PricedLine } from "./receipt.js";

export interface PrintedLine {
  lineId: string;
  sku?: string;
  barcode?: string;
  quantity: number;
  price: number;
  amount?: number;
  discount: number;
  pointsPaid: number;
  accrual: number;
}

export interface PrintedReceipt {
  rulesVersion?: string;
  storeCode: string;
  posCode: string;
  cardNumber?: string;
  promoCodes?: string[];
  lines: PrintedLine[];
  pointsSpent: number;
  pointsAccrued: number;
}

export interface ReceiptMismatch {
  /** The printed field that differs, as `receipt.lines[1].discount`. */
  field: string;
  printed: unknown;
  calculated: unknown;
}

export interface CalculatedReceipt {
  storeCode: string;
  cardNumber: string | null;
  lines: readonly PricedLine[];
}

/** The first difference between the printed receipt and the calculated one, or null when they agree. */
export function compareReceipt(
  printed: PrintedReceipt,
  calculated: CalculatedReceipt,
): ReceiptMismatch | null {
  const differ = (field: string, p: unknown, c: unknown): ReceiptMismatch | null =>
    p === c ? null : { field: `receipt.${field}`, printed: p, calculated: c };
  const head =
    differ("storeCode", printed.storeCode, calculated.storeCode) ??
    differ("cardNumber", printed.cardNumber ?? null, calculated.cardNumber) ??
    differ("lines.length", printed.lines.length, calculated.lines.length);
  if (head) return head;
  const byId = new Map(calculated.lines.map((l) => [l.lineId, l]));
  for (const [i, p] of printed.lines.entries()) {
    const c = byId.get(p.lineId);
    if (!c) return { field: `receipt.lines[${i}].lineId`, printed: p.lineId, calculated: null };
    const at = (name: string) => `lines[${i}].${name}`;
    const mismatch =
      differ(at("quantity"), p.quantity, c.quantity) ??
      differ(at("price"), p.price, c.unitPrice) ??
      differ(at("amount"), p.amount ?? lineAmount(p.price, p.quantity), c.amount) ??
      differ(at("discount"), p.discount, c.discount) ??
      differ(at("pointsPaid"), p.pointsPaid, c.pointsPaid) ??
      differ(at("accrual"), p.accrual, c.accrual);
    if (mismatch) return mismatch;
  }
  return (
    differ("pointsSpent", printed.pointsSpent, sum(calculated.lines.map((l) => l.pointsPaid))) ??
    differ("pointsAccrued", printed.pointsAccrued, sum(calculated.lines.map((l) => l.accrual)))
  );
}
