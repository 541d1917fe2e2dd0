/**
 * Card levels of a program: the levels (code, name, threshold), how the program counts the base (purchase
 * amount or points earned, over the last N days or the calendar year), upgrades (at confirm, or asked by
 * the till: check, or check and apply) and downgrades at the end of a period (a sweeper job). The card's
 * level stays in cards.level, written through the cards module; every change is logged in
 * card_level_changes. Levels carry their rules through the engine's `card_levels` condition.
 */
import {
  availableMessageRu,
  currentWindow,
  DEFAULT_LEVEL_SETTINGS,
  downgradeFor,
  endedWindow,
  type LevelDef,
  type LevelSettings,
  levelFor,
  nextLevel,
  periodKeyOf,
  rankOf,
  sortLevels,
  upgradeFor,
  upgradeMessageRu,
  type Window,
} from "../../core/levels.js";
import { type Database, type Executor, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { type Actor, recordAudit } from "../audit/index.js";
import { cardLevelOf, findCard, setCardLevel } from "../cards/index.js";
import { lockAccount } from "../points/index.js";
import { findProgramId } from "../programs/index.js";
import { cardTotals } from "./card-totals.js";

export interface PartnerRef {
  id: number;
  code: string;
}

export async function settingsOf(db: Executor, programId: number): Promise<LevelSettings> {
  const row = await db
    .selectFrom("level_settings")
    .selectAll()
    .where("program_id", "=", programId)
    .executeTakeFirst();
  if (!row) return DEFAULT_LEVEL_SETTINGS;
  return {
    basis: row.basis as LevelSettings["basis"],
    period: row.period_kind as LevelSettings["period"],
    periodDays: row.period_days,
    downgrade: row.downgrade as LevelSettings["downgrade"],
    upgradeAtConfirm: row.upgrade_at_confirm === 1,
  };
}

export async function levelsOf(db: Executor, programId: number): Promise<LevelDef[]> {
  const rows = await db
    .selectFrom("card_levels")
    .select(["code", "name", "threshold"])
    .where("program_id", "=", programId)
    .execute();
  return sortLevels(rows);
}

/** The card's base over a window, in the program's unit, plus what this purchase adds (at confirm). */
async function baseOf(
  db: Executor,
  settings: LevelSettings,
  cardId: number,
  window: Window,
  extra = { amount: 0, accrued: 0 },
): Promise<number> {
  const totals = await cardTotals(db, cardId, window.from, window.to);
  return settings.basis === "points_earned" ? totals.accrued + extra.accrued : totals.amount + extra.amount;
}

async function logChange(
  trx: Trx,
  change: {
    cardId: number;
    from: string | null;
    to: string | null;
    reason: "confirm" | "request" | "downgrade";
    base: number;
    purchaseId: number | null;
    now: number;
  },
): Promise<void> {
  await setCardLevel(trx, change.cardId, change.to, change.now);
  await trx
    .insertInto("card_level_changes")
    .values({
      card_id: change.cardId,
      from_level: change.from,
      to_level: change.to,
      reason: change.reason,
      base: change.base,
      purchase_id: change.purchaseId,
      created_at: change.now,
    })
    .execute();
}

export interface LevelChange {
  from: string | null;
  to: string | null;
  name: string;
  message: string;
}

/**
 * The confirm hook: when the till asked (`upgradeLevel`) or the program upgrades at every confirm, moves
 * the card up to the level its base reaches with this purchase. Runs in confirm's transaction after the
 * points account is locked (which serializes confirms of one card).
 */
export async function levelAfterConfirm(
  trx: Trx,
  request: {
    cardId: number;
    programId: number | null;
    purchaseId: number;
    requested: boolean;
    thisPurchase: { amount: number; accrued: number };
    now: number;
  },
): Promise<LevelChange | null> {
  if (request.programId === null) return null;
  const settings = await settingsOf(trx, request.programId);
  if (!request.requested && !settings.upgradeAtConfirm) return null;
  const levels = await levelsOf(trx, request.programId);
  if (levels.length === 0) return null;
  const current = await cardLevelOf(trx, request.cardId);
  const window = currentWindow(settings, request.now);
  const base = await baseOf(trx, settings, request.cardId, window, request.thisPurchase);
  const to = upgradeFor(levels, current, base);
  if (!to) return null;
  await logChange(trx, {
    cardId: request.cardId,
    from: current,
    to: to.code,
    reason: "confirm",
    base,
    purchaseId: request.purchaseId,
    now: request.now,
  });
  return { from: current, to: to.code, name: to.name, message: upgradeMessageRu(to) };
}

export interface UpgradeAnswer {
  number: string;
  level: string | null;
  previousLevel: string | null;
  eligible: LevelDef | null;
  upgradeAvailable: boolean;
  upgraded: boolean;
  base: number;
  next: (LevelDef & { missing: number }) | null;
  message: string;
}

const levelView = (l: LevelDef | null) => (l ? { code: l.code, name: l.name, threshold: l.threshold } : null);

export class LevelService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** The till's level upgrade: what the card qualifies for, and with `apply` the move itself. */
  async upgrade(partnerId: number, number: string, apply: boolean): Promise<UpgradeAnswer> {
    const card = await findCard(this.database.db, partnerId, number);
    if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
    if (apply && card.status === "blocked") {
      throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "number" });
    }
    return this.database.transaction(async (trx) => {
      const now = this.clock.now();
      // The account lock serializes this with the card's confirms (which may upgrade it too).
      await lockAccount(this.database, trx, card.id);
      const settings = await settingsOf(trx, card.programId);
      const levels = await levelsOf(trx, card.programId);
      const current = await cardLevelOf(trx, card.id);
      const base = await baseOf(trx, settings, card.id, currentWindow(settings, now));
      const target = upgradeFor(levels, current, base);
      const next = nextLevel(levels, base);
      let upgraded = false;
      if (apply && target) {
        await logChange(trx, {
          cardId: card.id,
          from: current,
          to: target.code,
          reason: "request",
          base,
          purchaseId: null,
          now,
        });
        upgraded = true;
      }
      return {
        number: card.number,
        level: upgraded && target ? target.code : current,
        previousLevel: current,
        eligible: levelView(levelFor(levels, base)),
        upgradeAvailable: target !== null,
        upgraded,
        base,
        next: next ? { ...levelView(next)!, missing: next.missing } : null,
        message: upgraded && target ? upgradeMessageRu(target) : availableMessageRu(target, next),
      };
    });
  }

  // ---- the cabinet --------------------------------------------------------------------------------

  private async programId(db: Executor, partner: PartnerRef, programCode: string): Promise<number> {
    const id = await findProgramId(db, partner.id, programCode);
    if (id === null) {
      throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} owns no program ${programCode}`, {
        field: "programCode",
      });
    }
    return id;
  }

  private async views(db: Executor, programId: number) {
    const rows = await db.selectFrom("card_levels").selectAll().where("program_id", "=", programId).execute();
    const sorted = [...rows].sort((a, b) => a.threshold - b.threshold);
    return sorted.map((r, i) => ({
      code: r.code,
      name: r.name,
      threshold: r.threshold,
      rank: i + 1,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  async list(partner: PartnerRef, programCode: string) {
    const programId = await this.programId(this.database.db, partner, programCode);
    return {
      items: await this.views(this.database.db, programId),
      settings: await settingsOf(this.database.db, programId),
    };
  }

  private async audited<T>(
    actor: Actor,
    partner: PartnerRef,
    entityId: string,
    action: string,
    work: (trx: Trx, now: number) => Promise<{ result: T; before: unknown; after: unknown }>,
  ): Promise<T> {
    try {
      return await this.database.transaction(async (trx) => {
        const now = this.clock.now();
        const done = await work(trx, now);
        if (JSON.stringify(done.before) !== JSON.stringify(done.after)) {
          await recordAudit(
            trx,
            actor,
            {
              partnerId: partner.id,
              entityType: "card_level",
              entityId,
              action,
              before: done.before,
              after: done.after,
            },
            now,
          );
        }
        return done.result;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("LEVEL_EXISTS", "a level with this code or threshold exists", {
          field: "code",
        });
      }
      throw error;
    }
  }

  async create(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    input: { code: string; name: string; threshold: number },
  ) {
    return this.audited(actor, partner, `${programCode}/${input.code}`, "create", async (trx, now) => {
      const programId = await this.programId(trx, partner, programCode);
      await trx
        .insertInto("card_levels")
        .values({ program_id: programId, ...input, created_at: now, updated_at: now })
        .execute();
      const view = (await this.views(trx, programId)).find((l) => l.code === input.code)!;
      return { result: view, before: null, after: view };
    });
  }

  private async levelRow(trx: Trx, programId: number, code: string) {
    const row = await trx
      .selectFrom("card_levels")
      .selectAll()
      .where("program_id", "=", programId)
      .where("code", "=", code)
      .executeTakeFirst();
    if (!row) throw new DomainError("LEVEL_NOT_FOUND", `no level ${code}`, { field: "levelCode" });
    return row;
  }

  async update(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    code: string,
    patch: { name?: string; threshold?: number },
  ) {
    return this.audited(actor, partner, `${programCode}/${code}`, "update", async (trx, now) => {
      const programId = await this.programId(trx, partner, programCode);
      await this.levelRow(trx, programId, code);
      const before = (await this.views(trx, programId)).find((l) => l.code === code)!;
      await trx
        .updateTable("card_levels")
        .set({ ...patch, updated_at: now })
        .where("program_id", "=", programId)
        .where("code", "=", code)
        .execute();
      const after = (await this.views(trx, programId)).find((l) => l.code === code)!;
      const same = before.name === after.name && before.threshold === after.threshold;
      return { result: same ? before : after, before, after: same ? before : after };
    });
  }

  /** Removes a level; cards keep the string (it ranks 0 from now on, so the program never moves it down). */
  async remove(actor: Actor, partner: PartnerRef, programCode: string, code: string) {
    return this.audited(actor, partner, `${programCode}/${code}`, "delete", async (trx) => {
      const programId = await this.programId(trx, partner, programCode);
      await this.levelRow(trx, programId, code);
      const before = (await this.views(trx, programId)).find((l) => l.code === code)!;
      await trx
        .deleteFrom("card_levels")
        .where("program_id", "=", programId)
        .where("code", "=", code)
        .execute();
      return { result: { ok: true as const }, before, after: null };
    });
  }

  async putSettings(actor: Actor, partner: PartnerRef, programCode: string, settings: LevelSettings) {
    return this.audited(actor, partner, `${programCode}/settings`, "update-settings", async (trx, now) => {
      const programId = await this.programId(trx, partner, programCode);
      const before = await settingsOf(trx, programId);
      const values = {
        basis: settings.basis,
        period_kind: settings.period,
        period_days: settings.periodDays,
        downgrade: settings.downgrade,
        upgrade_at_confirm: settings.upgradeAtConfirm ? 1 : 0,
        updated_at: now,
      };
      await trx
        .insertInto("level_settings")
        .values({ program_id: programId, ...values })
        .onConflict((oc) => oc.column("program_id").doUpdateSet(values))
        .execute();
      return { result: settings, before, after: settings };
    });
  }
}

/**
 * The downgrade job (sweeper): in programs that downgrade at the end of a period, each card with a level
 * is reviewed once per period. The first time a card is seen only marks it (a level given before the
 * program counted is not taken away on the spot); at each later period it falls to the level its base over
 * the ended period reaches. The review row is claimed with a conditional write, so several processes
 * review each card once. Returns how many cards were reviewed.
 */
export async function reviewLevels(database: Database, now: number, batch: number): Promise<number> {
  const programs = await database.db
    .selectFrom("level_settings")
    .select("program_id")
    .where("downgrade", "=", "period_end")
    .execute();
  let reviewed = 0;
  for (const { program_id: programId } of programs) {
    const settings = await settingsOf(database.db, programId);
    const key = periodKeyOf(settings, now);
    const due = await database.db
      .selectFrom("cards as c")
      .leftJoin("card_level_reviews as r", "r.card_id", "c.id")
      .select("c.id")
      .where("c.program_id", "=", programId)
      .where("c.level", "is not", null)
      .where((eb) => eb.or([eb("r.period_key", "is", null), eb("r.period_key", "<>", key)]))
      .orderBy("c.id")
      .limit(batch)
      .execute();
    if (due.length === 0) continue;
    const levels = await levelsOf(database.db, programId);
    for (const { id: cardId } of due) {
      reviewed += await database.transaction(async (trx) => {
        await lockAccount(database, trx, cardId);
        const fresh = await trx
          .insertInto("card_level_reviews")
          .values({ card_id: cardId, period_key: key, reviewed_at: now })
          .onConflict((oc) => oc.column("card_id").doNothing())
          .returning("card_id")
          .executeTakeFirst();
        if (fresh) return 1;
        const claimed = await trx
          .updateTable("card_level_reviews")
          .set({ period_key: key, reviewed_at: now })
          .where("card_id", "=", cardId)
          .where("period_key", "<>", key)
          .returning("card_id")
          .executeTakeFirst();
        if (!claimed) return 0;
        const current = await cardLevelOf(trx, cardId);
        if (rankOf(levels, current) === 0) return 1;
        const base = await baseOf(trx, settings, cardId, endedWindow(settings, now));
        const to = downgradeFor(levels, current, base);
        if (to !== undefined) {
          await logChange(trx, {
            cardId,
            from: current,
            to: to?.code ?? null,
            reason: "downgrade",
            base,
            purchaseId: null,
            now,
          });
        }
        return 1;
      });
    }
  }
  return reviewed;
}

/** A card's level changes, newest first. */
export async function levelHistory(db: Executor, cardId: number, limit = 50) {
  const rows = await db
    .selectFrom("card_level_changes")
    .selectAll()
    .where("card_id", "=", cardId)
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    from: r.from_level,
    to: r.to_level,
    reason: r.reason,
    base: r.base,
    at: new Date(r.created_at).toISOString(),
  }));
}
