/**
 * resolve: an operator's decision on a hanging purchase (a late confirm the server could not accept).
 *
 * - `cancel`: the purchase is withdrawn; nothing was applied, so nothing is undone. A till's later cancel
 *   replays this answer.
 * - `confirm`: only with the receipt the till printed, which the late confirm kept in the history
 *   (`confirm_hanging.printed`); the operator gives it again as read from the fiscal document and it must
 *   match figure for figure. What was printed is booked: the points it spent (free points only, never
 *   held ones) and the accrual it printed. A till's retried confirm still replays the hanging answer, with
 *   the purchase's current state beside it.
 *
 * Repeating the same decision answers it again and changes nothing; the other decision afterwards is a
 * PURCHASE_STATE_CONFLICT. `onResolved` runs in the same transaction (the cabinet's audit entry).
 */
import type { PurchaseState } from "@kopilka/contract";
import { linesAsPrinted, resolutionMismatch } from "../../../core/hanging-resolution.js";
import { available } from "../../../core/ledger.js";
import type { PrintedReceipt } from "../../../core/printed-receipt.js";
import { totalsOf } from "../../../core/receipt.js";
import type { Trx } from "../../../infra/db/database.js";
import { DomainError } from "../../../kernel/errors.js";
import type { Principal } from "../../../kernel/index.js";
import { cardStatus } from "../../cards/index.js";
import {
  accrue,
  balanceOf,
  type CardBalance,
  holdAndSpend,
  lockAccount,
  readBalance,
} from "../../points/index.js";
import type { PurchaseDeps } from "../pricing.js";
import { programOf } from "../pricing.js";
import { parseReceipt, purchaseView, type StoredReceipt } from "../purchase-record.js";
import type { PurchaseRow } from "../purchase-repository.js";
import { packedLinesText, receiptText } from "../receipt-text.js";

export type Resolution =
  | { action: "cancel"; reason: string }
  | { action: "confirm"; reason: string; receipt: PrintedReceipt };

/** A purchase as the resolution's audit entry shows it, before and after. */
export interface ResolvedSummary {
  purchaseId: string;
  state: PurchaseState;
  hangingReason: string | null;
  total: number;
  pointsSpent: number;
  pointsAccrued: number;
}

export interface ResolveOutcome {
  purchaseId: string;
  action: Resolution["action"];
  state: PurchaseState;
  /** False when this decision had been taken before (a repeat). */
  changed: boolean;
  pointsSpent: number;
  pointsAccrued: number;
  balance: CardBalance | null;
}

export type OnResolved = (trx: Trx, before: ResolvedSummary, after: ResolvedSummary) => Promise<void>;

function summary(row: PurchaseRow): ResolvedSummary {
  return {
    purchaseId: row.external_id,
    state: row.state as PurchaseState,
    hangingReason: row.hanging_reason,
    total: row.total,
    pointsSpent: row.points_spent,
    pointsAccrued: row.points_accrued,
  };
}

export async function resolveHanging(
  deps: PurchaseDeps,
  partnerId: number,
  purchaseId: string,
  resolution: Resolution,
  userId: number | null,
  onResolved: OnResolved = async () => {},
): Promise<ResolveOutcome> {
  // The cabinet acts for the whole partner, as an unbound credential does.
  const principal: Principal = { credentialId: 0, partnerId, storeId: null, login: "cabinet" };
  return deps.repository.transact(async (tx) => {
    const now = deps.clock.now();
    const row = await tx.lock(principal, purchaseId);
    const balanceNow = async () => (row.card_id === null ? null : readBalance(tx.trx, row.card_id));
    if (row.state !== "hanging") {
      const earlier = await tx.firstEventData(row.id, "resolved");
      if (earlier?.action === resolution.action) {
        return {
          purchaseId,
          action: resolution.action,
          state: row.state as PurchaseState,
          changed: false,
          pointsSpent: row.points_spent,
          pointsAccrued: row.points_accrued,
          balance: await balanceNow(),
        };
      }
      throw new DomainError(
        "PURCHASE_STATE_CONFLICT",
        `a ${row.state} purchase is not waiting for an operator`,
        {
          field: "purchaseId",
          state: row.state,
        },
      );
    }
    const receipt = parseReceipt(row);
    const before = summary(row);
    const event = { action: resolution.action, reason: resolution.reason, userId };
    if (resolution.action === "cancel") {
      const cancelled: PurchaseRow = { ...row, state: "cancelled", closed_at: now, updated_at: now };
      const view = {
        ...purchaseView(cancelled, receipt, await balanceNow()),
        pointsReleased: 0,
        pointsReturned: 0,
        accrualReversed: 0,
      };
      await tx.update(row.id, {
        state: "cancelled",
        closed_at: now,
        cancel_response: packedLinesText(view),
        updated_at: now,
      });
      await tx.event(row.id, "resolved", event, now);
      await onResolved(tx.trx, before, summary(cancelled));
      return {
        purchaseId,
        action: "cancel",
        state: "cancelled",
        changed: true,
        pointsSpent: 0,
        pointsAccrued: 0,
        balance: view.points.balance,
      };
    }

    const hanging = await tx.firstEventData(row.id, "confirm_hanging");
    const printed = (hanging?.printed ?? null) as PrintedReceipt | null;
    if (printed === null) {
      throw new DomainError("PRINTED_RECEIPT_MISSING", "the till sent no printed receipt for this purchase", {
        field: "purchaseId",
      });
    }
    const mismatch = resolutionMismatch(resolution.receipt, printed);
    if (mismatch) {
      throw new DomainError(
        "RESOLUTION_RECEIPT_MISMATCH",
        "the receipt differs from the one the till printed",
        {
          field: mismatch.field,
          given: mismatch.printed,
          printed: mismatch.calculated,
        },
      );
    }
    let lines = linesAsPrinted(printed, receipt.lines);
    let spent = 0;
    let accrualLotId: number | null = null;
    let balance: CardBalance | null = null;
    if (row.card_id !== null) {
      const loaded = await programOf(deps, row.program_id, tx.trx);
      const account = await lockAccount(deps.database, tx.trx, row.card_id);
      const ctx = { purchaseId: row.id, now };
      const wanted = totalsOf(lines).pointsPaid;
      if (wanted > available(account)) {
        throw new DomainError("INSUFFICIENT_POINTS", "the points the receipt spent are no longer free", {
          field: "receipt.pointsSpent",
          available: available(account),
        });
      }
      await holdAndSpend(tx.trx, account, wanted, ctx);
      spent = wanted;
      // As with any confirm: a card blocked meanwhile earns nothing.
      if ((await cardStatus(tx.trx, row.card_id)) === "blocked")
        lines = lines.map((l) => ({ ...l, accrual: 0 }));
      accrualLotId = await accrue(
        tx.trx,
        account,
        totalsOf(lines).accrual,
        { holdDays: loaded?.program.holdDays ?? 0, lifetimeDays: loaded?.program.pointsLifetimeDays ?? null },
        ctx,
      );
      balance = balanceOf(account);
    }
    const totals = totalsOf(lines);
    const stored: StoredReceipt = { ...receipt, lines };
    const confirmed: PurchaseRow = {
      ...row,
      state: "confirmed",
      receipt: receiptText(stored),
      subtotal: totals.subtotal,
      discount_total: totals.discount,
      total: totals.total,
      points_spent: spent,
      points_accrued: totals.accrual,
      accrual_lot_id: accrualLotId,
      confirmed_at: now,
      closed_at: null,
      hanging_reason: null,
      updated_at: now,
    };
    await tx.update(row.id, {
      state: "confirmed",
      receipt: confirmed.receipt,
      subtotal: totals.subtotal,
      discount_total: totals.discount,
      total: totals.total,
      points_spent: spent,
      points_accrued: totals.accrual,
      accrual_lot_id: accrualLotId,
      confirmed_at: now,
      closed_at: null,
      hanging_reason: null,
      updated_at: now,
    });
    await tx.event(row.id, "resolved", { ...event, spent, accrued: totals.accrual }, now);
    await onResolved(tx.trx, before, summary(confirmed));
    return {
      purchaseId,
      action: "confirm",
      state: "confirmed",
      changed: true,
      pointsSpent: spent,
      pointsAccrued: totals.accrual,
      balance,
    };
  });
}
