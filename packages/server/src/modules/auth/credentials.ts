/** POS credentials: a login and a scrypt-hashed secret per till or accounting system. */
import { randomBytes } from "node:crypto";
import { type Executor, isUniqueViolation } from "../../infra/db/database.js";
import {
  containsText,
  keysetPage,
  keysetQuery,
  type Page,
  type PageQuery,
  type SortSpec,
} from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";
import { hashSecret, verifySecret } from "../../kernel/secret-hash.js";

export interface CredentialInput {
  login: string;
  /** Generated when absent; the caller shows it once, only its hash is kept. */
  secret?: string;
  storeId?: number | null;
  description?: string | null;
}

/** 144 random bits, URL-safe: typed once into a till's settings. */
export function generateSecret(): string {
  return randomBytes(18).toString("base64url");
}

export async function createPosCredential(
  db: Executor,
  partnerId: number,
  input: CredentialInput,
  now: number,
): Promise<{ id: number; secret: string }> {
  const secret = input.secret ?? generateSecret();
  const secretHash = await hashSecret(secret);
  try {
    const row = await db
      .insertInto("pos_credentials")
      .values({
        partner_id: partnerId,
        store_id: input.storeId ?? null,
        login: input.login,
        secret_hash: secretHash,
        enabled: 1,
        description: input.description ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { id: row.id, secret };
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError("ALREADY_EXISTS", `credential ${input.login} already exists`, {
        field: "login",
        value: input.login,
      });
    throw error;
  }
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

/**
 * Whether a till could log in with this login and secret right now: the credential exists, is enabled
 * and the secret matches. Used to find demo credentials whose public secret still opens the door.
 */
export async function credentialAcceptsSecret(db: Executor, login: string, secret: string): Promise<boolean> {
  const row = await db
    .selectFrom("pos_credentials")
    .select(["secret_hash", "enabled"])
    .where("login", "=", login)
    .executeTakeFirst();
  return row !== undefined && row.enabled === 1 && (await verifySecret(secret, row.secret_hash));
}

export interface CredentialRecord {
  id: number;
  partnerId: number;
  storeId: number | null;
  login: string;
  description: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  secretRotatedAt: number | null;
}

const CREDENTIAL_COLUMNS = [
  "id",
  "partner_id",
  "store_id",
  "login",
  "description",
  "enabled",
  "created_at",
  "updated_at",
  "secret_rotated_at",
] as const;
type CredentialRow = Pick<Row<"pos_credentials">, (typeof CREDENTIAL_COLUMNS)[number]>;

function credentialRecord(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    partnerId: row.partner_id,
    storeId: row.store_id,
    login: row.login,
    description: row.description,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    secretRotatedAt: row.secret_rotated_at,
  };
}

const CREDENTIAL_SORTS: SortSpec<CredentialRow> = {
  login: { column: "login", value: (r) => r.login },
  createdAt: { column: "created_at", value: (r) => r.created_at },
};

/** A credential by login, in any partner: logins are unique across the platform. */
export async function findCredential(db: Executor, login: string): Promise<CredentialRecord | null> {
  const row = await db
    .selectFrom("pos_credentials")
    .select(CREDENTIAL_COLUMNS)
    .where("login", "=", login)
    .executeTakeFirst();
  return row ? credentialRecord(row) : null;
}

export async function listCredentials(
  db: Executor,
  partnerId: number,
  filter: { enabled?: boolean; storeId?: number; q?: string },
  page: PageQuery,
): Promise<Page<CredentialRecord>> {
  let query = db.selectFrom("pos_credentials").select(CREDENTIAL_COLUMNS).where("partner_id", "=", partnerId);
  if (filter.enabled !== undefined) query = query.where("enabled", "=", filter.enabled ? 1 : 0);
  if (filter.storeId !== undefined) query = query.where("store_id", "=", filter.storeId);
  if (filter.q) query = query.where(containsText("login", filter.q));
  const rows = await keysetQuery(query, CREDENTIAL_SORTS, "id", page).execute();
  return keysetPage(rows, CREDENTIAL_SORTS, (r) => r.id, page, credentialRecord);
}

export async function updateCredential(
  db: Executor,
  id: number,
  patch: { description?: string | null; storeId?: number | null },
  now: number,
): Promise<void> {
  await db
    .updateTable("pos_credentials")
    .set({
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.storeId !== undefined ? { store_id: patch.storeId } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
}

export async function setCredentialEnabledById(
  db: Executor,
  id: number,
  enabled: boolean,
  now: number,
): Promise<void> {
  await db
    .updateTable("pos_credentials")
    .set({ enabled: enabled ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
}

/**
 * A new secret, returned once. Tokens issued with the old secret stop working within AUTH_CACHE_TTL_MS:
 * a leaked secret is dealt with by rotating it alone.
 */
export async function rotateCredentialSecret(db: Executor, id: number, now: number): Promise<string> {
  const secret = generateSecret();
  await db
    .updateTable("pos_credentials")
    .set({ secret_hash: await hashSecret(secret), secret_rotated_at: now, updated_at: now })
    .where("id", "=", id)
    .execute();
  return secret;
}
