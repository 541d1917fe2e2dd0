/** Ledger entries of a period, for the points-movement report: read-only, bounded by the period. */
import type { Executor } from "../../infra/db/database.js";

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
