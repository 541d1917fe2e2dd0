/**
 * expire: a calculated purchase past its TTL becomes `expired` and its hold is released. The sweeper runs
 * it for every due purchase; it re-checks the row under lock, so concurrent sweepers expire each once,
 * and on PostgreSQL it skips rows that others hold (`SKIP LOCKED`) instead of queueing behind them.
 * Its receipt is kept as it was, so a late confirm can still be checked against it.
 */
import type { PurchaseState } from "@kopilka/contract";
import { decideExpire } from "../../../core/purchase-lifecycle.js";
import { releaseUsage } from "../../anti-fraud/index.js";
import { releaseDiscountLimits } from "../../discount-programs/index.js";
import { lockAccount, releaseHold } from "../../points/index.js";
import { releasePromoCodes } from "../../promo-codes/index.js";
import type { PurchaseRepository } from "../purchase-repository.js";

/**
 * Expires one purchase by its row id; returns 1 when it did, 0 when the purchase was no longer due or is
 * busy. A purchase another transaction holds (a till's confirm, another process's sweeper) is skipped,
 * not waited for: if it is still due, the next sweep takes it.
 */
export function expire(repository: PurchaseRepository, id: number, now: number): Promise<number> {
  return repository.transact(async (tx) => {
    const row = await tx.lockById(id, { skipLocked: true });
    if (!row) return 0;
    const state = row.state as PurchaseState;
    if (decideExpire({ state, expiresAt: row.expires_at, now }).kind === "skip") return 0;
    await releasePromoCodes(tx.trx, id, now); // promo codes
    await releaseDiscountLimits(tx.trx, row, null, now); // discount programs
    await releaseUsage(tx.trx, id, now); // anti-fraud caps
    let released = 0;
    if (row.card_id !== null && row.points_spent > 0) {
      const account = await lockAccount(repository.database, tx.trx, row.card_id);
      released = await releaseHold(tx.trx, account, row.id, "expired", now);
    }
    await tx.update(id, { state: "expired", points_spent: 0, closed_at: now, updated_at: now });
    await tx.event(id, "expired", { released }, now);
    return 1;
  });
}

/** Expires up to `batch` due purchases, oldest first, each in its own transaction. */
export async function expireDue(repository: PurchaseRepository, now: number, batch: number): Promise<number> {
  let expired = 0;
  for (const id of await repository.dueForExpiry(now, batch)) expired += await expire(repository, id, now);
  return expired;
}
