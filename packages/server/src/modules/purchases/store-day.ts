/**
 * One store's purchases created in an instant range (a local day), for the till's reconciliation. Only the
 * selling partner's own purchases in that store: unlike the cabinet's list, a program owner does not see
 * its participants' sales here, because a till compares them with its own journal. Reads only.
 */
import type { PurchaseState } from "@kopilka/contract";
import type { Executor } from "../../infra/db/database.js";

export interface StoreDayQuery {
  partnerId: number;
  storeId: number;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  posCode?: string;
  /** The id after which the page starts (the previous page's last). */
  afterId?: number;
  limit: number;
}

export interface StoreDayPurchase {
  purchaseId: string;
  posCode: string;
  state: PurchaseState;
  cardNumber: string | null;
  subtotal: number;
  discount: number;
  total: number;
  pointsSpent: number;
  pointsAccrued: number;
  refundedAmount: number;
  createdAt: string;
  confirmedAt: string | null;
}

export interface StoreDayPage {
  items: StoreDayPurchase[];
  /** The last row's id when more rows may follow; null on the last page. */
  nextAfterId: number | null;
}

/** Keyset pages in id order (ids grow with time within a process), one index range per page. */
export async function purchasesOfStoreDay(db: Executor, q: StoreDayQuery): Promise<StoreDayPage> {
  let query = db
    .selectFrom("purchases as p")
    .leftJoin("cards as c", "c.id", "p.card_id")
    .select([
      "p.id",
      "p.external_id",
      "p.pos_code",
      "p.state",
      "c.number as card_number",
      "p.subtotal",
      "p.discount_total",
      "p.total",
      "p.points_spent",
      "p.points_accrued",
      "p.refunded_amount",
      "p.created_at",
      "p.confirmed_at",
    ])
    .where("p.partner_id", "=", q.partnerId)
    .where("p.created_at", ">=", q.from)
    .where("p.created_at", "<", q.to)
    .where("p.store_id", "=", q.storeId);
  if (q.posCode !== undefined) query = query.where("p.pos_code", "=", q.posCode);
  if (q.afterId !== undefined) query = query.where("p.id", ">", q.afterId);
  // One row more than asked tells whether another page follows.
  const rows = await query
    .orderBy("p.id")
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      purchaseId: r.external_id,
      posCode: r.pos_code,
      state: r.state as PurchaseState,
      cardNumber: r.card_number,
      subtotal: Number(r.subtotal),
      discount: Number(r.discount_total),
      total: Number(r.total),
      pointsSpent: Number(r.points_spent),
      pointsAccrued: Number(r.points_accrued),
      refundedAmount: Number(r.refunded_amount),
      createdAt: new Date(Number(r.created_at)).toISOString(),
      confirmedAt: r.confirmed_at === null ? null : new Date(Number(r.confirmed_at)).toISOString(),
    })),
    nextAfterId: rows.length > q.limit ? Number(page.at(-1)!.id) : null,
  };
}
