/**
 * PharmApi credential pairs (Authorization-Token + Authorization-Secret), one or more per partner, issued
 * in the admin API and shown once: the token is kept as its SHA-256 (it is 192 random bits, so nothing
 * slower is needed to look it up), the secret as scrypt. Every request carries the pair, so a verified pair
 * is remembered in-process for a short while (by a hash of both); a disabled or rotated credential stops
 * working within that while. Failures are throttled per token and per address like POS logins.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Database, Executor } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { hashSecret, verifySecret } from "../../kernel/secret-hash.js";
import { type LoginLimits, loginSubjects, type Throttle } from "../throttle/index.js";

export interface PharmApiCaller {
  credentialId: number;
  partnerId: number;
  partnerCode: string;
}

export interface PharmApiCredentialRecord {
  id: number;
  tokenHint: string;
  description: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  secretRotatedAt: number | null;
}

export interface IssuedPair {
  credential: PharmApiCredentialRecord;
  token: string;
  secret: string;
}

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
const randomValue = () => randomBytes(24).toString("hex");

function recordOf(row: {
  id: number;
  token_hint: string;
  description: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
  secret_rotated_at: number | null;
}): PharmApiCredentialRecord {
  return {
    id: Number(row.id),
    tokenHint: row.token_hint,
    description: row.description,
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    secretRotatedAt: row.secret_rotated_at === null ? null : Number(row.secret_rotated_at),
  };
}

const COLUMNS = [
  "id",
  "token_hint",
  "description",
  "enabled",
  "created_at",
  "updated_at",
  "secret_rotated_at",
] as const;

/** A new pair for the partner; `token`/`secret` may be given (the test preset's fixed pair), else random. */
export async function createPharmApiCredential(
  db: Executor,
  partnerId: number,
  input: { description?: string | null; token?: string; secret?: string },
  now: number,
): Promise<IssuedPair> {
  const token = input.token ?? randomValue();
  const secret = input.secret ?? randomValue();
  const row = await db
    .insertInto("pharmapi_credentials")
    .values({
      partner_id: partnerId,
      token_hash: sha256(token),
      token_hint: token.slice(0, 6),
      secret_hash: await hashSecret(secret),
      description: input.description ?? null,
      enabled: 1,
      created_at: now,
      updated_at: now,
      secret_rotated_at: null,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return { credential: recordOf(row), token, secret };
}

export async function listPharmApiCredentials(
  db: Executor,
  partnerId: number,
): Promise<PharmApiCredentialRecord[]> {
  const rows = await db
    .selectFrom("pharmapi_credentials")
    .select(COLUMNS)
    .where("partner_id", "=", partnerId)
    .orderBy("id")
    .execute();
  return rows.map(recordOf);
}

export async function findPharmApiCredential(
  db: Executor,
  partnerId: number,
  id: number,
): Promise<PharmApiCredentialRecord> {
  const row = await db
    .selectFrom("pharmapi_credentials")
    .select(COLUMNS)
    .where("partner_id", "=", partnerId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row)
    throw new DomainError("PHARMAPI_CREDENTIAL_NOT_FOUND", `no PharmApi credential ${id}`, {
      field: "credentialId",
    });
  return recordOf(row);
}

/** The credential with this token, if the partner has one (the preset reuses its pair). */
export async function findPharmApiCredentialByToken(
  db: Executor,
  partnerId: number,
  token: string,
): Promise<PharmApiCredentialRecord | null> {
  const row = await db
    .selectFrom("pharmapi_credentials")
    .select(COLUMNS)
    .where("partner_id", "=", partnerId)
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  return row ? recordOf(row) : null;
}

export async function setPharmApiCredentialEnabled(db: Executor, id: number, enabled: boolean, now: number) {
  await db
    .updateTable("pharmapi_credentials")
    .set({ enabled: enabled ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
}

/** A new secret for the pair (the token stays); the old secret stops working. */
export async function rotatePharmApiSecret(db: Executor, id: number, now: number): Promise<string> {
  const secret = randomValue();
  await db
    .updateTable("pharmapi_credentials")
    .set({ secret_hash: await hashSecret(secret), secret_rotated_at: now, updated_at: now })
    .where("id", "=", id)
    .execute();
  return secret;
}

interface Verified {
  caller: PharmApiCaller;
  at: number;
}

/** Authenticates request pairs: verified ones are remembered briefly, failures throttled. */
export class PharmApiAuthenticator {
  private readonly verified = new Map<string, Verified>();
  private readonly verifying = new Map<string, Promise<PharmApiCaller | null>>();
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly throttle: Throttle,
    private readonly limits: LoginLimits,
    private readonly cacheTtlMs: number,
  ) {}

  /**
   * The caller, or null for a wrong pair (403); RATE_LIMITED while the token or address is locked. PharmApi
   * sends the pair with every request: a verified pair is remembered for `cacheTtlMs`, and the requests
   * that arrive together while it is being verified share that one scrypt verification.
   */
  authenticate(token: string, secret: string, address: string | null): Promise<PharmApiCaller | null> {
    const now = this.clock.now();
    const key = sha256(`${token}\u0000${secret}`);
    const hit = this.verified.get(key);
    if (hit && now - hit.at < this.cacheTtlMs) return Promise.resolve(hit.caller);
    let verifying = this.verifying.get(key);
    if (!verifying) {
      verifying = this.verify(key, token, secret, address, now).finally(() => this.verifying.delete(key));
      this.verifying.set(key, verifying);
    }
    return verifying;
  }

  private async verify(
    key: string,
    token: string,
    secret: string,
    address: string | null,
    now: number,
  ): Promise<PharmApiCaller | null> {
    const subjects = loginSubjects("pharmapi", sha256(token), address, this.limits);
    const recorded = await this.throttle.check(subjects);
    const row = await this.database.db
      .selectFrom("pharmapi_credentials")
      .innerJoin("partners", "partners.id", "pharmapi_credentials.partner_id")
      .select([
        "pharmapi_credentials.id",
        "pharmapi_credentials.partner_id",
        "pharmapi_credentials.secret_hash",
        "pharmapi_credentials.enabled",
        "partners.code",
      ])
      .where("pharmapi_credentials.token_hash", "=", sha256(token))
      .executeTakeFirst();
    this.decoy ??= hashSecret(randomValue());
    const valid = await verifySecret(secret, row?.secret_hash ?? (await this.decoy));
    if (!row || !valid || row.enabled !== 1) {
      await this.throttle.recordFailure(subjects);
      return null;
    }
    if (recorded.has(subjects[0]!)) await this.throttle.clear(subjects[0]!);
    const caller = { credentialId: Number(row.id), partnerId: Number(row.partner_id), partnerCode: row.code };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(key, { caller, at: now });
    return caller;
  }

  /** This process forgets verified pairs at once (a change made here). */
  forget(): void {
    this.verified.clear();
  }
}

/** Whether the pair opens the door (the production start refuses the public demo pair while it does). */
export async function pharmApiPairAccepted(db: Executor, token: string, secret: string): Promise<boolean> {
  const row = await db
    .selectFrom("pharmapi_credentials")
    .select(["secret_hash", "enabled"])
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  return row !== undefined && row.enabled === 1 && (await verifySecret(secret, row.secret_hash));
}

/** Disables the pair with this token (the command line's way to close the demo pair). */
export async function disablePharmApiToken(db: Executor, token: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("pharmapi_credentials")
    .set({ enabled: 0, updated_at: now })
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
