/**
 * Bearer tokens are self-contained and HMAC-signed: verifying one costs a hash, not a database read.
 * Revocation is handled by re-checking the credential's enabled flag at most AUTH_CACHE_TTL_MS apart.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface TokenClaims {
  /** credential id */
  cid: number;
  /** partner id */
  pid: number;
  /** expiry, epoch seconds */
  exp: number;
  /** issued at, epoch seconds (absent in tokens issued before secret rotation existed) */
  iat?: number;
}

const PREFIX = "kp1";

function sign(body: string, key: string): string {
  return createHmac("sha256", key).update(body).digest("base64url");
}

export function issueToken(claims: TokenClaims, key: string): string {
  const body = `${PREFIX}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${sign(body, key)}`;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: "malformed" | "signature" | "expired" };

export function verifyToken(token: string, key: string, nowMs: number): TokenCheck {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: "malformed" };
  const body = `${parts[0]}.${parts[1]}`;
  const expected = Buffer.from(sign(body, key));
  const actual = Buffer.from(parts[2]!);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return { ok: false, reason: "signature" };
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as TokenClaims;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (
    !Number.isSafeInteger(claims.cid) ||
    !Number.isSafeInteger(claims.pid) ||
    !Number.isSafeInteger(claims.exp) ||
    (claims.iat !== undefined && !Number.isSafeInteger(claims.iat))
  ) {
    return { ok: false, reason: "malformed" };
  }
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}
