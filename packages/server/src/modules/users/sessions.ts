/**
 * Cabinet sessions, kept server-side so that logout, a password change and disabling a user end them at
 * once on every server process. The token is 256 random bits handed to the client once; only its
 * SHA-256 is stored. A browser session (kind "cookie") also has a CSRF token, stored hashed the same way,
 * that every unsafe request must echo in a header; a script's session (kind "bearer") needs none, since
 * a browser never attaches a bearer token by itself.
 *
 * A session ends when unused for the idle timeout or at its absolute end, whichever comes first.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database, Executor } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { hashSecret, verifySecret } from "../../kernel/secret-hash.js";
import { type LoginLimits, loginSubjects, type Throttle } from "../throttle/index.js";
import { findUserByEmail, type UserRecord, userFromRow } from "./users.js";

export type SessionKind = "cookie" | "bearer";

export interface SessionSettings {
  idleSeconds: number;
  maxSeconds: number;
  limits: LoginLimits;
}

export interface OpenedSession {
  sessionId: number;
  kind: SessionKind;
  /** Shown to the client once. */
  token: string;
  /** Cookie sessions only, shown once. */
  csrfToken: string | null;
  /** The absolute end, epoch ms. */
  expiresAt: number;
  idleTimeoutSeconds: number;
  user: UserRecord;
}

export interface ActiveSession {
  sessionId: number;
  kind: SessionKind;
  csrfHash: string | null;
  expiresAt: number;
  user: UserRecord;
}

const TOKEN_PREFIX = "kas_";

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

// Compared against when the e-mail is unknown, so an unknown e-mail costs as long as a wrong password.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashSecret(randomBytes(16).toString("hex"));
  return decoyHash;
};

/** Ends every open session of a user but one (the one that changed the password), in the caller's transaction. */
export async function endSessions(
  db: Executor,
  userId: number,
  now: number,
  exceptSessionId?: number,
): Promise<void> {
  let q = db
    .updateTable("admin_sessions")
    .set({ ended_at: now })
    .where("user_id", "=", userId)
    .where("ended_at", "is", null);
  if (exceptSessionId !== undefined) q = q.where("id", "!=", exceptSessionId);
  await q.execute();
}

export class SessionService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly throttle: Throttle,
    private readonly settings: SessionSettings,
  ) {}

  get idleTimeoutSeconds(): number {
    return this.settings.idleSeconds;
  }

  /**
   * E-mail and password → a session. Throttled per e-mail and per address like POS logins: a locked
   * e-mail is refused with RATE_LIMITED even with the right password. An unknown e-mail, a wrong
   * password and a disabled user answer alike.
   */
  async login(
    email: string,
    password: string,
    address: string | null,
    kind: SessionKind,
  ): Promise<OpenedSession> {
    const subjects = loginSubjects("cabinet", email.trim().toLowerCase(), address, this.settings.limits);
    const recorded = await this.throttle.check(subjects);
    const found = await findUserByEmail(this.database.db, email);
    const valid = await verifySecret(password, found?.passwordHash ?? (await decoy()));
    if (!found || !valid || !found.user.enabled) {
      await this.throttle.recordFailure(subjects);
      throw new DomainError(
        "WRONG_EMAIL_OR_PASSWORD",
        "the e-mail or the password is wrong, or the user is disabled",
      );
    }
    if (recorded.has(subjects[0]!)) await this.throttle.clear(subjects[0]!);
    return this.open(found.user, address, kind);
  }

  /** Opens a session for a user whose password was already checked. */
  async open(user: UserRecord, address: string | null, kind: SessionKind): Promise<OpenedSession> {
    const now = this.clock.now();
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const csrfToken = kind === "cookie" ? randomBytes(32).toString("base64url") : null;
    const expiresAt = now + this.settings.maxSeconds * 1000;
    const row = await this.database.db
      .insertInto("admin_sessions")
      .values({
        token_hash: digest(token),
        csrf_hash: csrfToken === null ? null : digest(csrfToken),
        user_id: user.id,
        kind,
        address,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        ended_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      sessionId: row.id,
      kind,
      token,
      csrfToken,
      expiresAt,
      idleTimeoutSeconds: this.settings.idleSeconds,
      user,
    };
  }

  /** The session behind a token, or UNAUTHORIZED (unknown, ended, user disabled) / SESSION_EXPIRED. */
  async authenticate(token: string): Promise<ActiveSession> {
    const now = this.clock.now();
    const row = await this.database.db
      .selectFrom("admin_sessions")
      .innerJoin("users", "users.id", "admin_sessions.user_id")
      .selectAll("users")
      .select([
        "admin_sessions.id as session_id",
        "admin_sessions.kind",
        "admin_sessions.csrf_hash",
        "admin_sessions.last_seen_at",
        "admin_sessions.expires_at",
        "admin_sessions.ended_at",
      ])
      .where("admin_sessions.token_hash", "=", digest(token))
      .executeTakeFirst();
    if (!row || row.ended_at !== null || row.enabled !== 1) {
      throw new DomainError("UNAUTHORIZED", "the session is not valid or has ended", {
        field: "authorization",
        reason: row ? "ended" : "unknown",
      });
    }
    const idleMs = this.settings.idleSeconds * 1000;
    if (now >= row.expires_at || now - row.last_seen_at >= idleMs) {
      throw new DomainError("SESSION_EXPIRED", "the session has expired; log in again", {
        field: "authorization",
        reason: now >= row.expires_at ? "absolute" : "idle",
      });
    }
    // Activity is written at most once a minute (or a tenth of the idle timeout): an admin page firing
    // a dozen reads should not cost a dozen durable writes.
    if (now - row.last_seen_at >= Math.min(60_000, idleMs / 10)) {
      await this.database.db
        .updateTable("admin_sessions")
        .set({ last_seen_at: now })
        .where("id", "=", row.session_id)
        .execute();
    }
    return {
      sessionId: row.session_id,
      kind: row.kind as SessionKind,
      csrfHash: row.csrf_hash,
      expiresAt: row.expires_at,
      user: userFromRow(row),
    };
  }

  /** Whether the presented CSRF token is the session's (constant time). */
  csrfMatches(session: ActiveSession, presented: string | undefined): boolean {
    if (session.csrfHash === null || !presented) return false;
    const expected = Buffer.from(session.csrfHash);
    const actual = Buffer.from(digest(presented));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  async end(sessionId: number): Promise<void> {
    await this.database.db
      .updateTable("admin_sessions")
      .set({ ended_at: this.clock.now() })
      .where("id", "=", sessionId)
      .where("ended_at", "is", null)
      .execute();
  }
}
