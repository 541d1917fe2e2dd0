/**
 * What the sales and points-movement reports read: sold purchases with the rules of their lines, and
 * ledger entries of the partner's cards. Read-only SQL over the purchases and points modules' tables
 * (they alone write them); period-bounded, like the other reports' reads.
 */
import type { PricedLine } from "../../core/receipt.js";
import type { Executor } from "../../infra/db/database.js";

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
    lines: (JSON.parse(r.receipt) as { lines: PricedLine[] }).lines,
  }));
}

export interface RuleName {
  name: string;
  programCode: string;
}

export async function ruleNames(db: Executor, ids: readonly number[]): Promise<Map<number, RuleName>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("rules")
    .innerJoin("programs", "programs.id", "rules.program_id")
    .select(["rules.id", "rules.name", "programs.code"])
    .where("rules.id", "in", [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, programCode: r.code }]));
}

export interface LedgerMovement {
  kind: string;
  activeDelta: number;
  pendingDelta: number;
  createdAt: number;
  programCode: string;
  /** The store of the purchase the entry belongs to; null for adjustments, activations, expiries. */
  storeId: number | null;
}

/**
 * Ledger entries of the partner's cards made in [from, to). With a store, only the entries of that
 * store's purchases (an adjustment or an expiry belongs to no store).
 */
export async function ledgerMovements(
  db: Executor,
  partnerId: number,
  from: number,
  to: number,
  storeId: number | null,
): Promise<LedgerMovement[]> {
  let query = db
    .selectFrom("ledger_entries as e")
    .innerJoin("cards as c", "c.id", "e.account_id")
    .innerJoin("programs as g", "g.id", "c.program_id")
    .leftJoin("purchases as p", "p.id", "e.purchase_id")
    .select(["e.kind", "e.active_delta", "e.pending_delta", "e.created_at", "g.code", "p.store_id"])
    .where("c.partner_id", "=", partnerId)
    .where("e.created_at", ">=", from)
    .where("e.created_at", "<", to);
  if (storeId !== null) query = query.where("p.store_id", "=", storeId);
  const rows = await query.orderBy("e.created_at").orderBy("e.id").execute();
  return rows.map((r) => ({
    kind: r.kind,
    activeDelta: r.active_delta,
    pendingDelta: r.pending_delta,
    createdAt: r.created_at,
    programCode: r.code,
    storeId: r.store_id,
  }));
}
