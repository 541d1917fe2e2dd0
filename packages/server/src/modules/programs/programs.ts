/** Programs and their rules as stored: creation, rule changes (each bumps the version), listing. */
import type { RefundPolicy } from "@kopilka/contract";
import type { Database, Executor } from "../../infra/db/database.js";
import { type RuleDraft, ruleRow } from "./rules.js";

export interface ProgramInput {
  code: string;
  name: string;
  kind?: "loyalty" | "discount";
  holdDays?: number;
  cancelWindowMinutes?: number;
  purchaseTtlSeconds?: number;
  maxPointsPaymentShareBp?: number;
  pointsLifetimeDays?: number | null;
  refundPolicy?: RefundPolicy;
}

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
      active: 1,
      hold_days: p.holdDays ?? 14,
      cancel_window_minutes: p.cancelWindowMinutes ?? 30,
      purchase_ttl_seconds: p.purchaseTtlSeconds ?? 1800,
      max_points_payment_share_bp: p.maxPointsPaymentShareBp ?? 5000,
      points_lifetime_days: p.pointsLifetimeDays ?? null,
      refund_policy: p.refundPolicy ?? "proportional_minimum",
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Adds rules and bumps the program's version in one transaction, so caches reload exactly once. */
export async function addRules(
  database: Database,
  programId: number,
  drafts: readonly RuleDraft[],
  now: number,
): Promise<number[]> {
  return database.transaction(async (trx) => {
    const ids: number[] = [];
    for (const draft of drafts) {
      const row = await trx
        .insertInto("rules")
        .values(ruleRow(programId, draft, now))
        .returning("id")
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    await trx
      .updateTable("programs")
      .set((eb) => ({ version: eb("version", "+", 1), updated_at: now }))
      .where("id", "=", programId)
      .execute();
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
