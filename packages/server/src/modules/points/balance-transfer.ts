/**
 * Moving a card's whole balance to a new card (a lost card replaced). Both sides are ledger entries in
 * the caller's transaction: a debit of everything on the old account and a credit of the same on the new
 * one. Active and pending lots are re-opened on the new account with their own activation and expiry
 * dates, and the old lots are emptied, so expiry and activation go on exactly as before.
 */
import type { Database, Trx } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { lockAccount } from "./account-store.js";

export interface MovedBalance {
  active: number;
  pending: number;
}

export async function moveBalance(
  database: Database,
  trx: Trx,
  fromCardId: number,
  toCardId: number,
  now: number,
  notes: { debit: string; credit: string },
): Promise<MovedBalance> {
  // Two accounts: locked in id order, so two replacements crossing each other cannot deadlock.
  const [low, high] = fromCardId < toCardId ? [fromCardId, toCardId] : [toCardId, fromCardId];
  const lowAccount = await lockAccount(database, trx, low);
  const highAccount = await lockAccount(database, trx, high);
  const from = low === fromCardId ? lowAccount : highAccount;
  const to = low === fromCardId ? highAccount : lowAccount;
  if (from.held > 0) {
    throw new DomainError("CARD_HAS_OPEN_PURCHASES", "points of the card are held by an open purchase", {
      held: from.held,
    });
  }
  if (to.active !== 0 || to.pending !== 0 || to.held !== 0) {
    throw new DomainError("CARD_NOT_FREE", "the new card already has points", {
      field: "newNumber",
      reason: "the new card already has points",
    });
  }
  const lots = await trx
    .selectFrom("points_lots")
    .select(["id", "state", "remaining", "active_from", "expires_at"])
    .where("account_id", "=", fromCardId)
    .where("state", "in", ["active", "pending"])
    .where("remaining", ">", 0)
    .orderBy("id")
    .execute();
  for (const lot of lots) {
    await trx
      .insertInto("points_lots")
      .values({
        account_id: toCardId,
        state: lot.state,
        amount: lot.remaining,
        remaining: lot.remaining,
        active_from: lot.active_from,
        expires_at: lot.expires_at,
        created_at: now,
      })
      .execute();
    await trx.updateTable("points_lots").set({ remaining: 0 }).where("id", "=", lot.id).execute();
  }
  const moved = { active: from.active, pending: from.pending };
  if (moved.active === 0 && moved.pending === 0) return moved;
  const entry = (accountId: number, sign: 1 | -1, note: string) => ({
    account_id: accountId,
    kind: "adjustment",
    active_delta: sign * moved.active,
    pending_delta: sign * moved.pending,
    purchase_id: null,
    refund_id: null,
    lot_id: null,
    note,
    created_at: now,
  });
  await trx
    .insertInto("ledger_entries")
    .values([entry(fromCardId, -1, notes.debit), entry(toCardId, 1, notes.credit)])
    .execute();
  await trx
    .updateTable("points_accounts")
    .set({ active: 0, pending: 0, updated_at: now })
    .where("card_id", "=", fromCardId)
    .execute();
  await trx
    .updateTable("points_accounts")
    .set({ active: moved.active, pending: moved.pending, updated_at: now })
    .where("card_id", "=", toCardId)
    .execute();
  return moved;
}
