/**
 * Holds: the points a bonus payment reserves for its purchase until the sale is confirmed. A hold is a
 * record (account, purchase, amount, expiry) that resolves exactly once: spent by the confirm, released by
 * a cancel or a changed payment, expired with its purchase. The account's cached `held` is the sum of its
 * open holds, changed in the same transaction; verifyLedger checks it. Callers lock the purchase row,
 * then the account (lockAccount).
 */

import type { Trx } from "../../infra/db/database.js";
import { rawRows } from "../../infra/db/raw.js";
import { type Account, debitActive, type EntryContext, saveBalance, writeEntry } from "./account-store.js";

export type HoldResolution = "spent" | "released" | "expired";

/** Resolves the purchase's open hold, if any, in memory and in the table; returns its amount (0 when none). */
const RESOLVE_OPEN_HOLD =
  "update points_holds set resolution = ?, resolved_at = ? where purchase_id = ? and resolved_at is null returning amount";

async function resolveOpen(
  trx: Trx,
  account: Account,
  purchaseId: number,
  resolution: HoldResolution,
  now: number,
): Promise<number> {
  const [hold] = await rawRows<{ amount: number }>(trx, RESOLVE_OPEN_HOLD, [resolution, now, purchaseId]);
  if (!hold) return 0;
  account.held -= hold.amount;
  return hold.amount;
}

async function insertHold(
  trx: Trx,
  account: Account,
  purchaseId: number,
  amount: number,
  expiresAt: number,
  now: number,
  spent: boolean,
): Promise<void> {
  await trx
    .insertInto("points_holds")
    .values({
      account_id: account.cardId,
      purchase_id: purchaseId,
      amount,
      expires_at: expiresAt,
      resolution: spent ? "spent" : null,
      resolved_at: spent ? now : null,
      created_at: now,
    })
    .execute();
  if (!spent) account.held += amount;
}

/**
 * Sets the purchase's hold to `amount`: the open hold (the caller knows whether there is one) is released
 * and a new one placed, so a changed bonus payment re-holds. Returns the amount released.
 */
export async function replaceHold(
  trx: Trx,
  account: Account,
  purchaseId: number,
  hasOpenHold: boolean,
  amount: number,
  expiresAt: number,
  now: number,
): Promise<number> {
  const released = hasOpenHold ? await resolveOpen(trx, account, purchaseId, "released", now) : 0;
  if (amount > 0) await insertHold(trx, account, purchaseId, amount, expiresAt, now, false);
  if (released !== 0 || amount > 0) await saveBalance(trx, account, now);
  return released;
}

/** Releases the purchase's open hold (cancel: "released"; the purchase expired: "expired"). */
export async function releaseHold(
  trx: Trx,
  account: Account,
  purchaseId: number,
  resolution: "released" | "expired",
  now: number,
): Promise<number> {
  const released = await resolveOpen(trx, account, purchaseId, resolution, now);
  if (released !== 0) await saveBalance(trx, account, now);
  return released;
}

/** The hold follows its purchase's lifetime when a recalculation keeps the payment. */
export async function extendHold(trx: Trx, purchaseId: number, expiresAt: number): Promise<void> {
  await trx
    .updateTable("points_holds")
    .set({ expires_at: expiresAt })
    .where("purchase_id", "=", purchaseId)
    .where("resolved_at", "is", null)
    .execute();
}

/** Spends the purchase's open hold at confirm: the points leave the active bucket, oldest lots first. */
export async function spendHold(trx: Trx, account: Account, ctx: EntryContext & { purchaseId: number }) {
  const amount = await resolveOpen(trx, account, ctx.purchaseId, "spent", ctx.now);
  await debitSpent(trx, account, amount, ctx);
  return amount;
}

/**
 * A late confirm spends points its purchase no longer holds (the hold expired with it, or the purchase was
 * lost): the caller has checked they are free; the hold is recorded already spent, so the trail is whole.
 */
export async function holdAndSpend(
  trx: Trx,
  account: Account,
  amount: number,
  ctx: EntryContext & { purchaseId: number },
): Promise<void> {
  if (amount <= 0) return;
  await insertHold(trx, account, ctx.purchaseId, amount, ctx.now, ctx.now, true);
  await debitSpent(trx, account, amount, ctx);
}

async function debitSpent(trx: Trx, account: Account, amount: number, ctx: EntryContext): Promise<void> {
  if (amount <= 0) {
    return;
  }
  await debitActive(trx, account, amount);
  await writeEntry(trx, account, "spend", { activeDelta: -amount, pendingDelta: 0 }, ctx, null);
  await saveBalance(trx, account, ctx.now);
}
