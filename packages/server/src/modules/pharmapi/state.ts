/**
 * The facade's own records: the partner's trust key, POS id bindings, and each get_discount's calculation
 * with its transaction codes (one per discounted line, mapped to the purchase's line ids).
 */
import { createHash, randomBytes } from "node:crypto";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { isPostgres, rawRows, textPerCount } from "../../infra/db/raw.js";
import { randomHex } from "../../kernel/random-hex.js";
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

export { bindPosIds } from "../stores/index.js";

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

/**
 * A line's transaction code: 32 hex digits, the instant in milliseconds (12) and then 80 random bits. Time
 * first, so that a call's codes go to the end of the codes' unique index, on one page, instead of each to a
 * random page of it (ten page writes per get_discount); the random part keeps them unguessable.
 */
export const newTransactionCode = (now: number) => now.toString(16).padStart(12, "0") + randomHex(10);

// Fixed statements of get_discount (infra/db/raw.ts): it runs them on every call.
const INSERT_CALCULATION = `insert into pharmapi_calculations
  (partner_id, purchase_external_id, program_id, store_id, pos_id, card_number, codes, superseded_at, created_at)
  values (?, ?, ?, ?, ?, ?, ?, null, ?) returning id`;
const insertCodesText = textPerCount(
  (rows) =>
    `insert into pharmapi_transactions (code, partner_id, calculation_id, line_id, created_at) values ${Array(
      rows,
    )
      .fill("(?, ?, ?, ?, ?)")
      .join(", ")}`,
);

/** The calculation and its transaction codes, in the calculation's transaction. */
export async function recordCalculation(trx: Trx, input: CalculationInput, now: number): Promise<void> {
  const [row] = await rawRows<{ id: number }>(trx, INSERT_CALCULATION, [
    input.partnerId,
    input.purchaseExternalId,
    input.programId,
    input.storeId,
    input.posId,
    input.cardNumber,
    input.codes.size,
    now,
  ]);
  if (!row) throw new Error("the calculation was not inserted");
  if (input.codes.size === 0) return;
  const parameters: unknown[] = [];
  for (const [lineId, code] of input.codes)
    parameters.push(code, input.partnerId, Number(row.id), lineId, now);
  await rawRows(trx, insertCodesText(input.codes.size), parameters);
}

export interface EarlierCalculation {
  id: number;
  purchaseExternalId: string;
  /** The purchase's row, when it exists: its id, store and state. */
  purchase: { id: number; storeId: number; state: string } | null;
}

/**
 * Whether a new calculation at `storeId` cancels this earlier one: its purchase is still only calculated,
 * at the same pharmacy (another pharmacy's calculation under the same POS id is not this POS's to replace).
 */
export function cancelledOnReplace(
  calc: EarlierCalculation,
  storeId: number,
): calc is EarlierCalculation & { purchase: NonNullable<EarlierCalculation["purchase"]> } {
  return calc.purchase !== null && calc.purchase.storeId === storeId && calc.purchase.state === "calculated";
}

/** The POS's calculations for the card still in force (not superseded), with their purchases. */
const CALCULATIONS_IN_FORCE = `select c.id, c.purchase_external_id, p.id as purchase_id, p.store_id, p.state
  from pharmapi_calculations c
  left join purchases p on p.partner_id = c.partner_id and p.external_id = c.purchase_external_id
  where c.partner_id = ? and c.pos_id = ? and c.card_number = ? and c.superseded_at is null and c.created_at >= ?
  order by c.id`;

interface InForceRow {
  id: number;
  purchase_external_id: string;
  purchase_id: number | null;
  store_id: number | null;
  state: string | null;
}

const earlierOf = (rows: readonly InForceRow[]): EarlierCalculation[] =>
  rows.map((r) => ({
    id: Number(r.id),
    purchaseExternalId: r.purchase_external_id,
    purchase:
      r.purchase_id === null || r.state === null
        ? null
        : { id: Number(r.purchase_id), storeId: Number(r.store_id), state: r.state },
  }));

/** The POS's calculations for the card in force since `since`, as committed (read before the transaction). */
export async function committedCalculationsInForce(
  database: Database,
  partnerId: number,
  posId: string,
  cardNumber: string,
  since: number,
): Promise<EarlierCalculation[]> {
  return earlierOf(
    await database.prepareRead<InForceRow>(CALCULATIONS_IN_FORCE)([partnerId, posId, cardNumber, since]),
  );
}

/** The same, in the caller's transaction. */
export async function calculationsInForce(
  trx: Trx,
  partnerId: number,
  posId: string,
  cardNumber: string,
  since: number,
): Promise<EarlierCalculation[]> {
  return earlierOf(
    await rawRows<InForceRow>(trx, CALCULATIONS_IN_FORCE, [partnerId, posId, cardNumber, since]),
  );
}

export async function markSuperseded(trx: Trx, id: number, now: number): Promise<void> {
  await rawRows(trx, "update pharmapi_calculations set superseded_at = ? where id = ?", [now, id]);
}

/**
 * On PostgreSQL, serializes the get_discount calls of one POS for one card until commit, so that each sees
 * the calculation committed by the one before it and replaces it (on SQLite transactions already run one
 * at a time). Taken first in the transaction, before any row lock, so it cannot join a lock cycle.
 */
export async function lockPosCard(
  trx: Trx,
  partnerId: number,
  posId: string,
  cardNumber: string,
): Promise<void> {
  if (!isPostgres(trx)) return;
  const key = createHash("sha256")
    .update(`${partnerId}\u0000${posId}\u0000${cardNumber}`)
    .digest()
    .readInt32BE(0);
  await rawRows(trx, "select pg_advisory_xact_lock(?::int4, ?::int4)", [POS_CARD_LOCK_SPACE, key]);
}

/** The first key of get_discount's advisory locks ("PHAP"): no other code of the server takes such locks. */
const POS_CARD_LOCK_SPACE = 0x50484150;

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
