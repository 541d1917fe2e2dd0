/**
 * Throttling of password guessing, shared by every login (cabinet users, POS credentials) and by every
 * server process: the counters live in the database. A name (an e-mail, a POS login, an address) that
 * fails `maxFailures` times within `windowMs` is locked for `lockMs`; while locked every attempt, right or
 * wrong, is refused with RATE_LIMITED before any secret is checked. Names are stored hashed.
 */
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Database } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** One throttled name: `scope` keeps the POS login "x" apart from the cabinet e-mail "x". */
export interface ThrottleSubject {
  scope: string;
  name: string;
  policy: ThrottlePolicy;
}

function keyOf(subject: ThrottleSubject): string {
  return createHash("sha256").update(`${subject.scope}\u0000${subject.name}`).digest("base64url");
}

export class Throttle {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Throws RATE_LIMITED, with the seconds to wait, when any of the subjects is locked. Otherwise says
   * which subjects have failures on record (so a success clears only what exists, without a write).
   */
  async check(subjects: readonly ThrottleSubject[]): Promise<Set<ThrottleSubject>> {
    const now = this.clock.now();
    const keys = subjects.map(keyOf);
    const rows = await this.database.db
      .selectFrom("throttle_counters")
      .select(["key", "locked_until"])
      .where("key", "in", keys)
      .execute();
    const until = Math.max(0, ...rows.map((r) => Number(r.locked_until)));
    if (until > now) {
      const retryAfterSeconds = Math.max(1, Math.ceil((until - now) / 1000));
      throw new DomainError("RATE_LIMITED", "too many failed attempts; locked for a while", {
        retryAfterSeconds,
      });
    }
    const recorded = new Set(rows.map((r) => r.key));
    return new Set(subjects.filter((_, i) => recorded.has(keys[i]!)));
  }

  /**
   * Counts one failure against each subject in one atomic statement per subject, so concurrent failures
   * on several processes all count. A window that has passed, or a lock that has ended, starts afresh.
   */
  async recordFailure(subjects: readonly ThrottleSubject[]): Promise<void> {
    const now = this.clock.now();
    for (const subject of subjects) {
      const { maxFailures, windowMs, lockMs } = subject.policy;
      const fresh = sql`(throttle_counters.window_started_at <= ${now - windowMs} or (throttle_counters.locked_until > 0 and throttle_counters.locked_until <= ${now}))`;
      const failures = sql`case when ${fresh} then 1 else throttle_counters.failures + 1 end`;
      await sql`
        insert into throttle_counters (key, failures, window_started_at, locked_until, updated_at)
        values (${keyOf(subject)}, 1, ${now}, ${maxFailures <= 1 ? now + lockMs : 0}, ${now})
        on conflict (key) do update set
          failures = ${failures},
          window_started_at = case when ${fresh} then cast(${now} as bigint) else throttle_counters.window_started_at end,
          locked_until = case
            when ${failures} >= ${maxFailures} then cast(${now + lockMs} as bigint)
            when ${fresh} then 0
            else throttle_counters.locked_until end,
          updated_at = cast(${now} as bigint)
      `.execute(this.database.db);
    }
    // Counters of names nobody has failed with for a day are of no use; dropping them keeps the table small.
    await this.database.db
      .deleteFrom("throttle_counters")
      .where("updated_at", "<", now - 86_400_000)
      .where("locked_until", "<", now)
      .execute();
  }

  /** A success forgets the failures of the name (not of the address it came from). */
  async clear(subject: ThrottleSubject): Promise<void> {
    await this.database.db.deleteFrom("throttle_counters").where("key", "=", keyOf(subject)).execute();
  }
}

/** The limits of every login: per name (e-mail, POS login) and per client address. */
export interface LoginLimits {
  perName: ThrottlePolicy;
  perAddress: ThrottlePolicy;
}

/** The subjects of one login attempt; the name comes first (a success clears it). */
export function loginSubjects(
  scope: string,
  name: string,
  address: string | null,
  limits: LoginLimits,
): ThrottleSubject[] {
  const subjects: ThrottleSubject[] = [{ scope: `${scope}:name`, name, policy: limits.perName }];
  if (address) subjects.push({ scope: `${scope}:address`, name: address, policy: limits.perAddress });
  return subjects;
}
