/**
 * Points ledger arithmetic. An account has two buckets, `pending` (accruals inside their hold period) and
 * `active` (spendable), plus `held` (reserved by bonus payments of purchases not yet confirmed).
 * Every change is an immutable entry carrying the deltas of both buckets, so the cached balance always
 * equals the sum of the entries. Active points are tracked in lots so they expire oldest-first.
 */
import { DomainError } from "../kernel/errors.js";

export type EntryKind = "accrual" | "activation" | "spend" | "reversal" | "expiry" | "adjustment";

export interface Balance {
  active: number;
  pending: number;
  held: number;
}

export interface EntryDeltas {
  activeDelta: number;
  pendingDelta: number;
}

export function available(b: Balance): number {
  return Math.max(0, b.active - b.held);
}

export function applyDeltas(b: Balance, d: EntryDeltas): Balance {
  return { active: b.active + d.activeDelta, pending: b.pending + d.pendingDelta, held: b.held };
}

/** A lot of points from one accrual or credit; `remaining` is what is still unspent and unexpired. */
export interface Lot {
  id: number;
  remaining: number;
  /** Epoch ms; null never expires. */
  expiresAt: number | null;
}

export interface LotChange {
  lotId: number;
  remaining: number;
}

/** Oldest expiry first; lots that never expire are used last. */
export function spendingOrder(a: Lot, b: Lot): number {
  if (a.expiresAt !== b.expiresAt) {
    if (a.expiresAt === null) return 1;
    if (b.expiresAt === null) return -1;
    return a.expiresAt - b.expiresAt;
  }
  return a.id - b.id;
}

/**
 * Takes `amount` from active lots, a preferred lot first (the accrual being reversed), then oldest-first.
 * What the lots cannot cover is left as debt: the active balance goes below zero and the next credit repays it.
 */
export function debitLots(lots: readonly Lot[], amount: number, preferredLotId?: number): LotChange[] {
  if (amount < 0) throw new RangeError("debit amount must be non-negative");
  const ordered = [...lots].sort((a, b) =>
    a.id === preferredLotId ? -1 : b.id === preferredLotId ? 1 : spendingOrder(a, b),
  );
  const changes: LotChange[] = [];
  let left = amount;
  for (const lot of ordered) {
    if (left === 0) break;
    if (lot.remaining <= 0) continue;
    const take = Math.min(lot.remaining, left);
    changes.push({ lotId: lot.id, remaining: lot.remaining - take });
    left -= take;
  }
  return changes;
}

/** How much of a credit lands in a new lot once a negative active balance (debt) is repaid. */
export function creditedLotSize(activeBefore: number, amount: number): number {
  const debt = Math.max(0, -activeBefore);
  return Math.max(0, amount - debt);
}

/** A spend may only use points that are active and not held by another purchase. */
export function assertCanSpend(b: Balance, amount: number, ownHold: number): void {
  const free = b.active - (b.held - ownHold);
  if (amount > free) {
    throw new DomainError("INSUFFICIENT_POINTS", `only ${Math.max(0, free)} points are available`, {
      field: "amount",
      available: Math.max(0, free),
    });
  }
}

/**
 * How much of a lot past its expiry may expire now. Points held for open purchases were promised at the
 * till and will be spent from the lots in spending order, so the part of this lot those holds rely on
 * stays until the purchase confirms (and spends it) or lets go of it.
 */
export function expirablePart(lots: readonly Lot[], lotId: number, held: number): number {
  let holdLeft = Math.max(0, held);
  for (const lot of [...lots].sort(spendingOrder)) {
    const covering = Math.min(Math.max(0, lot.remaining), holdLeft);
    if (lot.id === lotId) return Math.max(0, lot.remaining - covering);
    holdLeft -= covering;
  }
  return 0;
}
