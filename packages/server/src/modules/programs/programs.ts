/**
 * Programs as stored: creation, changes of terms, and the program versions. Every change to a program or
 * its rules goes through `bumpProgram` in the same transaction: the program's version goes up, the new
 * version's rule set and pricing terms are recorded (`program_versions`), and the global
 * `programs_version` counter tells every process's catalog to look.
 */

import { ANTI_FRAUD_CAPS, type AntiFraudCaps, type RefundPolicy } from "@kopilka/contract";
import { bumpChangeCounter, readChangeCounter } from "../../infra/db/change-counter.js";
import type { Database, Executor } from "../../infra/db/database.js";
import { bodyOfDraft, insertRule, type RuleDraft } from "./rules.js";

export type ProgramKind = "loyalty" | "discount";
export type DiscountRounding = "half_up" | "down";

export interface ProgramTermsInput {
  name?: string;
  holdDays?: number;
  cancelWindowMinutes?: number;
  purchaseTtlSeconds?: number;
  maxPointsPaymentShareBp?: number;
  pointsLifetimeDays?: number | null;
  refundPolicy?: RefundPolicy;
  discountRounding?: DiscountRounding;
  maxLineDiscountBp?: number;
  maxReceiptDiscountBp?: number;
  active?: boolean;
  /** The anti-fraud caps as a whole: a cap left out is off; null turns them all off. */
  antiFraud?: Partial<AntiFraudCaps> | null;
}

/** Every cap named, null when off: how caps are stored, shown and compared. */
export function normalizeAntiFraud(caps: Partial<AntiFraudCaps> | null | undefined): AntiFraudCaps {
  const all = Object.fromEntries(ANTI_FRAUD_CAPS.map((k) => [k, caps?.[k] ?? null]));
  return all as unknown as AntiFraudCaps;
}

export interface ProgramInput extends ProgramTermsInput {
  code: string;
  name: string;
  kind?: ProgramKind;
}

/** What pricing needs of a program version besides its rules; recorded with each version. */
export interface PricingTerms {
  /** Largest share of the receipt (after discounts) payable with points. */
  maxPointsPaymentShareBp: number;
  discountRounding: DiscountRounding;
  maxLineDiscountBp: number;
  maxReceiptDiscountBp: number;
}

export const PROGRAMS_VERSION_KEY = "programs_version";

export async function createProgram(
  db: Executor,
  partnerId: number,
  p: ProgramInput,
  now: number,
): Promise<number> {
  const row = await db
    .insertInto("programs")
    .values({
      partner_id: partnerId,
      code: p.code,
      name: p.name,
      kind: p.kind ?? "loyalty",
      active: p.active === false ? 0 : 1,
      hold_days: p.holdDays ?? 14,
      cancel_window_minutes: p.cancelWindowMinutes ?? 30,
      purchase_ttl_seconds: p.purchaseTtlSeconds ?? 1800,
      max_points_payment_share_bp: p.maxPointsPaymentShareBp ?? 5000,
      points_lifetime_days: p.pointsLifetimeDays ?? null,
      refund_policy: p.refundPolicy ?? "proportional_minimum",
      // The basic engine's rounding, which programs created before the cabinet keep; the admin API
      // creates programs with the documented default (half up) unless told otherwise.
      discount_rounding: p.discountRounding ?? "down",
      max_line_discount_bp: p.maxLineDiscountBp ?? 10_000,
      max_receipt_discount_bp: p.maxReceiptDiscountBp ?? 10_000,
      anti_fraud: storedAntiFraud(p.antiFraud ?? null),
      version: 0,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await bumpProgram(db, row.id, now);
  return row.id;
}

/** Changes a program's terms (not its code or kind); bumps its version. */
export async function updateProgramTerms(
  db: Executor,
  programId: number,
  patch: ProgramTermsInput,
  now: number,
): Promise<void> {
  const set = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.holdDays !== undefined ? { hold_days: patch.holdDays } : {}),
    ...(patch.cancelWindowMinutes !== undefined ? { cancel_window_minutes: patch.cancelWindowMinutes } : {}),
    ...(patch.purchaseTtlSeconds !== undefined ? { purchase_ttl_seconds: patch.purchaseTtlSeconds } : {}),
    ...(patch.maxPointsPaymentShareBp !== undefined
      ? { max_points_payment_share_bp: patch.maxPointsPaymentShareBp }
      : {}),
    ...(patch.pointsLifetimeDays !== undefined ? { points_lifetime_days: patch.pointsLifetimeDays } : {}),
    ...(patch.refundPolicy !== undefined ? { refund_policy: patch.refundPolicy } : {}),
    ...(patch.discountRounding !== undefined ? { discount_rounding: patch.discountRounding } : {}),
    ...(patch.maxLineDiscountBp !== undefined ? { max_line_discount_bp: patch.maxLineDiscountBp } : {}),
    ...(patch.maxReceiptDiscountBp !== undefined
      ? { max_receipt_discount_bp: patch.maxReceiptDiscountBp }
      : {}),
    ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
    ...(patch.antiFraud !== undefined ? { anti_fraud: storedAntiFraud(patch.antiFraud) } : {}),
  };
  if (Object.keys(set).length === 0) return;
  await db.updateTable("programs").set(set).where("id", "=", programId).execute();
  await bumpProgram(db, programId, now);
}

function storedAntiFraud(caps: Partial<AntiFraudCaps> | null): string | null {
  const all = normalizeAntiFraud(caps);
  return Object.values(all).some((v) => v !== null) ? JSON.stringify(all) : null;
}

/**
 * A new version of the program: its number goes up, its active rule versions and pricing terms are
 * recorded, and the global counter moves. Call it in the transaction of the change.
 */
export async function bumpProgram(db: Executor, programId: number, now: number): Promise<number> {
  const program = await db
    .updateTable("programs")
    .set((eb) => ({ version: eb("version", "+", 1), updated_at: now }))
    .where("id", "=", programId)
    .returning([
      "version",
      "max_points_payment_share_bp",
      "discount_rounding",
      "max_line_discount_bp",
      "max_receipt_discount_bp",
    ])
    .executeTakeFirstOrThrow();
  const rules = await db
    .selectFrom("rules")
    .select(["id", "version"])
    .where("program_id", "=", programId)
    .where("active", "=", 1)
    .orderBy("id")
    .execute();
  const terms: PricingTerms = {
    maxPointsPaymentShareBp: program.max_points_payment_share_bp,
    discountRounding: program.discount_rounding as DiscountRounding,
    maxLineDiscountBp: program.max_line_discount_bp,
    maxReceiptDiscountBp: program.max_receipt_discount_bp,
  };
  await db
    .insertInto("program_versions")
    .values({
      program_id: programId,
      version: program.version,
      rules: JSON.stringify(rules.map((r) => [Number(r.id), r.version])),
      terms: JSON.stringify(terms),
      created_at: now,
    })
    .execute();
  await bumpProgramsVersion(db);
  return program.version;
}

/** The global counter every catalog polls: one row, moved by every program or rule change. */
export function bumpProgramsVersion(db: Executor): Promise<void> {
  return bumpChangeCounter(db, PROGRAMS_VERSION_KEY);
}

export function readProgramsVersion(db: Executor): Promise<string> {
  return readChangeCounter(db, PROGRAMS_VERSION_KEY);
}

/**
 * Adds rules of the four basic kinds (seeds, tests, the bench) as definitions, and bumps the program's
 * version once. A rule that can give nothing (a value of 0) is kept disabled.
 */
export async function addRules(
  database: Database,
  programId: number,
  drafts: readonly RuleDraft[],
  now: number,
): Promise<number[]> {
  return database.transaction(async (trx) => {
    const code = await programCodeOf(trx, programId);
    const ids: number[] = [];
    for (const draft of drafts) {
      const body = bodyOfDraft(draft) ?? {
        name: draft.name,
        priority: draft.priority ?? 0,
        stacking: { mode: "stackable" as const },
        conditions: [],
        effects: [],
      };
      const definition = await insertRule(trx, programId, code, body, body.effects.length > 0, now, null);
      ids.push(definition.id);
    }
    await bumpProgram(trx, programId, now);
    return ids;
  });
}

export async function findProgramId(db: Executor, partnerId: number, code: string): Promise<number | null> {
  const row = await db
    .selectFrom("programs")
    .select("id")
    .where("partner_id", "=", partnerId)
    .where("code", "=", code)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function programCodeOf(db: Executor, programId: number): Promise<string> {
  const row = await db
    .selectFrom("programs")
    .select("code")
    .where("id", "=", programId)
    .executeTakeFirstOrThrow();
  return row.code;
}
