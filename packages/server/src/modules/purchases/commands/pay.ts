/**
 * pay (bonus payment): spreads a points payment over the lines and holds the points until the sale is
 * confirmed. A repeat while the purchase is calculated is a replacement: the new amount re-holds (the old
 * hold is released, a new one placed). Durable: the till prints the payment, so the hold survives any crash.
 */
import { assertCanSpend } from "../../../core/ledger.js";
import { decideReplace } from "../../../core/purchase-lifecycle.js";
import { applyPointsPayment, totalsOf } from "../../../core/receipt.js";
import { DomainError } from "../../../kernel/errors.js";
import type { Principal } from "../../../kernel/index.js";
import { extendUsage, recordingRefusedHits, reserveSpending } from "../../anti-fraud/index.js";
import { cardStatus } from "../../cards/index.js";
import { balanceOf, extendHold, lockAccount, replaceHold } from "../../points/index.js";
import { storeTimeZone } from "../../stores/index.js";
import { type PurchaseDeps, programOf, ttlSecondsOf } from "../pricing.js";
import { type PurchaseView, parseReceipt, purchaseView } from "../purchase-record.js";
import { receiptText } from "../receipt-text.js";
import { factsOf, refusal } from "./shared.js";

export async function pay(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  amount: number,
): Promise<PurchaseView> {
  const now = deps.clock.now();
  return recordingRefusedHits(deps.database, now, deps.onCapHit, () =>
    payOnce(deps, principal, purchaseId, amount, now),
  );
}

function payOnce(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  amount: number,
  now: number,
): Promise<PurchaseView> {
  return deps.repository.transact(async (tx) => {
    const purchase = await tx.lock(principal, purchaseId);
    const loaded = await programOf(deps, purchase.program_id, tx.trx);
    const decision = decideReplace(factsOf(purchase, loaded, now));
    if (decision.kind === "refuse") throw refusal(decision);
    if (purchase.card_id === null) {
      throw new DomainError("CARD_REQUIRED", "the purchase has no card to pay with points", {
        field: "amount",
      });
    }
    const status = await cardStatus(tx.trx, purchase.card_id);
    if (status === "blocked")
      throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "cardNumber" });
    if (status === "accrual_only" && amount > 0) {
      throw new DomainError("CARD_ACCRUAL_ONLY", "the card only accrues points", { field: "amount" });
    }
    const receipt = parseReceipt(purchase);
    const lines = applyPointsPayment(receipt.lines, amount, purchase.points_limit);
    const expiresAt = now + ttlSecondsOf(loaded) * 1000;
    // --- anti-fraud (modules/anti-fraud): the card's spending caps, checked and reserved under its lock
    const caps = loaded?.program.antiFraud ?? null;
    if (caps && loaded) {
      await reserveSpending(tx.trx, {
        caps,
        partnerId: principal.partnerId,
        programId: loaded.program.id,
        cardId: purchase.card_id,
        purchaseId: purchase.id,
        amount,
        expiresAt,
        now,
        timeZone: (await storeTimeZone(tx.trx, purchase.store_id)) ?? "UTC",
      });
      await extendUsage(tx.trx, purchase.id, expiresAt, now);
    }
    // --- end anti-fraud
    const account = await lockAccount(deps.database, tx.trx, purchase.card_id);
    assertCanSpend(account, amount, purchase.points_spent);
    if (amount !== purchase.points_spent) {
      await replaceHold(tx.trx, account, purchase.id, purchase.points_spent > 0, amount, expiresAt, now);
    } else if (amount > 0) {
      await extendHold(tx.trx, purchase.id, expiresAt);
    }
    const updated = { ...receipt, lines };
    const row = await tx.updateReturning(purchase.id, {
      receipt: receiptText(updated),
      points_spent: amount,
      points_accrued: totalsOf(lines).accrual,
      expires_at: expiresAt,
      updated_at: now,
    });
    await tx.event(purchase.id, "bonus_payment", { amount }, now);
    return purchaseView(row, updated, balanceOf(account));
  });
}
