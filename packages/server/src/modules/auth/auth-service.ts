import { randomBytes } from "node:crypto";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import type { Clock, Principal } from "../../kernel/index.js";
import { hashSecret, verifySecret } from "./secret-hash.js";
import { issueToken, verifyToken } from "./token.js";

const TOKEN_KEY_SETTING = "token_secret";

/** The HMAC key: TOKEN_SECRET when set, otherwise one generated once and shared through the database. */
export async function resolveTokenKey(database: Database, configured: string | null): Promise<string> {
  if (configured) return configured;
  await database.db
    .insertInto("server_settings")
    .values({ key: TOKEN_KEY_SETTING, value: randomBytes(32).toString("base64url") })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await database.db
    .selectFrom("server_settings")
    .select("value")
    .where("key", "=", TOKEN_KEY_SETTING)
    .executeTakeFirstOrThrow();
  return row.value;
}

interface CachedCredential {
  principal: Principal | null;
  checkedAt: number;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: "Bearer";
  expiresAt: string;
  expiresIn: number;
}

// Compared against when the login is unknown, so a wrong login costs as long as a wrong secret.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashSecret(randomBytes(16).toString("hex"));
  return decoyHash;
};

export class AuthService {
  private readonly cache = new Map<number, CachedCredential>();

  constructor(
    private readonly database: Database,
    private readonly key: string,
    private readonly clock: Clock,
    private readonly tokenTtlSeconds: number,
    private readonly cacheTtlMs: number,
  ) {}

  async issue(login: string, secret: string): Promise<IssuedToken> {
    const row = await this.database.db
      .selectFrom("pos_credentials")
      .select(["id", "partner_id", "secret_hash", "enabled"])
      .where("login", "=", login)
      .executeTakeFirst();
    const valid = await verifySecret(secret, row?.secret_hash ?? (await decoy()));
    if (!row || !valid || row.enabled !== 1) {
      throw new DomainError("INVALID_CREDENTIALS", "login or secret is wrong, or the credential is disabled");
    }
    const exp = Math.floor(this.clock.now() / 1000) + this.tokenTtlSeconds;
    return {
      accessToken: issueToken({ cid: row.id, pid: row.partner_id, exp }, this.key),
      tokenType: "Bearer",
      expiresAt: new Date(exp * 1000).toISOString(),
      expiresIn: this.tokenTtlSeconds,
    };
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match)
      throw new DomainError("UNAUTHORIZED", "a bearer token is required", { field: "authorization" });
    const check = verifyToken(match[1]!, this.key, this.clock.now());
    if (!check.ok) {
      const message = check.reason === "expired" ? "the token has expired" : "the token is not valid";
      throw new DomainError("UNAUTHORIZED", message, { field: "authorization", reason: check.reason });
    }
    const principal = await this.credential(check.claims.cid);
    if (!principal || principal.partnerId !== check.claims.pid) {
      throw new DomainError("UNAUTHORIZED", "the credential behind this token is disabled", {
        field: "authorization",
      });
    }
    return principal;
  }

  private async credential(id: number): Promise<Principal | null> {
    const now = this.clock.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.checkedAt < this.cacheTtlMs) return cached.principal;
    const row = await this.database.db
      .selectFrom("pos_credentials")
      .select(["id", "partner_id", "store_id", "login", "enabled"])
      .where("id", "=", id)
      .executeTakeFirst();
    const principal =
      row && row.enabled === 1
        ? { credentialId: row.id, partnerId: row.partner_id, storeId: row.store_id, login: row.login }
        : null;
    this.cache.set(id, { principal, checkedAt: now });
    return principal;
  }
}
