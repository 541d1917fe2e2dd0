/** POS credentials: a login and a scrypt-hashed secret per till or accounting system. */
import { randomBytes } from "node:crypto";
import type { Executor } from "../../infra/db/database.js";
import { hashSecret } from "./secret-hash.js";

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
