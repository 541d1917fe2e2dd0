/**
 * The sold purchases of a period, for the chain's sales reports: read-only, bounded by the period.
 */
import type { PricedLine } from "../../core/receipt.js";
import type { Executor } from "../../infra/db/database.js";
import { linesOfReceiptText } from "./receipt-text.js";

/** Purchases in these states are sales: confirmed, whatever was refunded of them later. */
export const SOLD_STATES = ["confirmed", "partially_refunded", "refunded"] as const;

export interface SoldPurchase {
  createdAt: number;
  storeId: number;
  withCard: boolean;
  /** Kopecks. */
  subtotal: number;
  discount: number;
  total: number;
  refunded: number;
  /** Hundredths of a point. */
  pointsSpent: number;
  pointsAccrued: number;
  lines: Pick<PricedLine, "discounts" | "accruals">[];
}

/** The partner's sold purchases calculated in [from, to), oldest first. */
export async function soldPurchases(
  db: Executor,
  partnerId: number,
  from: number,
  to: number,
  storeId: number | null,
): Promise<SoldPurchase[]> {
  let query = db
    .selectFrom("purchases")
    .select([
      "created_at",
      "store_id",
      "card_id",
      "subtotal",
      "discount_total",
      "total",
      "refunded_amount",
      "points_spent",
      "points_accrued",
      "receipt",
    ])
    .where("partner_id", "=", partnerId)
    .where("created_at", ">=", from)
    .where("created_at", "<", to)
    .where("state", "in", SOLD_STATES);
  if (storeId !== null) query = query.where("store_id", "=", storeId);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map((r) => ({
    createdAt: r.created_at,
    storeId: r.store_id,
    withCard: r.card_id !== null,
    subtotal: r.subtotal,
    discount: r.discount_total,
    total: r.total,
    refunded: r.refunded_amount,
    pointsSpent: r.points_spent,
    pointsAccrued: r.points_accrued,
    lines: linesOfReceiptText(r.receipt),
  }));
}
