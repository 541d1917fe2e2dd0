/**
 * The facade's own records: the partner's trust key, POS id bindings, and each get_discount's calculation
 * with its transaction codes (one per discounted line, mapped to the purchase's line ids).
 */
import { randomBytes } from "node:crypto";
import type { Executor, Trx } from "../../infra/db/database.js";
import { hashSecret, verifySecret } from "../../kernel/secret-hash.js";

// ---- trust key --------------------------------------------------------------------------------------

/** Issues a new trust key for the partner (shown once; the hash is kept); any non-empty one stops passing. */
export async function issueTrustKey(db: Executor, partnerId: number, now: number): Promise<string> {
  const key = randomBytes(16).toString("hex");
  const hash = await hashSecret(key);
  await db
    .insertInto("pharmapi_settings")
    .values({ partner_id: partnerId, trust_key_hash: hash, trust_any: 0, updated_at: now })
    .onConflict((oc) =>
      oc.column("partner_id").doUpdateSet({ trust_key_hash: hash, trust_any: 0, updated_at: now }),
    )
    .execute();
  return key;
}

/** The public test server's rule: any non-empty trust key passes (the test preset sets it). */
export async function acceptAnyTrustKey(db: Executor, partnerId: number, now: number): Promise<void> {
  await db
    .insertInto("pharmapi_settings")
    .values({ partner_id: partnerId, trust_key_hash: null, trust_any: 1, updated_at: now })
    .onConflict((oc) => oc.column("partner_id").doUpdateSet({ trust_any: 1, updated_at: now }))
    .execute();
}

export async function trustKeyAccepted(db: Executor, partnerId: number, key: string): Promise<boolean> {
  if (key.trim() === "") return false;
  const row = await db
    .selectFrom("pharmapi_settings")
    .select(["trust_key_hash", "trust_any"])
    .where("partner_id", "=", partnerId)
    .executeTakeFirst();
  if (!row) return false;
  if (row.trust_any === 1) return true;
  return row.trust_key_hash !== null && (await verifySecret(key, row.trust_key_hash));
}

// ---- POS ids: bound to stores by the stores module (`store_pos_ids`, written by update_pharmacies) ----

export { bindPosIds, storeIdByPosId as storeOfPos } from "../stores/index.js";

// ---- calculations and transaction codes -----------------------------------------------------------

export interface CalculationInput {
  partnerId: number;
  purchaseExternalId: string;
  programId: number;
  storeId: number;
  posId: string;
  cardNumber: string;
  /** Line id → transaction code. */
  codes: ReadonlyMap<string, string>;
}

export const newTransactionCode = () => randomBytes(16).toString("hex");

export async function recordCalculation(trx: Trx, input: CalculationInput, now: number): Promise<void> {
  const row = await trx
    .insertInto("pharmapi_calculations")
    .values({
      partner_id: input.partnerId,
      purchase_external_id: input.purchaseExternalId,
      program_id: input.programId,
      store_id: input.storeId,
      pos_id: input.posId,
      card_number: input.cardNumber,
      codes: input.codes.size,
      superseded_at: null,
      created_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const rows = [...input.codes].map(([lineId, code]) => ({
    code,
    partner_id: input.partnerId,
    calculation_id: row.id,
    line_id: lineId,
    created_at: now,
  }));
  if (rows.length > 0) await trx.insertInto("pharmapi_transactions").values(rows).execute();
}

export interface EarlierCalculation {
  id: number;
  purchaseExternalId: string;
}

/** The POS's calculations for the card still in force (not superseded) since `since`. */
export async function calculationsInForce(
  db: Executor,
  partnerId: number,
  posId: string,
  cardNumber: string,
  since: number,
): Promise<EarlierCalculation[]> {
  const rows = await db
    .selectFrom("pharmapi_calculations")
    .select(["id", "purchase_external_id"])
    .where("partner_id", "=", partnerId)
    .where("pos_id", "=", posId)
    .where("card_number", "=", cardNumber)
    .where("superseded_at", "is", null)
    .where("created_at", ">=", since)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ id: Number(r.id), purchaseExternalId: r.purchase_external_id }));
}

export async function markSuperseded(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable("pharmapi_calculations").set({ superseded_at: now }).where("id", "=", id).execute();
}

export interface CodedLine {
  code: string;
  lineId: string;
  calculationId: number;
  purchaseExternalId: string;
  programId: number;
  storeId: number;
  cardNumber: string;
  codes: number;
  supersededAt: number | null;
  createdAt: number;
}

export async function linesOfCodes(
  db: Executor,
  partnerId: number,
  codes: readonly string[],
): Promise<CodedLine[]> {
  if (codes.length === 0) return [];
  const rows = await db
    .selectFrom("pharmapi_transactions as t")
    .innerJoin("pharmapi_calculations as c", "c.id", "t.calculation_id")
    .select([
      "t.code",
      "t.line_id",
      "c.id",
      "c.purchase_external_id",
      "c.program_id",
      "c.store_id",
      "c.card_number",
      "c.codes",
      "c.superseded_at",
      "c.created_at",
    ])
    .where("t.partner_id", "=", partnerId)
    .where("t.code", "in", [...codes])
    .execute();
  return rows.map((r) => ({
    code: r.code,
    lineId: r.line_id,
    calculationId: Number(r.id),
    purchaseExternalId: r.purchase_external_id,
    programId: Number(r.program_id),
    storeId: Number(r.store_id),
    cardNumber: r.card_number,
    codes: r.codes,
    supersededAt: r.superseded_at === null ? null : Number(r.superseded_at),
    createdAt: Number(r.created_at),
  }));
}

// ---- registrations waiting for confirm_code --------------------------------------------------------

export async function recordRegistration(
  db: Executor,
  partnerId: number,
  posId: string,
  confirmationId: string,
  now: number,
): Promise<void> {
  await db
    .insertInto("pharmapi_registrations")
    .values({
      partner_id: partnerId,
      pos_id: posId,
      confirmation_id: confirmationId,
      completed_at: null,
      created_at: now,
    })
    .execute();
}

/** The POS's latest registration still waiting for its code since `since`. */
export async function pendingRegistration(
  db: Executor,
  partnerId: number,
  posId: string,
  since: number,
): Promise<{ id: number; confirmationId: string } | null> {
  const row = await db
    .selectFrom("pharmapi_registrations")
    .select(["id", "confirmation_id"])
    .where("partner_id", "=", partnerId)
    .where("pos_id", "=", posId)
    .where("completed_at", "is", null)
    .where("created_at", ">=", since)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { id: Number(row.id), confirmationId: row.confirmation_id } : null;
}

export async function completeRegistration(db: Executor, id: number, now: number): Promise<void> {
  await db.updateTable("pharmapi_registrations").set({ completed_at: now }).where("id", "=", id).execute();
}
