/**
 * Programs and their compiled rule engines, cached per process and invalidated by version, never re-read
 * per request. Every program or rule change moves one global counter (`programs_version` in
 * `server_settings`) in its transaction; a process reads that counter at most every VERSION_CHECK_MS
 * (one indexed single-row read shared by all partners), and only when it moved re-reads the versions of
 * the programs it holds, recompiling those that changed. So a change made in the cabinet reaches every
 * process within VERSION_CHECK_MS plus one compile, without a restart.
 *
 * A program version is exact and immutable: `program_versions` records the rule versions and the pricing
 * terms of each, so `atVersion` rebuilds the engine a purchase was priced with (late confirm of a lost
 * purchase), however the rules changed since.
 */

import type { AntiFraudCaps, RefundPolicy, RuleDefinition } from "@kopilka/contract";
import { compileRules } from "../../core/rules/engine.js";
import type { RuleEngine } from "../../core/rules/types.js";
import { OwnMoves } from "../../infra/db/change-counter.js";
import type { Database, Executor } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import type { Clock } from "../../kernel/index.js";
import {
  type DiscountRounding,
  PROGRAMS_VERSION_KEY,
  type PricingTerms,
  readProgramsVersion,
} from "./programs.js";

/** How stale a process may be about programs and rules, at most (plus one compile). */
export const VERSION_CHECK_MS = 250;
/** Names the rule engine in a purchase's rules version; with the program version it is exact. */
export const RULE_ENGINE_ID = "rules-1";
const HISTORIC_CACHE_SIZE = 16;

export interface Program {
  id: number;
  partnerId: number;
  code: string;
  name: string;
  kind: string;
  active: boolean;
  holdDays: number;
  cancelWindowMinutes: number;
  purchaseTtlSeconds: number;
  maxPointsPaymentShareBp: number;
  pointsLifetimeDays: number | null;
  version: number;
  refundPolicy: RefundPolicy;
  discountRounding: DiscountRounding;
  maxLineDiscountBp: number;
  maxReceiptDiscountBp: number;
  /** Anti-fraud caps (modules/anti-fraud); null when the program has none. */
  antiFraud: AntiFraudCaps | null;
}

export interface LoadedProgram {
  program: Program;
  /** The program version these rules and terms belong to (the program's current one, or an older one). */
  version: number;
  engine: RuleEngine;
  terms: PricingTerms;
  /** The active rule definitions of this version, by priority then id (POS listing, simulate). */
  rules: readonly RuleDefinition[];
  /** Whether any rule reads the card's purchase history (so pricing can skip the query). */
  needsHistory: boolean;
  /** Whether a rule reads the card holder's attributes (loaded per receipt only then). */
  needsClient: boolean;
  /** `rules-1/<program id>/<version>`: recorded on the purchase, echoed by a late confirm. */
  rulesVersion: string;
}

export function programFromRow(row: Row<"programs">): Program {
  return {
    id: row.id,
    partnerId: row.partner_id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    active: row.active === 1,
    holdDays: row.hold_days,
    cancelWindowMinutes: row.cancel_window_minutes,
    purchaseTtlSeconds: row.purchase_ttl_seconds,
    maxPointsPaymentShareBp: row.max_points_payment_share_bp,
    pointsLifetimeDays: row.points_lifetime_days,
    version: row.version,
    refundPolicy: row.refund_policy as RefundPolicy,
    discountRounding: row.discount_rounding as DiscountRounding,
    maxLineDiscountBp: row.max_line_discount_bp,
    maxReceiptDiscountBp: row.max_receipt_discount_bp,
    antiFraud: antiFraudOf(row.anti_fraud),
  };
}

/** The stored caps, or null when none is set (so the purchase commands skip the checks at once). */
function antiFraudOf(stored: string | null): AntiFraudCaps | null {
  if (stored === null) return null;
  const caps = JSON.parse(stored) as AntiFraudCaps;
  return Object.values(caps).some((v) => v !== null) ? caps : null;
}

export function rulesVersionOf(programId: number, version: number): string {
  return `${RULE_ENGINE_ID}/${programId}/${version}`;
}

/**
 * The program and version a rules version names. Purchases priced before rule versions name the basic
 * engine (`basic-1/<program>/<version>`): the migration recorded that version's rules, converted by the
 * adapter, which reproduces the basic engine's results.
 */
export function parseRulesVersion(value: string): { programId: number; version: number } | null {
  const m = /^(?:rules-1|basic-1)\/([0-9]{1,15})\/([0-9]{1,9})$/.exec(value);
  return m ? { programId: Number(m[1]), version: Number(m[2]) } : null;
}

/** The rule set and terms of one program version, compiled. */
export async function loadProgramVersion(
  db: Executor,
  program: Program,
  version: number,
): Promise<LoadedProgram | null> {
  const snapshot = await db
    .selectFrom("program_versions")
    .select(["rules", "terms"])
    .where("program_id", "=", program.id)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!snapshot) return null;
  const pairs = JSON.parse(snapshot.rules) as [number, number][];
  const terms = JSON.parse(snapshot.terms) as PricingTerms;
  const wanted = new Map(pairs);
  const definitions: RuleDefinition[] = [];
  if (pairs.length > 0) {
    const rows = await db
      .selectFrom("rule_versions")
      .innerJoin("rules", "rules.id", "rule_versions.rule_id")
      .select(["rule_versions.rule_id", "rule_versions.version", "rule_versions.definition"])
      .where("rules.program_id", "=", program.id)
      .execute();
    for (const row of rows)
      if (wanted.get(Number(row.rule_id)) === row.version)
        definitions.push(JSON.parse(row.definition) as RuleDefinition);
  }
  const engine = compileRules(definitions, {
    // Points payment is capped per receipt by the program's share (below), as the basic engine did; a
    // rule may only lower a line's share.
    maxPointsPaymentShareBp: 10_000,
    discountRounding: terms.discountRounding,
    maxLineDiscountBp: terms.maxLineDiscountBp,
    maxReceiptDiscountBp: terms.maxReceiptDiscountBp,
  });
  definitions.sort((a, b) => b.priority - a.priority || a.id - b.id);
  return {
    program,
    version,
    engine,
    terms,
    rules: definitions,
    needsHistory: engine.requiredHistoryFacts().length > 0,
    needsClient: engine.needsClientFacts(),
    rulesVersion: rulesVersionOf(program.id, version),
  };
}

interface Entry {
  loaded: LoadedProgram;
  /** The global counter this entry was last confirmed current under. */
  seen: string;
}

const USABLE_DISCOUNT_PROGRAMS = `select id from (
    select id, 0 as offered from programs where partner_id = ? and kind = 'discount' and active = 1
    union all
    select id, 1 as offered from programs
      where id in (select program_id from program_participants where partner_id = ?)
      and kind = 'discount' and active = 1
  ) usable order by offered, id`;

export class ProgramCatalog {
  private readonly entries = new Map<number, Entry>();
  private readonly historic = new Map<string, LoadedProgram>();
  private readonly defaults = new Map<number, { programId: number | null; seen: string }>();
  private readonly partnerCodes = new Map<number, string>();
  private readonly usableDiscount = new Map<number, { ids: number[]; seen: string }>();
  private globalVersion: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<string> | null = null;
  /** This process's own moves of the counter, and the version known when the last one was seen. */
  private readonly ownMoves = new OwnMoves(PROGRAMS_VERSION_KEY);
  private versionAtMove: string | null = null;

  constructor(
    private readonly database: Database,
    _clock?: Clock,
    /** Tests may shorten or lengthen the poll; the monotonic clock times it, not the business clock. */
    private readonly checkEveryMs = VERSION_CHECK_MS,
  ) {}

  /** Forget what this process holds: the next read checks (a change made by this process calls it). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * The global counter, read at most every checkEveryMs. Reads on the pool are shared by concurrent
   * callers; a caller inside a transaction reads through its own transaction and never waits for a read
   * that needs another connection (on SQLite the transaction holds the only one, and on PostgreSQL
   * transactions waiting for a pooled read could hold every connection of the pool). What a transaction
   * reads is not kept: it may be a move not yet committed, and caches that read committed rows
   * (`defaultFor`, `usableDiscountProgramIds`) would keep rows from before it under its version.
   * After a move made by this process, the committed counter is read on every call until it has moved
   * (see ChangeWatch): the move is counted before its transaction commits.
   */
  private async currentVersion(db: Executor): Promise<string> {
    const t = performance.now();
    if (this.ownMoves.movedSince(t)) this.versionAtMove = this.globalVersion;
    if (db !== this.database.db) {
      const fresh =
        this.globalVersion !== null && t - this.checkedAt < this.checkEveryMs && !this.ownMoves.watching(t);
      return fresh ? this.globalVersion! : readProgramsVersion(db);
    }
    const remember = (v: string) => {
      this.globalVersion = v;
      this.checkedAt = t;
      if (v !== this.versionAtMove) this.ownMoves.seenCommitted();
      return v;
    };
    if (this.ownMoves.watching(t)) return remember(await readProgramsVersion(db));
    if (this.globalVersion !== null && t - this.checkedAt < this.checkEveryMs) return this.globalVersion;
    if (!this.checking) {
      this.checking = readProgramsVersion(db)
        .then(remember)
        .finally(() => {
          this.checking = null;
        });
    }
    return this.checking;
  }

  /**
   * The program's current version, compiled. Inside a transaction, pass it as `db`: on SQLite the
   * transaction holds the only connection, and on PostgreSQL a second pooled connection per transaction
   * can exhaust the pool.
   */
  async get(programId: number, db: Executor = this.database.db): Promise<LoadedProgram | null> {
    const seen = await this.currentVersion(db);
    const cached = this.entries.get(programId);
    if (cached && cached.seen === seen) return cached.loaded;
    const row = await db.selectFrom("programs").selectAll().where("id", "=", programId).executeTakeFirst();
    if (!row) {
      this.entries.delete(programId);
      return null;
    }
    const program = programFromRow(row);
    if (cached && cached.loaded.version === program.version) {
      cached.seen = seen;
      // Terms that do not change pricing (hold days, active) may still have changed.
      cached.loaded = { ...cached.loaded, program };
      return cached.loaded;
    }
    const loaded = await loadProgramVersion(db, program, program.version);
    if (!loaded) return null;
    this.entries.set(programId, { loaded, seen });
    return loaded;
  }

  /** An exact earlier (or the current) version of a program: what a purchase was priced with. */
  async atVersion(
    programId: number,
    version: number,
    db: Executor = this.database.db,
  ): Promise<LoadedProgram | null> {
    const current = await this.get(programId, db);
    if (!current) return null;
    if (current.version === version) return current;
    const key = `${programId}/${version}`;
    const hit = this.historic.get(key);
    if (hit) return hit;
    const loaded = await loadProgramVersion(db, current.program, version);
    if (loaded) {
      if (this.historic.size >= HISTORIC_CACHE_SIZE)
        this.historic.delete(this.historic.keys().next().value as string);
      this.historic.set(key, loaded);
    }
    return loaded;
  }

  /** The partner's active programs, compiled (the POS lists them with their rules). */
  async listActive(partnerId: number): Promise<LoadedProgram[]> {
    const rows = await this.database.db
      .selectFrom("programs")
      .select("id")
      .where("partner_id", "=", partnerId)
      .where("active", "=", 1)
      .orderBy("id")
      .execute();
    const out: LoadedProgram[] = [];
    for (const r of rows) {
      const loaded = await this.get(r.id);
      if (loaded) out.push(loaded);
    }
    return out;
  }

  /** The partner's loyalty program used for receipts without a card (its discounts still apply). */
  async defaultFor(partnerId: number): Promise<LoadedProgram | null> {
    const seen = await this.currentVersion(this.database.db);
    let cached = this.defaults.get(partnerId);
    if (!cached || cached.seen !== seen) {
      const row = await this.database.db
        .selectFrom("programs")
        .select("id")
        .where("partner_id", "=", partnerId)
        .where("kind", "=", "loyalty")
        .where("active", "=", 1)
        .orderBy("id")
        .executeTakeFirst();
      cached = { programId: row?.id ?? null, seen };
      this.defaults.set(partnerId, cached);
    }
    return cached.programId === null ? null : this.get(cached.programId);
  }

  /**
   * The active discount programs a partner may use, by id: its own first, then those it takes part in.
   * Every PharmApi call asks; a change of a program or of its participants moves the global counter.
   */
  async usableDiscountProgramIds(partnerId: number): Promise<readonly number[]> {
    const seen = await this.currentVersion(this.database.db);
    const cached = this.usableDiscount.get(partnerId);
    if (cached && cached.seen === seen) return cached.ids;
    const rows = await this.database.prepareRead<{ id: number }>(USABLE_DISCOUNT_PROGRAMS)([
      partnerId,
      partnerId,
    ]);
    const ids = rows.map((r) => Number(r.id));
    this.usableDiscount.set(partnerId, { ids, seen });
    return ids;
  }

  /** A partner's code (immutable once created), for rules that name partners. */
  async partnerCode(partnerId: number, db: Executor = this.database.db): Promise<string> {
    let code = this.partnerCodes.get(partnerId);
    if (code === undefined) {
      const row = await db
        .selectFrom("partners")
        .select("code")
        .where("id", "=", partnerId)
        .executeTakeFirstOrThrow();
      code = row.code;
      this.partnerCodes.set(partnerId, code);
    }
    return code;
  }
}
