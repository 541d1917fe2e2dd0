/**
 * cancel: before confirm it releases the hold; after confirm, within the program's window, it reverses
 * the whole purchase (spent points given back, accrued ones taken back); a hanging purchase is withdrawn
 * with nothing to undo. A repeat is a replay of the first answer. In discount programs that move no points,
 * cancel and confirm alternate within the window (per line, if the call names lines), the last one winning.
 */
import type { PurchaseState } from "@kopilka/contract";
import { alternates, applyToLines, decideCancel, stateOfLines } from "../../../core/purchase-lifecycle.js";
import { applyRefund, planRefund } from "../../../core/refund.js";
import type { Principal } from "../../../kernel/index.js";
import { countRefund, recordingRefusedHits, releaseUsage } from "../../anti-fraud/index.js";
import { releaseDiscountLimits } from "../../discount-programs/index.js";
import { credit, lockAccount, readBalance, releaseHold, reverseAccrual } from "../../points/index.js";
import { releasePromoCodes } from "../../promo-codes/index.js";
import { storeTimeZone } from "../../stores/index.js";
import { type Answer, firstAnswer, replay } from "../idempotency.js";
import { type PurchaseDeps, programOf } from "../pricing.js";
import { type PurchaseView, parseReceipt, purchaseView, type StoredReceipt } from "../purchase-record.js";
import type { PurchaseRow, PurchaseTx } from "../purchase-repository.js";
import { packedLinesText, receiptText } from "../receipt-text.js";
import { factsOf, refusal, targetLines } from "./shared.js";

export interface CancelView extends PurchaseView {
  pointsReleased: number;
  pointsReturned: number;
  accrualReversed: number;
}

export interface CancelOptions {
  /** Lines to cancel (discount programs that move no points); all when absent. */
  lineIds?: readonly string[];
}

export async function cancel(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  options: CancelOptions = {},
): Promise<Answer<CancelView>> {
  const now = deps.clock.now();
  return recordingRefusedHits(deps.database, now, deps.onCapHit, () =>
    deps.repository.transact((tx) => cancelWithin(deps, tx, principal, purchaseId, options, now)),
  );
}

/** A cancel inside the caller's transaction (a recalculation cancelling the purchases it replaces). */
export async function cancelWithin(
  deps: PurchaseDeps,
  tx: PurchaseTx,
  principal: Principal,
  purchaseId: string,
  options: CancelOptions,
  now: number,
): Promise<Answer<CancelView>> {
  const row = await tx.lock(principal, purchaseId);
  const loaded = await programOf(deps, row.program_id, tx.trx);
  const facts = factsOf(row, loaded, now);
  const receipt = parseReceipt(row);
  const { states, targets } = targetLines(facts, receipt, options.lineIds);
  const decision = decideCancel(
    facts,
    targets.every((id) => states[id] === "cancelled"),
  );
  const current = { state: row.state as PurchaseState };
  switch (decision.kind) {
    case "refuse":
      throw refusal(decision);
    case "replay":
      return row.cancel_response !== null
        ? replay<CancelView>({ response: row.cancel_response, hash: null }, null, current, {
            field: "purchaseId",
            message: "",
          })
        : { answer: { ...(await legacyAnswer(tx, row, receipt)), current }, replayed: true };
    case "closed":
      return firstAnswer(await viewOf(tx, row, receipt, 0, 0, 0), current);
  }

  let released = 0;
  let returned = 0;
  let reversed = 0;
  let lines = receipt.lines;
  const from = row.state;
  // Anti-fraud (modules/anti-fraud): a cancel after confirm counts against the POS credential's refund
  // cap; the purchase's card usage is given back.
  const caps = loaded?.program.antiFraud ?? null;
  if (caps && loaded && decision.kind === "reverse" && !alternates(facts)) {
    await countRefund(tx.trx, {
      caps,
      partnerId: principal.partnerId,
      programId: loaded.program.id,
      credentialId: principal.credentialId,
      purchaseId: row.id,
      now,
      timeZone: (await storeTimeZone(tx.trx, row.store_id)) ?? "UTC",
    });
  }
  await releaseUsage(tx.trx, row.id, now);
  // Promo codes: a reservation is released; a cancel after confirm gives the consumed use back.
  await releasePromoCodes(tx.trx, row.id, now, { consumed: decision.kind === "reverse" });
  await releaseDiscountLimits(tx.trx, row, alternates(facts) ? targets : null, now); // discount programs
  if (decision.kind === "release" && row.card_id !== null && row.points_spent > 0) {
    const account = await lockAccount(deps.database, tx.trx, row.card_id);
    released = await releaseHold(tx.trx, account, row.id, "released", now);
  } else if (decision.kind === "reverse" && !alternates(facts)) {
    const plan = planRefund(lines, {});
    lines = applyRefund(lines, plan);
    returned = plan.pointsReturned;
    if (row.card_id !== null) {
      const account = await lockAccount(deps.database, tx.trx, row.card_id);
      const entry = { purchaseId: row.id, now, note: "purchase cancelled" };
      await credit(tx.trx, account, returned, "reversal", loaded?.program.pointsLifetimeDays ?? null, entry);
      reversed = await reverseAccrual(tx.trx, account, row.accrual_lot_id, plan.accrualReversed, entry);
    }
  }

  let state: PurchaseState = "cancelled";
  let stored: StoredReceipt = { ...receipt, lines };
  if (alternates(facts)) {
    const next = applyToLines(states, "cancel", targets);
    if ("unknown" in next) throw new Error("cancel named lines that are not on the receipt");
    state = stateOfLines(next.lines);
    stored = { ...stored, lineStates: next.lines };
  }
  const cancelled: PurchaseRow = {
    ...row,
    state,
    receipt: receiptText(stored),
    points_spent: decision.kind === "release" ? 0 : row.points_spent,
    points_returned: row.points_returned + returned,
    accrual_reversed: row.accrual_reversed + reversed,
    closed_at: state === "cancelled" ? now : null,
    updated_at: now,
  };
  const view = await viewOf(tx, cancelled, stored, released, returned, reversed);
  await tx.update(row.id, {
    state,
    receipt: cancelled.receipt,
    points_spent: cancelled.points_spent,
    points_returned: cancelled.points_returned,
    accrual_reversed: cancelled.accrual_reversed,
    closed_at: cancelled.closed_at,
    cancel_response: packedLinesText(view),
    updated_at: now,
  });
  await tx.event(
    row.id,
    "cancelled",
    {
      from,
      released,
      returned,
      reversed,
      ...(options.lineIds ? { lines: targets } : {}),
    },
    now,
  );
  return firstAnswer(view, { state });
}

async function viewOf(
  tx: PurchaseTx,
  row: PurchaseRow,
  receipt: StoredReceipt,
  released: number,
  returned: number,
  reversed: number,
): Promise<CancelView> {
  const balance = row.card_id === null ? null : await readBalance(tx.trx, row.card_id);
  return {
    ...purchaseView(row, receipt, balance),
    pointsReleased: released,
    pointsReturned: returned,
    accrualReversed: reversed,
  };
}

/** Purchases cancelled before answers were stored: the answer rebuilt from the row and its first event. */
async function legacyAnswer(tx: PurchaseTx, row: PurchaseRow, receipt: StoredReceipt): Promise<CancelView> {
  const first = await tx.firstEventData(row.id, "cancelled");
  const released = Number(first?.released ?? 0);
  return viewOf(tx, row, receipt, released, row.points_returned, row.accrual_reversed);
}
