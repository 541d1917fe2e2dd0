/**
 * The cards and POS credentials that hit a cap: one row per partner, day, program, cap and subject, its
 * count raised by each refusal or trimmed accrual. The admin API lists a day's.
 */

import { dayNumberOfIsoDate } from "../../core/rules/local-time.js";
import type { Database, Executor } from "../../infra/db/database.js";
import { sharedProgramIds } from "../programs/index.js";
import { AntiFraudRefusal, type CapHit } from "./usage.js";

/** Told of every hit once its transaction committed (the Prometheus counter). */
export type CapHitListener = (cap: string) => void;

export async function recordHit(db: Executor, hit: CapHit, now: number): Promise<void> {
  await db
    .insertInto("anti_fraud_hits")
    .values({
      partner_id: hit.partnerId,
      program_id: hit.programId,
      cap: hit.cap,
      subject_kind: hit.subjectKind,
      subject_id: hit.subjectId,
      day: hit.day,
      hits: 1,
      last_at: now,
    })
    .onConflict((oc) =>
      oc
        .columns(["partner_id", "day", "program_id", "cap", "subject_kind", "subject_id"])
        .doUpdateSet((eb) => ({ hits: eb("anti_fraud_hits.hits", "+", 1), last_at: now })),
    )
    .execute();
}

/**
 * Runs a purchase command; when a cap refuses it, the hit is written in a transaction of its own (the
 * command's one rolled back) and the refusal goes on to the caller.
 */
export async function recordingRefusedHits<T>(
  database: Database,
  now: number,
  listener: CapHitListener | undefined,
  command: () => Promise<T>,
): Promise<T> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof AntiFraudRefusal) {
      const hit = error.hit;
      await database.transaction((trx) => recordHit(trx, hit, now));
      listener?.(hit.cap);
    }
    throw error;
  }
}

export interface HitView {
  programCode: string;
  programName: string;
  /** The program's owner: the viewer, or the partner that offers it to the viewer. */
  programOwnerCode: string;
  /** The partner whose POS ran into the cap: a participant's, on a program the viewer owns and shares. */
  partnerCode: string;
  cap: string;
  subject: "card" | "credential";
  cardNumber: string | null;
  login: string | null;
  hits: number;
  lastAt: string;
}

/**
 * A local day's hits (YYYY-MM-DD) that the partner may see, most frequent first: those at its own POS,
 * whatever program, and those under the programs it owns at its participants' POS (the owner sets the
 * caps), as with purchases.
 */
export async function hitsOfDay(db: Executor, partnerId: number, isoDay: string): Promise<HitView[]> {
  const shared = await sharedProgramIds(db, partnerId);
  const rows = await db
    .selectFrom("anti_fraud_hits as h")
    .innerJoin("programs as p", "p.id", "h.program_id")
    .innerJoin("partners as o", "o.id", "p.partner_id")
    .innerJoin("partners as s", "s.id", "h.partner_id")
    .leftJoin("cards as c", (j) => j.onRef("c.id", "=", "h.subject_id").on("h.subject_kind", "=", "card"))
    .leftJoin("pos_credentials as k", (j) =>
      j.onRef("k.id", "=", "h.subject_id").on("h.subject_kind", "=", "credential"),
    )
    .select([
      "p.code as program_code",
      "p.name as program_name",
      "o.code as owner_code",
      "s.code as partner_code",
      "h.cap",
      "h.subject_kind",
      "c.number",
      "k.login",
      "h.hits",
      "h.last_at",
    ])
    .where("h.day", "=", dayNumberOfIsoDate(isoDay))
    .where((eb) =>
      shared.length === 0
        ? eb("h.partner_id", "=", partnerId)
        : eb.or([eb("h.partner_id", "=", partnerId), eb("h.program_id", "in", shared)]),
    )
    .orderBy("h.hits", "desc")
    .orderBy("h.id")
    .execute();
  return rows.map((r) => ({
    programCode: r.program_code,
    programName: r.program_name,
    programOwnerCode: r.owner_code,
    partnerCode: r.partner_code,
    cap: r.cap,
    subject: r.subject_kind as "card" | "credential",
    cardNumber: r.number ?? null,
    login: r.login ?? null,
    hits: Number(r.hits),
    lastAt: new Date(Number(r.last_at)).toISOString(),
  }));
}

/** What the admin surface asks of the anti-fraud module. */
export class AntiFraudService {
  constructor(private readonly database: Database) {}

  /** The cards and POS credentials that hit a cap on a local day, with their counts. */
  hits(partnerId: number, day: string): Promise<HitView[]> {
    return hitsOfDay(this.database.db, partnerId, day);
  }
}
