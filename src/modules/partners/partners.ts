/** Partners (retail chains), their stores, POS credentials and programs: the tenant's set-up. */
import { randomBytes } from "node:crypto";
import type { Database, Executor } from "../../infra/db/database.js";
import { hashSecret } from "../auth/secret-hash.js";
import { type RuleDraft, ruleRow } from "../programs/rules.js";

export async function createPartner(db: Executor, code: string, name: string, now: number): Promise<number> {
  const row = await db
    .insertInto("partners")
    .values({ code, name, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface StoreInput {
  code: string;
  name: string;
  timezone: string;
  address?: string | null;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export async function createStore(
  db: Executor,
  partnerId: number,
  store: StoreInput,
  now: number,
): Promise<number> {
  if (!isValidTimeZone(store.timezone)) throw new RangeError(`unknown time zone ${store.timezone}`);
  const row = await db
    .insertInto("stores")
    .values({
      partner_id: partnerId,
      code: store.code,
      name: store.name,
      timezone: store.timezone,
      address: store.address ?? null,
      active: 1,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface CredentialInput {
  login: string;
  /** Generated when absent; the caller shows it once, only its hash is kept. */
  secret?: string;
  storeId?: number | null;
  description?: string | null;
}

export async function createPosCredential(
  db: Executor,
  partnerId: number,
  input: CredentialInput,
  now: number,
): Promise<{ id: number; secret: string }> {
  const secret = input.secret ?? randomBytes(18).toString("base64url");
  const row = await db
    .insertInto("pos_credentials")
    .values({
      partner_id: partnerId,
      store_id: input.storeId ?? null,
      login: input.login,
      secret_hash: await hashSecret(secret),
      enabled: 1,
      description: input.description ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

export async function setCredentialEnabled(
  db: Executor,
  login: string,
  enabled: boolean,
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable("pos_credentials")
    .set({ enabled: enabled ? 1 : 0, updated_at: now })
    .where("login", "=", login)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export interface ProgramInput {
  code: string;
  name: string;
  kind?: "loyalty" | "discount";
  holdDays?: number;
  cancelWindowMinutes?: number;
  purchaseTtlSeconds?: number;
  maxPointsPaymentShareBp?: number;
  pointsLifetimeDays?: number | null;
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
