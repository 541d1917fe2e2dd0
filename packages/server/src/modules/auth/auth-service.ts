import { randomBytes } from "node:crypto";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import type { Clock, Principal } from "../../kernel/index.js";
import { hashSecret, verifySecret } from "../../kernel/secret-hash.js";
import { type LoginLimits, loginSubjects, type Throttle } from "../throttle/index.js";
import { issueToken, type TokenClaims, verifyToken } from "./token.js";

/** Tokens remembered as verified; beyond this many (more than a chain's tills), the memory starts over. */
const MAX_VERIFIED_TOKENS = 20_000;

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
  /** Tokens issued before this (epoch ms) are void: the secret was rotated. */
  rotatedAt: number | null;
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
  /**
   * Tokens whose signature was checked, with their claims: a till sends the same token with every
   * request, and the HMAC is the larger part of authenticating it. Keyed by the whole token, so only that
   * exact string skips the hash; its expiry is still checked on every request.
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    private readonly database: Database,
    private readonly key: string,
    private readonly clock: Clock,
    private readonly tokenTtlSeconds: number,
    private readonly cacheTtlMs: number,
    private readonly throttle: Throttle,
    private readonly limits: LoginLimits,
  ) {}

  /**
   * Login and secret → token. Throttled per login and per client address: a locked login is refused
   * with RATE_LIMITED before its secret is checked, even the right one. An unknown login, a wrong secret
   * and a disabled credential answer alike and count alike.
   */
  async issue(login: string, secret: string, address: string | null = null): Promise<IssuedToken> {
    const subjects = loginSubjects("pos", login, address, this.limits);
    const recorded = await this.throttle.check(subjects);
    const row = await this.database.db
      .selectFrom("pos_credentials")
      .select(["id", "partner_id", "secret_hash", "enabled"])
      .where("login", "=", login)
      .executeTakeFirst();
    const valid = await verifySecret(secret, row?.secret_hash ?? (await decoy()));
    if (!row || !valid || row.enabled !== 1) {
      await this.throttle.recordFailure(subjects);
      throw new DomainError("INVALID_CREDENTIALS", "login or secret is wrong, or the credential is disabled");
    }
    if (recorded.has(subjects[0]!)) await this.throttle.clear(subjects[0]!);
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + this.tokenTtlSeconds;
    return {
      accessToken: issueToken({ cid: row.id, pid: row.partner_id, exp, iat }, this.key),
      tokenType: "Bearer",
      expiresAt: new Date(exp * 1000).toISOString(),
      expiresIn: this.tokenTtlSeconds,
    };
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const match = authorization?.match(/^Bearer\s+(\S+)$/i);
    if (!match)
      throw new DomainError("UNAUTHORIZED", "a bearer token is required", { field: "authorization" });
    const claims = this.verifiedClaims(match[1]!);
    const { principal, rotatedAt } = await this.credential(claims.cid);
    if (!principal || principal.partnerId !== claims.pid) {
      throw new DomainError("UNAUTHORIZED", "the credential behind this token is disabled", {
        field: "authorization",
      });
    }
    // Seconds resolution: a token issued in the second of the rotation survives it.
    if (rotatedAt !== null && (claims.iat ?? 0) < Math.floor(rotatedAt / 1000)) {
      throw new DomainError("UNAUTHORIZED", "the secret of this credential was rotated; get a new token", {
        field: "authorization",
        reason: "rotated",
      });
    }
    return principal;
  }

  private verifiedClaims(token: string): TokenClaims {
    const now = this.clock.now();
    let claims = this.verified.get(token);
    if (claims === undefined) {
      const check = verifyToken(token, this.key, now);
      if (!check.ok) {
        const message = check.reason === "expired" ? "the token has expired" : "the token is not valid";
        throw new DomainError("UNAUTHORIZED", message, { field: "authorization", reason: check.reason });
      }
      claims = check.claims;
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, claims);
    } else if (claims.exp * 1000 <= now) {
      this.verified.delete(token);
      throw new DomainError("UNAUTHORIZED", "the token has expired", {
        field: "authorization",
        reason: "expired",
      });
    }
    return claims;
  }

  private async credential(id: number): Promise<CachedCredential> {
    const now = this.clock.now();
    const cached = this.cache.get(id);
    if (cached && now - cached.checkedAt < this.cacheTtlMs) return cached;
    const row = await this.database.db
      .selectFrom("pos_credentials")
      .select(["id", "partner_id", "store_id", "login", "enabled", "secret_rotated_at"])
      .where("id", "=", id)
      .executeTakeFirst();
    const principal =
      row && row.enabled === 1
        ? { credentialId: row.id, partnerId: row.partner_id, storeId: row.store_id, login: row.login }
        : null;
    const entry = { principal, rotatedAt: row?.secret_rotated_at ?? null, checkedAt: now };
    this.cache.set(id, entry);
    return entry;
  }
}
