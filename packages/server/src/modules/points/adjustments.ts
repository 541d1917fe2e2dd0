/**
 * Manual point adjustments from the cabinet (an operator's credit or debit with a reason), and what the
 * cabinet reads of an account beyond its balance: the points about to expire and the ledger in pages.
 *
 * An adjustment is idempotent by the id its caller supplies: the first call books one ledger entry and
 * keeps its answer in `points_adjustments`; a repeat with the same body gets that answer, a repeat with
 * another body is ADJUSTMENT_CONFLICT. A debit takes only free points (active − held): points a bonus
 * payment holds for an open purchase are never taken.
 */
import { available } from "../../core/ledger.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import { DomainError } from "../../kernel/errors.js";
import {
  balanceOf,
  type CardBalance,
  credit,
  debitActive,
  lockAccount,
  saveBalance,
  writeEntry,
} from "./account-store.js";

export interface AdjustmentRequest {
  partnerId: number;
  cardId: number;
  /** The caller's id of this adjustment: a repeat with it is answered, not booked again. */
  adjustmentId: string;
  /** Signed hundredths: positive credits, negative debits. */
  amount: number;
  reason: string;
  userId: number | null;
  /** Lifetime of credited points (the program's), null for none. */
  lifetimeDays: number | null;
  /** Canonical hash of what the caller asked, to tell a retry from a reuse of the id. */
  requestHash: string;
}

export interface AdjustmentResult {
  adjustmentId: string;
  amount: number;
  reason: string;
  balance: CardBalance;
  at: string;
}

/** Books an adjustment in the caller's transaction (the account locked first). */
export async function adjustPoints(
  database: Database,
  trx: Trx,
  request: AdjustmentRequest,
  now: number,
): Promise<{ result: AdjustmentResult; replayed: boolean }> {
  const account = await lockAccount(database, trx, request.cardId);
  const earlier = await trx
    .selectFrom("points_adjustments")
    .select(["request_hash", "response"])
    .where("partner_id", "=", request.partnerId)
    .where("external_id", "=", request.adjustmentId)
    .executeTakeFirst();
  if (earlier) {
    if (earlier.request_hash !== request.requestHash) {
      throw new DomainError("ADJUSTMENT_CONFLICT", "this adjustment id was used with other data", {
        field: "adjustmentId",
      });
    }
    return { result: JSON.parse(earlier.response) as AdjustmentResult, replayed: true };
  }
  const ctx = { now, note: request.reason };
  if (request.amount > 0) {
    await credit(trx, account, request.amount, "adjustment", request.lifetimeDays, ctx);
  } else {
    const debit = -request.amount;
    const free = available(account);
    if (debit > free) {
      throw new DomainError("INSUFFICIENT_POINTS", "the card has fewer free points than the debit", {
        field: "amount",
        available: free,
      });
    }
    await debitActive(trx, account, debit);
    await writeEntry(trx, account, "adjustment", { activeDelta: -debit, pendingDelta: 0 }, ctx, null);
    await saveBalance(trx, account, now);
  }
  const result: AdjustmentResult = {
    adjustmentId: request.adjustmentId,
    amount: request.amount,
    reason: request.reason,
    balance: balanceOf(account),
    at: new Date(now).toISOString(),
  };
  await trx
    .insertInto("points_adjustments")
    .values({
      partner_id: request.partnerId,
      external_id: request.adjustmentId,
      account_id: request.cardId,
      amount: request.amount,
      reason: request.reason,
      request_hash: request.requestHash,
      response: JSON.stringify(result),
      user_id: request.userId,
      created_at: now,
    })
    .execute();
  return { result, replayed: false };
}

interface LedgerRow {
  id: number;
  kind: string;
  active_delta: number;
  pending_delta: number;
  external_id: string | null;
  note: string | null;
  created_at: number;
}

const LEDGER_SORTS: SortSpec<LedgerRow> = { id: { column: "e.id", value: (r) => r.id } };

export interface LedgerPageEntry {
  id: number;
  kind: string;
  activeDelta: number;
  pendingDelta: number;
  purchaseId: string | null;
  note: string | null;
  at: string;
}

/** The account's ledger entries in keyset pages (`-id`: newest first). */
export async function ledgerPage(
  db: Executor,
  cardId: number,
  page: PageQuery,
): Promise<Page<LedgerPageEntry>> {
  const query = db
    .selectFrom("ledger_entries as e")
    .leftJoin("purchases as p", "p.id", "e.purchase_id")
    .select([
      "e.id",
      "e.kind",
      "e.active_delta",
      "e.pending_delta",
      "p.external_id",
      "e.note",
      "e.created_at",
    ])
    .where("e.account_id", "=", cardId);
  const rows = (await keysetQuery(query, LEDGER_SORTS, "e.id", page).execute()) as LedgerRow[];
  return keysetPage(
    rows,
    LEDGER_SORTS,
    (r) => r.id,
    page,
    (r) => ({
      id: r.id,
      kind: r.kind,
      activeDelta: Number(r.active_delta),
      pendingDelta: Number(r.pending_delta),
      purchaseId: r.external_id,
      note: r.note,
      at: new Date(Number(r.created_at)).toISOString(),
    }),
  );
}
