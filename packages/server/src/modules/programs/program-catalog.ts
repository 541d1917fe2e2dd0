/**
 * Programs and their compiled engines, cached per process. A cached program is trusted for
 * REFRESH_MS; after that one cheap read of its version decides whether the rules are reloaded, so a
 * change made in the cabinet reaches every server process within seconds.
 */

import type { RefundPolicy } from "@kopilka/contract";
import { createBasicEngine } from "../../core/engine/basic-engine.js";
import type { PricingEngine } from "../../core/engine/types.js";
import type { Database, Executor } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import type { Clock } from "../../kernel/index.js";
import { ruleFromRow } from "./rules.js";

const REFRESH_MS = 5_000;

export interface Program {
  id: number;
  partnerId: number;
  code: string;
  name: string;
  kind: string;
  holdDays: number;
  cancelWindowMinutes: number;
  purchaseTtlSeconds: number;
  maxPointsPaymentShareBp: number;
  pointsLifetimeDays: number | null;
  version: number;
  refundPolicy: RefundPolicy;
}

export interface LoadedProgram {
  program: Program;
  engine: PricingEngine;
}

export function programFromRow(row: Row<"programs">): Program {
  return {
    id: row.id,
    partnerId: row.partner_id,
    code: row.code,
    name: row.name,
    kind: row.kind,
    holdDays: row.hold_days,
    cancelWindowMinutes: row.cancel_window_minutes,
    purchaseTtlSeconds: row.purchase_ttl_seconds,
    maxPointsPaymentShareBp: row.max_points_payment_share_bp,
    pointsLifetimeDays: row.points_lifetime_days,
    version: row.version,
    refundPolicy: row.refund_policy as RefundPolicy,
  };
}

interface Entry {
  loaded: LoadedProgram;
  checkedAt: number;
}

export class ProgramCatalog {
  private readonly entries = new Map<number, Entry>();
  private readonly defaults = new Map<number, { programId: number | null; checkedAt: number }>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * Inside a transaction, pass it as `db`: on SQLite the transaction holds the only connection, and on
   * PostgreSQL a second pooled connection per transaction can exhaust the pool.
   */
  async get(programId: number, db: Executor = this.database.db): Promise<LoadedProgram | null> {
    const now = this.clock.now();
    const cached = this.entries.get(programId);
    if (cached && now - cached.checkedAt < REFRESH_MS) return cached.loaded;
    const row = await db.selectFrom("programs").selectAll().where("id", "=", programId).executeTakeFirst();
    if (!row) {
      this.entries.delete(programId);
      return null;
    }
    if (cached && cached.loaded.program.version === row.version) {
      cached.checkedAt = now;
      return cached.loaded;
    }
    const rules = await db
      .selectFrom("rules")
      .selectAll()
      .where("program_id", "=", programId)
      .where("active", "=", 1)
      .orderBy("id")
      .execute();
    const program = programFromRow(row);
    const loaded = {
      program,
      engine: createBasicEngine(rules.map(ruleFromRow), {
        maxPointsPaymentShareBp: program.maxPointsPaymentShareBp,
      }),
    };
    this.entries.set(programId, { loaded, checkedAt: now });
    return loaded;
  }

  /** The partner's active programs and their terms, as the POS lists them. */
  async listActive(partnerId: number): Promise<Program[]> {
    const rows = await this.database.db
      .selectFrom("programs")
      .selectAll()
      .where("partner_id", "=", partnerId)
      .where("active", "=", 1)
      .orderBy("id")
      .execute();
    return rows.map(programFromRow);
  }

  /** The partner's loyalty program used for receipts without a card (its discounts still apply). */
  async defaultFor(partnerId: number): Promise<LoadedProgram | null> {
    const now = this.clock.now();
    let cached = this.defaults.get(partnerId);
    if (!cached || now - cached.checkedAt >= REFRESH_MS) {
      const row = await this.database.db
        .selectFrom("programs")
        .select("id")
        .where("partner_id", "=", partnerId)
        .where("kind", "=", "loyalty")
        .where("active", "=", 1)
        .orderBy("id")
        .executeTakeFirst();
      cached = { programId: row?.id ?? null, checkedAt: now };
      this.defaults.set(partnerId, cached);
    }
    return cached.programId === null ? null : this.get(cached.programId);
  }
}
