/** POS credentials: a login and a scrypt-hashed secret per till or accounting system. */
import { randomBytes } from "node:crypto";
import { type Executor, isUniqueViolation } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { hashSecret, verifySecret } from "./secret-hash.js";

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
