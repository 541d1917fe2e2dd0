/**
 * Points accounts in storage. Every function runs inside the caller's transaction, writes one immutable
 * ledger entry per change and updates the cached balance with the same deltas, so balance = Σ entries.
 * Callers lock the account first (lockAccount) so concurrent purchases on one card serialize.
 */
import {
  applyDeltas,
  available,
  type Balance,
  creditedLotSize,
  debitLots,
  type EntryDeltas,
  type EntryKind,
  expirablePart,
} from "../../core/ledger.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { isPostgres, rawRows } from "../../infra/db/raw.js";

export interface Account extends Balance {
  cardId: number;
}

export interface EntryContext {
  purchaseId?: number | null;
  refundId?: number | null;
  note?: string | null;
  now: number;
}

const DAY_MS = 86_400_000;

export interface CardBalance {
  active: number;
  pending: number;
  held: number;
  available: number;
}

/** The card's balance as committed, outside any transaction: the hot path's read (prepared). */
export async function committedBalance(database: Database, cardId: number): Promise<CardBalance> {
  const rows = await database.prepareRead<Balance & { held: number }>(
    "select active, pending, held from points_accounts where card_id = ?",
  )([cardId]);
  const a = rows[0];
  if (!a) throw new Error(`card ${cardId} has no points account`);
  return cardBalanceOf(a);
}

/** The balance a till is shown, from an account's stored columns. */
export function cardBalanceOf(a: Balance & { held: number }): CardBalance {
  return { active: a.active, pending: a.pending, held: a.held, available: available(a) };
}

export async function readBalance(db: Executor, cardId: number): Promise<CardBalance> {
  const a = await db
    .selectFrom("points_accounts")
    .select(["active", "pending", "held"])
    .where("card_id", "=", cardId)
    .executeTakeFirstOrThrow();
  return { active: a.active, pending: a.pending, held: a.held, available: available(a) };
}

/** The card's ledger entries, newest first, with the POS id of the purchase each belongs to. */
export async function ledgerOf(db: Executor, cardId: number, limit: number) {
  const rows = await db
    .selectFrom("ledger_entries as e")
    .leftJoin("purchases as p", "p.id", "e.purchase_id")
    .select(["e.kind", "e.active_delta", "e.pending_delta", "p.external_id", "e.note", "e.created_at"])
    .where("e.account_id", "=", cardId)
    .orderBy("e.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    activeDelta: r.active_delta,
    pendingDelta: r.pending_delta,
    purchaseId: r.external_id,
    note: r.note,
    at: new Date(r.created_at).toISOString(),
  }));
}

export interface OpeningBalance {
  cardId: number;
  /** Active points to open the account with, hundredths; booked as an adjustment in a lot of its own. */
  balance: number;
}

/**
 * Opens points accounts for new cards, in bulk. An opening balance goes through the ledger like any
 * credit (an adjustment entry and an active lot), so the invariant holds from the first moment.
 * Accounts that already exist are left alone. Returns how many accounts were opened.
 */
export async function openAccounts(
  trx: Trx,
  accounts: readonly OpeningBalance[],
  now: number,
  note = "opening balance",
): Promise<number> {
  if (accounts.length === 0) return 0;
  const opened = await trx
    .insertInto("points_accounts")
    .values(
      accounts.map((a) => ({ card_id: a.cardId, active: a.balance, pending: 0, held: 0, updated_at: now })),
    )
    .onConflict((oc) => oc.column("card_id").doNothing())
    .returning("card_id")
    .execute();
  const openedIds = new Set(opened.map((r) => r.card_id));
  const funded = accounts.filter((a) => a.balance > 0 && openedIds.has(a.cardId));
  if (funded.length > 0) {
    const lots = await trx
      .insertInto("points_lots")
      .values(
        funded.map((a) => ({
          account_id: a.cardId,
          state: "active",
          amount: a.balance,
          remaining: a.balance,
          active_from: now,
          expires_at: null,
          created_at: now,
        })),
      )
      .returning(["id", "account_id"])
      .execute();
    const amountOf = new Map(funded.map((a) => [a.cardId, a.balance]));
    await trx
      .insertInto("ledger_entries")
      .values(
        lots.map((l) => ({
          account_id: l.account_id,
          kind: "adjustment",
          active_delta: amountOf.get(l.account_id)!,
          pending_delta: 0,
          purchase_id: null,
          refund_id: null,
          lot_id: l.id,
          note,
          created_at: now,
        })),
      )
      .execute();
  }
  return opened.length;
}

const ACCOUNT = "select card_id, active, pending, held from points_accounts where card_id = ?";
const ACCOUNT_FOR_UPDATE = `${ACCOUNT} for update`;
const ACCOUNT_FOR_UPDATE_SKIP_LOCKED = `${ACCOUNT_FOR_UPDATE} skip locked`;

async function accountRow(trx: Trx, text: string, cardId: number): Promise<Account | null> {
  const rows = await rawRows<{ card_id: number; active: number; pending: number; held: number }>(trx, text, [
    cardId,
  ]);
  const row = rows[0];
  return row ? { cardId: row.card_id, active: row.active, pending: row.pending, held: row.held } : null;
}

export async function lockAccount(_database: Database, trx: Trx, cardId: number): Promise<Account> {
  const account = await accountRow(trx, isPostgres(trx) ? ACCOUNT_FOR_UPDATE : ACCOUNT, cardId);
  if (!account) throw new Error(`card ${cardId} has no points account`);
  return account;
}

/**
 * The account under lock, or null on PostgreSQL when another transaction holds it (`SKIP LOCKED`): for
 * background work that should not wait behind a till and comes back to the account later.
 */
function lockAccountUnlessBusy(database: Database, trx: Trx, cardId: number): Promise<Account | null> {
  return isPostgres(trx)
    ? accountRow(trx, ACCOUNT_FOR_UPDATE_SKIP_LOCKED, cardId)
    : lockAccount(database, trx, cardId);
}

/** The balance of an account read under lock, as changed in memory by this transaction. */
export function balanceOf(account: Account): CardBalance {
  return {
    active: account.active,
    pending: account.pending,
    held: account.held,
    available: available(account),
  };
}

// The hot path's fixed statements (infra/db/raw.ts): no query building per call.
const SAVE_BALANCE =
  "update points_accounts set active = ?, pending = ?, held = ?, updated_at = ? where card_id = ?";
const INSERT_ENTRY =
  "insert into ledger_entries (account_id, kind, active_delta, pending_delta, purchase_id, refund_id, lot_id, note, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)";
const INSERT_LOT =
  "insert into points_lots (account_id, state, amount, remaining, active_from, expires_at, created_at) values (?, ?, ?, ?, ?, ?, ?) returning id";

export async function saveBalance(trx: Trx, account: Account, now: number): Promise<void> {
  await rawRows(trx, SAVE_BALANCE, [account.active, account.pending, account.held, now, account.cardId]);
}

export async function writeEntry(
  trx: Trx,
  account: Account,
  kind: EntryKind,
  deltas: EntryDeltas,
  ctx: EntryContext,
  lotId: number | null,
): Promise<void> {
  await rawRows(trx, INSERT_ENTRY, [
    account.cardId,
    kind,
    deltas.activeDelta,
    deltas.pendingDelta,
    ctx.purchaseId ?? null,
    ctx.refundId ?? null,
    lotId,
    ctx.note ?? null,
    ctx.now,
  ]);
  Object.assign(account, applyDeltas(account, deltas));
}

export async function activeLots(trx: Trx, accountId: number) {
  return (
    await trx
      .selectFrom("points_lots")
      .select(["id", "remaining", "expires_at"])
      .where("account_id", "=", accountId)
      .where("state", "=", "active")
      .where("remaining", ">", 0)
      .execute()
  ).map((l) => ({ id: l.id, remaining: l.remaining, expiresAt: l.expires_at }));
}

export async function debitActive(
  trx: Trx,
  account: Account,
  amount: number,
  preferredLotId?: number,
): Promise<void> {
  const changes = debitLots(await activeLots(trx, account.cardId), amount, preferredLotId);
  for (const c of changes) {
    await trx.updateTable("points_lots").set({ remaining: c.remaining }).where("id", "=", c.lotId).execute();
  }
}

export interface AccrualTerms {
  holdDays: number;
  lifetimeDays: number | null;
}

interface NewLot {
  state: "pending" | "active";
  amount: number;
  activeFrom: number;
  expiresAt: number | null;
}

/**
 * Opens a lot and books it: a pending lot adds to `pending`; an active one adds to `active`, its
 * remaining first repaying any debt. Returns the lot's id.
 */
async function openLot(
  trx: Trx,
  account: Account,
  lot: NewLot,
  kind: EntryKind,
  ctx: EntryContext,
): Promise<number> {
  const pending = lot.state === "pending";
  const [row] = await rawRows<{ id: number }>(trx, INSERT_LOT, [
    account.cardId,
    lot.state,
    lot.amount,
    pending ? lot.amount : creditedLotSize(account.active, lot.amount),
    lot.activeFrom,
    lot.expiresAt,
    ctx.now,
  ]);
  if (!row) throw new Error("a lot insert returned no id");
  const deltas = pending
    ? { activeDelta: 0, pendingDelta: lot.amount }
    : { activeDelta: lot.amount, pendingDelta: 0 };
  await writeEntry(trx, account, kind, deltas, ctx, row.id);
  await saveBalance(trx, account, ctx.now);
  return row.id;
}

/** Books an accrual as a lot: pending until the hold period ends, active at once when there is none. */
export async function accrue(
  trx: Trx,
  account: Account,
  amount: number,
  terms: AccrualTerms,
  ctx: EntryContext,
): Promise<number | null> {
  if (amount <= 0) return null;
  const activeFrom = ctx.now + terms.holdDays * DAY_MS;
  const expiresAt = terms.lifetimeDays === null ? null : activeFrom + terms.lifetimeDays * DAY_MS;
  const state = terms.holdDays > 0 ? "pending" : "active";
  return openLot(trx, account, { state, amount, activeFrom, expiresAt }, "accrual", ctx);
}

/** Gives points back as active ones in a new lot (a returned spend, a positive adjustment). */
export async function credit(
  trx: Trx,
  account: Account,
  amount: number,
  kind: EntryKind,
  lifetimeDays: number | null,
  ctx: EntryContext,
): Promise<void> {
  if (amount <= 0) return;
  const expiresAt = lifetimeDays === null ? null : ctx.now + lifetimeDays * DAY_MS;
  await openLot(trx, account, { state: "active", amount, activeFrom: ctx.now, expiresAt }, kind, ctx);
}

/**
 * Takes back accrued points on a refund or cancel: from the accrual's own lot while it is pending,
 * otherwise from the active bucket (that lot first, then the oldest), leaving debt if they were spent.
 * Never more than the accrual still accounts for: what expired (or was taken back before) is not taken
 * a second time. Returns what was taken.
 */
export async function reverseAccrual(
  trx: Trx,
  account: Account,
  lotId: number | null,
  amount: number,
  ctx: EntryContext,
): Promise<number> {
  if (amount <= 0 || lotId === null) return 0;
  const lot = await trx
    .selectFrom("points_lots")
    .select(["id", "state", "amount", "remaining"])
    .where("id", "=", lotId)
    .executeTakeFirstOrThrow();
  if (lot.state === "pending") {
    const take = Math.min(lot.remaining, amount);
    if (take === 0) return 0;
    await trx
      .updateTable("points_lots")
      .set({ remaining: lot.remaining - take })
      .where("id", "=", lot.id)
      .execute();
    await writeEntry(trx, account, "reversal", { activeDelta: 0, pendingDelta: -take }, ctx, lot.id);
    await saveBalance(trx, account, ctx.now);
    return take;
  }
  // Expiries and earlier reversals of this lot only ever subtract (from either bucket).
  const taken = await trx
    .selectFrom("ledger_entries")
    .select((eb) =>
      eb.fn
        .coalesce(eb.fn.sum<number>(eb("active_delta", "+", eb.ref("pending_delta"))), eb.lit(0))
        .as("total"),
    )
    .where("lot_id", "=", lot.id)
    .where("kind", "in", ["expiry", "reversal"])
    .executeTakeFirstOrThrow();
  const accountedFor = lot.amount + Number(taken.total);
  const take = Math.min(amount, Math.max(0, accountedFor));
  if (take === 0) return 0;
  await debitActive(trx, account, take, lot.id);
  await writeEntry(trx, account, "reversal", { activeDelta: -take, pendingDelta: 0 }, ctx, lot.id);
  await saveBalance(trx, account, ctx.now);
  return take;
}

interface DueLot {
  id: number;
  state: string;
  remaining: number;
}

/**
 * Runs `change` on each lot in `state` whose `column` time has come, one transaction per lot with its
 * account locked and the lot re-read, so concurrent sweepers never apply a change twice.
 * Returns how many lots were changed.
 */
async function sweepDueLots(
  database: Database,
  state: "pending" | "active",
  column: "active_from" | "expires_at",
  now: number,
  batch: number,
  change: (trx: Trx, account: Account, lot: DueLot) => Promise<void>,
): Promise<number> {
  const due = await database.db
    .selectFrom("points_lots")
    .select(["id", "account_id"])
    .where("state", "=", state)
    .where(column, "<=", now)
    .orderBy("id")
    .limit(batch)
    .execute();
  let done = 0;
  for (const candidate of due) {
    done += await database.transaction(async (trx) => {
      // An account a till is using now is left for the next sweep rather than waited for.
      const account = await lockAccountUnlessBusy(database, trx, candidate.account_id);
      if (!account) return 0;
      const lot = await trx
        .selectFrom("points_lots")
        .select(["id", "state", "remaining"])
        .where("id", "=", candidate.id)
        .executeTakeFirstOrThrow();
      if (lot.state !== state) return 0;
      await change(trx, account, lot);
      return 1;
    });
  }
  return done;
}

/** Pending lots whose hold period has ended become active. Returns how many were activated. */
export function activateDueLots(database: Database, now: number, batch: number): Promise<number> {
  return sweepDueLots(database, "pending", "active_from", now, batch, async (trx, account, lot) => {
    await trx
      .updateTable("points_lots")
      .set({ state: "active", remaining: creditedLotSize(account.active, lot.remaining) })
      .where("id", "=", lot.id)
      .execute();
    if (lot.remaining === 0) return;
    const deltas = { activeDelta: lot.remaining, pendingDelta: -lot.remaining };
    await writeEntry(trx, account, "activation", deltas, { now }, lot.id);
    await saveBalance(trx, account, now);
  });
}

/**
 * Active lots past their expiry lose what is left of them, except what open purchases hold (see
 * expirablePart); such a lot stays active and is looked at again by the next sweep. Returns how many
 * lots were looked at.
 */
export function expireLots(database: Database, now: number, batch: number): Promise<number> {
  return sweepDueLots(database, "active", "expires_at", now, batch, async (trx, account, lot) => {
    const expiring = expirablePart(await activeLots(trx, account.cardId), lot.id, account.held);
    const left = lot.remaining - expiring;
    await trx
      .updateTable("points_lots")
      .set({ state: left === 0 ? "expired" : "active", remaining: left })
      .where("id", "=", lot.id)
      .execute();
    if (expiring === 0) return;
    await writeEntry(trx, account, "expiry", { activeDelta: -expiring, pendingDelta: 0 }, { now }, lot.id);
    await saveBalance(trx, account, now);
  });
}

export interface ExpiringPoints {
  withinDays: number;
  amount: number;
  lots: { amount: number; expiresAt: string }[];
}

/** Active points whose lots expire within `days` (the card answer's "soon to expire"), soonest first. */
export async function expiringPoints(
  db: Executor,
  cardId: number,
  now: number,
  days: number,
): Promise<ExpiringPoints> {
  const lots = await db
    .selectFrom("points_lots")
    .select(["remaining", "expires_at"])
    .where("account_id", "=", cardId)
    .where("state", "=", "active")
    .where("remaining", ">", 0)
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", now + days * DAY_MS)
    .orderBy("expires_at")
    .execute();
  return {
    withinDays: days,
    amount: lots.reduce((sum, l) => sum + l.remaining, 0),
    lots: lots
      .slice(0, 10)
      .map((l) => ({ amount: l.remaining, expiresAt: new Date(l.expires_at!).toISOString() })),
  };
}
