/**
 * What a card and a POS credential used of a program's anti-fraud caps, kept honest under any concurrency,
 * the way discount program limits are:
 *
 * - a usage row per purchase and metric: `spent` (points paid, per card), `accrual` (points earned, per
 *   card), `refund` (one per refund or cancel of a confirmed purchase, per POS credential);
 * - it counts while `consumed`, or `reserved` and its purchase has not expired, on the local day (store's
 *   time zone) it was reserved on;
 * - reserving and counting lock the subject's `anti_fraud_locks` row first (insert if absent, then an
 *   UPDATE, which PostgreSQL holds until commit; SQLite runs one writer at a time), so two purchases of one
 *   card are counted one after the other and a cap is never exceeded.
 *
 * Lock order: purchase row → anti-fraud lock → points account.
 */
import type { AntiFraudCap, AntiFraudCaps } from "@kopilka/contract";
import { sql } from "kysely";
import { localTimeOf } from "../../core/rules/local-time.js";
import type { Executor, Trx } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { QuotaTakenConcurrently } from "../../kernel/repricing.js";

export type UsageMetric = "spent" | "accrual" | "refund";
export type SubjectKind = "card" | "credential";

/** Consumed usage never lapses. */
const NEVER = 8_640_000_000_000_000;

/** The local day number (days since 1970-01-01) of an instant in a time zone. */
export function localDay(now: number, timeZone: string): number {
  return localTimeOf(now, timeZone).dayNumber;
}

/** The Monday of a day's week (day 0, 1970-01-01, was a Thursday). */
export function weekStart(day: number): number {
  return day - ((((day + 3) % 7) + 7) % 7);
}

interface Subject {
  programId: number;
  kind: SubjectKind;
  id: number;
}

async function lockSubject(trx: Trx, subject: Subject, now: number): Promise<void> {
  await trx
    .insertInto("anti_fraud_locks")
    .values({
      program_id: subject.programId,
      subject_kind: subject.kind,
      subject_id: subject.id,
      touched_at: now,
    })
    .onConflict((oc) => oc.columns(["program_id", "subject_kind", "subject_id"]).doNothing())
    .execute();
  await trx
    .updateTable("anti_fraud_locks")
    .set({ touched_at: now })
    .where("program_id", "=", subject.programId)
    .where("subject_kind", "=", subject.kind)
    .where("subject_id", "=", subject.id)
    .execute();
}

interface Usage {
  amount: number;
  count: number;
}

/** The subject's live usage of a metric from day `from` to `to` (inclusive), without one purchase's own. */
async function usageIn(
  db: Executor,
  subject: Subject,
  metric: UsageMetric,
  from: number,
  to: number,
  now: number,
  exceptPurchase: number | null,
): Promise<Usage> {
  let query = db
    .selectFrom("anti_fraud_usage")
    .select((eb) => [
      eb.fn.sum<string | number | null>("amount").as("amount"),
      eb.fn.countAll<string | number>().as("count"),
    ])
    .where("program_id", "=", subject.programId)
    .where("subject_kind", "=", subject.kind)
    .where("subject_id", "=", subject.id)
    .where("metric", "=", metric)
    .where("day", ">=", from)
    .where("day", "<=", to)
    .where("amount", ">", 0)
    // The partial index `anti_fraud_usage_subject`'s condition with its constants, or SQLite reads the
    // whole table.
    .where(sql<boolean>`state in ('reserved', 'consumed')`)
    .where((eb) =>
      eb.or([
        eb("state", "=", "consumed"),
        eb.and([eb("state", "=", "reserved"), eb("expires_at", ">", now)]),
      ]),
    );
  if (exceptPurchase !== null) query = query.where("purchase_id", "!=", exceptPurchase);
  const row = await query.executeTakeFirst();
  return { amount: Number(row?.amount ?? 0), count: Number(row?.count ?? 0) };
}

async function dropReservation(
  trx: Trx,
  purchaseId: number,
  metric: UsageMetric,
  now: number,
): Promise<void> {
  await trx
    .updateTable("anti_fraud_usage")
    .set({ state: "released", updated_at: now })
    .where("purchase_id", "=", purchaseId)
    .where("metric", "=", metric)
    .where("state", "=", "reserved")
    .execute();
}

interface UsageRow {
  programId: number;
  purchaseId: number;
  metric: UsageMetric;
  subject: Subject;
  amount: number;
  state: "reserved" | "consumed";
  day: number;
  expiresAt: number;
  now: number;
}

async function insertUsage(trx: Trx, u: UsageRow): Promise<void> {
  await trx
    .insertInto("anti_fraud_usage")
    .values({
      program_id: u.programId,
      purchase_id: u.purchaseId,
      metric: u.metric,
      subject_kind: u.subject.kind,
      subject_id: u.subject.id,
      amount: u.amount,
      state: u.state,
      day: u.day,
      expires_at: u.state === "consumed" ? NEVER : u.expiresAt,
      created_at: u.now,
      updated_at: u.now,
    })
    .execute();
}

/** A cap a purchase command hit: what the admin API lists and the metric counts. */
export interface CapHit {
  partnerId: number;
  programId: number;
  cap: AntiFraudCap;
  subjectKind: SubjectKind;
  subjectId: number;
  day: number;
}

/** A refusal by a cap; the command records the hit after its transaction rolled back. */
export class AntiFraudRefusal extends DomainError {
  constructor(
    code: "POINTS_SPENDING_CAP_EXCEEDED" | "REFUND_CAP_EXCEEDED",
    message: string,
    details: Record<string, unknown>,
    readonly hit: CapHit,
  ) {
    super(code, message, details);
  }
}

// ---- accrual: allowance at pricing, reservation at calculate ----------------------------------------

/** The card's accrual still allowed today (read without a lock; reserveAccrual re-checks), or null. */
export async function accrualAllowance(
  db: Executor,
  caps: AntiFraudCaps | null,
  request: {
    programId: number;
    cardId: number;
    now: number;
    timeZone: string;
    exceptPurchase: number | null;
  },
): Promise<number | null> {
  const max = caps?.maxAccrualPerCardPerDay ?? null;
  if (max === null) return null;
  const day = localDay(request.now, request.timeZone);
  const subject: Subject = { programId: request.programId, kind: "card", id: request.cardId };
  const used = await usageIn(db, subject, "accrual", day, day, request.now, request.exceptPurchase);
  return Math.max(0, max - used.amount);
}

export class AccrualAllowanceTaken extends QuotaTakenConcurrently {
  constructor() {
    super("the card's accrual allowance was taken by a concurrent purchase");
  }
}

export interface AccrualReservation {
  caps: AntiFraudCaps | null;
  programId: number;
  cardId: number;
  purchaseId: number;
  accrual: number;
  expiresAt: number;
  now: number;
  timeZone: string;
}

/**
 * Makes the purchase's reserved accrual what this calculation earns, counted under the card's lock;
 * throws AccrualAllowanceTaken when a concurrent purchase took the allowance since pricing.
 */
export async function reserveAccrual(trx: Trx, r: AccrualReservation): Promise<void> {
  const max = r.caps?.maxAccrualPerCardPerDay ?? null;
  if (max === null) return;
  const subject: Subject = { programId: r.programId, kind: "card", id: r.cardId };
  await lockSubject(trx, subject, r.now);
  await dropReservation(trx, r.purchaseId, "accrual", r.now);
  if (r.accrual <= 0) return;
  const day = localDay(r.now, r.timeZone);
  const used = await usageIn(trx, subject, "accrual", day, day, r.now, r.purchaseId);
  if (used.amount + r.accrual > max) throw new AccrualAllowanceTaken();
  await insertUsage(trx, {
    programId: r.programId,
    purchaseId: r.purchaseId,
    metric: "accrual",
    subject,
    amount: r.accrual,
    state: "reserved",
    day,
    expiresAt: r.expiresAt,
    now: r.now,
  });
}

// ---- spending: checked and reserved at the bonus payment --------------------------------------------

export interface SpendingReservation {
  caps: AntiFraudCaps | null;
  partnerId: number;
  programId: number;
  cardId: number;
  purchaseId: number;
  amount: number;
  expiresAt: number;
  now: number;
  timeZone: string;
}

function hasSpendingCap(caps: AntiFraudCaps | null): caps is AntiFraudCaps {
  return (
    caps !== null &&
    (caps.maxPointsSpentPerCardPerDay !== null ||
      caps.maxPointsSpentPerCardPerWeek !== null ||
      caps.maxPointsPurchasesPerCardPerDay !== null)
  );
}

/**
 * Makes the purchase's reserved spending the new payment (0 releases it), after checking the card's day
 * and week caps and its count of purchases paid with points today under the card's lock. Over a cap it
 * throws AntiFraudRefusal (POINTS_SPENDING_CAP_EXCEEDED, details.max: the most this purchase may pay).
 */
export async function reserveSpending(trx: Trx, r: SpendingReservation): Promise<void> {
  const caps = r.caps;
  if (!hasSpendingCap(caps)) return;
  const subject: Subject = { programId: r.programId, kind: "card", id: r.cardId };
  await lockSubject(trx, subject, r.now);
  await dropReservation(trx, r.purchaseId, "spent", r.now);
  if (r.amount <= 0) return;
  const day = localDay(r.now, r.timeZone);
  const refuse = (cap: AntiFraudCap, max: number) =>
    new AntiFraudRefusal(
      "POINTS_SPENDING_CAP_EXCEEDED",
      `the bonus payment exceeds the card's ${cap}`,
      { field: "amount", max: Math.max(0, max), cap },
      { partnerId: r.partnerId, programId: r.programId, cap, subjectKind: "card", subjectId: r.cardId, day },
    );
  const today = await usageIn(trx, subject, "spent", day, day, r.now, r.purchaseId);
  if (caps.maxPointsPurchasesPerCardPerDay !== null && today.count + 1 > caps.maxPointsPurchasesPerCardPerDay)
    throw refuse("maxPointsPurchasesPerCardPerDay", 0);
  if (caps.maxPointsSpentPerCardPerDay !== null && today.amount + r.amount > caps.maxPointsSpentPerCardPerDay)
    throw refuse("maxPointsSpentPerCardPerDay", caps.maxPointsSpentPerCardPerDay - today.amount);
  if (caps.maxPointsSpentPerCardPerWeek !== null) {
    const week = await usageIn(trx, subject, "spent", weekStart(day), day, r.now, r.purchaseId);
    if (week.amount + r.amount > caps.maxPointsSpentPerCardPerWeek) {
      const dayRoom =
        caps.maxPointsSpentPerCardPerDay === null
          ? Number.MAX_SAFE_INTEGER
          : caps.maxPointsSpentPerCardPerDay - today.amount;
      throw refuse(
        "maxPointsSpentPerCardPerWeek",
        Math.min(dayRoom, caps.maxPointsSpentPerCardPerWeek - week.amount),
      );
    }
  }
  await insertUsage(trx, {
    programId: r.programId,
    purchaseId: r.purchaseId,
    metric: "spent",
    subject,
    amount: r.amount,
    state: "reserved",
    day,
    expiresAt: r.expiresAt,
    now: r.now,
  });
}

// ---- the purchase's reservations: follow, consume, release ------------------------------------------

/** The purchase's reservations follow its new lifetime (a recalculation or a bonus payment). */
export async function extendUsage(
  trx: Trx,
  purchaseId: number,
  expiresAt: number,
  now: number,
): Promise<void> {
  await trx
    .updateTable("anti_fraud_usage")
    .set({ expires_at: expiresAt, updated_at: now })
    .where("purchase_id", "=", purchaseId)
    .where("state", "=", "reserved")
    .execute();
}

/** Drops the purchase's spending reservation (a recalculation that reset its points payment). */
export function releaseSpending(trx: Trx, purchaseId: number, now: number): Promise<void> {
  return dropReservation(trx, purchaseId, "spent", now);
}

export interface Consumption {
  caps: AntiFraudCaps | null;
  programId: number;
  cardId: number;
  purchaseId: number;
  spent: number;
  accrued: number;
  now: number;
  timeZone: string;
}

/**
 * At confirm: the purchase's reservations become consumed with what was really spent and accrued (never
 * refused: the sale is fiscalised). A purchase with no reservation (a late confirm of a lost one) is
 * counted on the confirm's day.
 */
export async function consumeUsage(trx: Trx, c: Consumption): Promise<void> {
  if (c.caps === null) return;
  const subject: Subject = { programId: c.programId, kind: "card", id: c.cardId };
  for (const [metric, amount] of [
    ["spent", c.spent],
    ["accrual", c.accrued],
  ] as const) {
    const updated = await trx
      .updateTable("anti_fraud_usage")
      .set({ state: "consumed", amount, expires_at: NEVER, updated_at: c.now })
      .where("purchase_id", "=", c.purchaseId)
      .where("metric", "=", metric)
      .where("state", "=", "reserved")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0 && amount > 0) {
      await insertUsage(trx, {
        programId: c.programId,
        purchaseId: c.purchaseId,
        metric,
        subject,
        amount,
        state: "consumed",
        day: localDay(c.now, c.timeZone),
        expiresAt: NEVER,
        now: c.now,
      });
    }
  }
}

/** Cancel, expiry, a hanging confirm: the purchase's card usage is given back (consumed too, on a reversal). */
export async function releaseUsage(trx: Trx, purchaseId: number, now: number): Promise<void> {
  await trx
    .updateTable("anti_fraud_usage")
    .set({ state: "released", updated_at: now })
    .where("purchase_id", "=", purchaseId)
    .where("metric", "in", ["spent", "accrual"])
    .where("state", "in", ["reserved", "consumed"])
    .execute();
}

// ---- refunds and cancels after confirm, per POS credential ------------------------------------------

export interface RefundCount {
  caps: AntiFraudCaps | null;
  partnerId: number;
  programId: number;
  credentialId: number;
  purchaseId: number;
  now: number;
  timeZone: string;
}

/**
 * Counts one refund (or cancel of a confirmed purchase) for the POS credential, under its lock; over the
 * cap it throws AntiFraudRefusal (REFUND_CAP_EXCEEDED).
 */
export async function countRefund(trx: Trx, r: RefundCount): Promise<void> {
  const max = r.caps?.maxRefundsPerPosPerDay ?? null;
  if (max === null) return;
  const subject: Subject = { programId: r.programId, kind: "credential", id: r.credentialId };
  await lockSubject(trx, subject, r.now);
  const day = localDay(r.now, r.timeZone);
  const used = await usageIn(trx, subject, "refund", day, day, r.now, null);
  if (used.count + 1 > max) {
    throw new AntiFraudRefusal(
      "REFUND_CAP_EXCEEDED",
      "this POS credential reached its daily refund cap",
      { field: "purchaseId", max, cap: "maxRefundsPerPosPerDay" },
      {
        partnerId: r.partnerId,
        programId: r.programId,
        cap: "maxRefundsPerPosPerDay",
        subjectKind: "credential",
        subjectId: r.credentialId,
        day,
      },
    );
  }
  await insertUsage(trx, {
    programId: r.programId,
    purchaseId: r.purchaseId,
    metric: "refund",
    subject,
    amount: 1,
    state: "consumed",
    day,
    expiresAt: NEVER,
    now: r.now,
  });
}
