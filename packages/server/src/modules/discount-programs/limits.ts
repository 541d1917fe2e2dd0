/**
 * Per-card quantity limits of discount programs, kept honest under any concurrency:
 *
 * - pricing reads the card's live holds (`limitFacts`, no lock) and the engine gives each line what the
 *   remaining quota allows;
 * - calculate's transaction (`reserveLimits`) locks the card's row of `discount_limit_locks` (insert if
 *   absent, then an UPDATE, which PostgreSQL holds until commit; SQLite runs one writer at a time), drops
 *   the purchase's earlier reservations, counts the live holds again and inserts the new ones. When a
 *   concurrent purchase took the quota since pricing, `DiscountLimitTaken` rolls back and calculate prices
 *   again (`withDiscountLimitRetry`): the engine then answers code 3 or 301 for the line, so calculate
 *   never fails for a limit and the limit is never exceeded;
 * - confirm consumes the lines' reservations (`consumeLimits`); one that was released (a cancel before an
 *   alternating re-confirm) or that lapsed is taken again under the same lock and count, or the confirm is
 *   refused with DISCOUNT_LIMIT_EXHAUSTED;
 * - cancel, expiry and a hanging confirm release them (`releaseLimits`).
 *
 * A hold counts while it is consumed, or reserved and not past its purchase's expiry. Limits count per
 * card number and program, so one card used at two chains of the program shares its quota.
 * Lock order: purchase row → the card's limit row → points account.
 */
import { sql } from "kysely";
import type { LimitFact } from "../../core/rules/discount-program.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { rawRows, textPerCount } from "../../infra/db/raw.js";
import { DomainError } from "../../kernel/errors.js";
import { QuotaTakenConcurrently } from "../../kernel/repricing.js";
import type { CompiledDiscountProgram } from "./compiled.js";

/** Consumed holds never lapse. */
const NEVER = 8_640_000_000_000_000;
export class DiscountLimitTaken extends QuotaTakenConcurrently {
  constructor(readonly limitId: string) {
    super(`the quota of limit ${limitId} was taken by a concurrent purchase`);
  }
}

/** A row of LIVE_HOLDS. */
export interface LiveHold {
  limit_id: string;
  packs: number;
  counted_at: number;
  purchase_id: number;
}

/**
 * The condition of the card's partial index (`discount_limit_holds_live`), as literal SQL. SQLite uses a
 * partial index only when the query states its condition with the same constants: `state = ?`, an OR of
 * states or `state in (?, ?)` do not count, and the card's holds were then found by reading the whole
 * table on every get_discount.
 */
const IN_CARD_INDEX = sql<boolean>`state in ('reserved', 'consumed')`;

/** The card's live holds (consumed, or reserved and not lapsed), its condition written as the index's. */
export const LIVE_HOLDS = `select limit_id, packs, counted_at, purchase_id from discount_limit_holds
  where program_id = ? and card_number = ? and state in ('reserved', 'consumed')
  and (state = 'consumed' or expires_at > ?)`;

const liveHoldOf = (r: LiveHold): LiveHold => ({
  limit_id: r.limit_id,
  packs: Number(r.packs),
  counted_at: Number(r.counted_at),
  purchase_id: Number(r.purchase_id),
});

/** In the caller's transaction (under the card's lock). */
async function liveHolds(trx: Trx, programId: number, cardNumber: string, now: number): Promise<LiveHold[]> {
  return (await rawRows<LiveHold>(trx, LIVE_HOLDS, [programId, cardNumber, now])).map(liveHoldOf);
}

/** What counting a card's holds needs of a program: its limits and the engine's periods. */
type LimitedProgram = Pick<CompiledDiscountProgram, "definition" | "engine">;

/** Packs counted against each limit in its current period, without the holds of the purchases in `except`. */
function usedByLimit(
  program: LimitedProgram,
  holds: readonly LiveHold[],
  now: number,
  timeZone: string,
  except: ReadonlySet<number>,
): Map<string, number> {
  const used = new Map<string, number>();
  for (const limit of program.definition.limits) {
    const window = program.engine.limitWindow(limit.id, now, timeZone);
    let packs = 0;
    for (const h of holds) {
      if (h.limit_id !== limit.id || except.has(h.purchase_id)) continue;
      if (window && (h.counted_at < window.from || h.counted_at >= window.to)) continue;
      packs += h.packs;
    }
    used.set(limit.id, packs);
  }
  return used;
}

const PURCHASE_ROW_ID = "select id from purchases where partner_id = ? and external_id = ?";

/**
 * The card's remaining quota per limit, for the engine: committed data read without a lock (reserveLimits
 * re-checks under the card's lock). Holds of `exceptPurchase` (the purchase priced again) and of the
 * purchases in `releasing` (which the calculation's own transaction releases first) do not count.
 */
export async function limitFacts(
  database: Database,
  program: CompiledDiscountProgram,
  cardNumber: string,
  now: number,
  timeZone: string,
  exceptPurchase: { partnerId: number; externalId: string } | null,
  releasing: readonly number[] = [],
): Promise<Record<string, LimitFact>> {
  if (program.definition.limits.length === 0) return {};
  const except = new Set(releasing);
  if (exceptPurchase) {
    const [row] = await database.prepareRead<{ id: number }>(PURCHASE_ROW_ID)([
      exceptPurchase.partnerId,
      exceptPurchase.externalId,
    ]);
    if (row) except.add(Number(row.id));
  }
  // Committed holds, read outside any transaction (the hot path's prepared reads).
  const rows = await database.prepareRead<LiveHold>(LIVE_HOLDS)([program.programId, cardNumber, now]);
  return remainingByLimit(program, rows, now, timeZone, except);
}

/** The remaining quota per limit, for the engine, from the card's LIVE_HOLDS rows. */
export function remainingByLimit(
  program: LimitedProgram,
  rows: readonly LiveHold[],
  now: number,
  timeZone: string,
  except: ReadonlySet<number> = new Set(),
): Record<string, LimitFact> {
  const used = usedByLimit(program, rows.map(liveHoldOf), now, timeZone, except);
  const facts: Record<string, LimitFact> = {};
  for (const limit of program.definition.limits)
    facts[limit.id] = { remaining: Math.max(0, limit.maxPacks - (used.get(limit.id) ?? 0)) };
  return facts;
}

const CREATE_CARD_LOCK = `insert into discount_limit_locks (program_id, card_number, touched_at) values (?, ?, ?)
  on conflict (program_id, card_number) do nothing`;
const TAKE_CARD_LOCK =
  "update discount_limit_locks set touched_at = ? where program_id = ? and card_number = ?";
const DROP_RESERVATIONS = "delete from discount_limit_holds where purchase_id = ? and state = 'reserved'";
const HOLD_COLUMNS = `program_id, card_number, limit_id, purchase_id, line_id, packs, state, counted_at, time_zone,
  expires_at, created_at, updated_at`;
/** The multi-row insert of `rows` reservations. */
const insertHoldsText = textPerCount(
  (rows) =>
    `insert into discount_limit_holds (${HOLD_COLUMNS}) values ${Array(rows)
      .fill("(?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?, ?, ?)")
      .join(", ")}`,
);

/** Locks the card's limits row for this transaction (created on first use). */
async function lockCard(trx: Trx, programId: number, cardNumber: string, now: number): Promise<void> {
  await rawRows(trx, CREATE_CARD_LOCK, [programId, cardNumber, now]);
  await rawRows(trx, TAKE_CARD_LOCK, [now, programId, cardNumber]);
}

export interface LineConsumption {
  lineId: string;
  consumption: readonly { limitId: string; packs: number }[];
}

export interface ReserveRequest {
  program: CompiledDiscountProgram;
  cardNumber: string;
  purchaseId: number;
  lines: readonly LineConsumption[];
  expiresAt: number;
  now: number;
  timeZone: string;
}

/**
 * Makes the purchase's reservations what this calculation takes: earlier ones are dropped (they were never
 * consumed: a purchase is recalculated only while nothing of it is confirmed), the new ones inserted after
 * the count is checked under the card's lock. Throws DiscountLimitTaken when the quota is gone.
 */
export async function reserveLimits(trx: Trx, request: ReserveRequest): Promise<void> {
  const { program, cardNumber, purchaseId, now } = request;
  if (program.definition.limits.length === 0) return;
  await lockCard(trx, program.programId, cardNumber, now);
  await rawRows(trx, DROP_RESERVATIONS, [purchaseId]);
  const wanted = new Map<string, number>();
  for (const line of request.lines)
    for (const c of line.consumption) wanted.set(c.limitId, (wanted.get(c.limitId) ?? 0) + c.packs);
  if (wanted.size === 0) return;
  const used = usedByLimit(
    program,
    await liveHolds(trx, program.programId, cardNumber, now),
    now,
    request.timeZone,
    new Set([purchaseId]),
  );
  for (const limit of program.definition.limits) {
    const packs = wanted.get(limit.id) ?? 0;
    if (packs > 0 && (used.get(limit.id) ?? 0) + packs > limit.maxPacks)
      throw new DiscountLimitTaken(limit.id);
  }
  const parameters: unknown[] = [];
  let rows = 0;
  for (const line of request.lines)
    for (const c of line.consumption) {
      rows++;
      parameters.push(
        program.programId,
        cardNumber,
        c.limitId,
        purchaseId,
        line.lineId,
        c.packs,
        now,
        request.timeZone,
        request.expiresAt,
        now,
        now,
      );
    }
  if (rows > 0) await rawRows(trx, insertHoldsText(rows), parameters);
}

export interface ConsumeRequest {
  purchaseId: number;
  /** The lines confirmed; null: all. */
  lineIds: readonly string[] | null;
  /** The program version the purchase was priced with (its limits). */
  program: CompiledDiscountProgram | null;
  now: number;
}

/**
 * Turns the lines' holds into consumed ones. A live reservation is simply consumed; a released or lapsed
 * one is counted again under the card's lock, and a confirm that would exceed a limit is refused.
 */
export async function consumeLimits(trx: Trx, request: ConsumeRequest): Promise<void> {
  const { purchaseId, now } = request;
  let query = trx
    .selectFrom("discount_limit_holds")
    .select([
      "id",
      "program_id",
      "card_number",
      "limit_id",
      "line_id",
      "packs",
      "state",
      "expires_at",
      "time_zone",
    ])
    .where("purchase_id", "=", purchaseId)
    .where("state", "!=", "consumed");
  if (request.lineIds)
    query = query.where("line_id", "in", request.lineIds.length > 0 ? [...request.lineIds] : [""]);
  const holds = await query.orderBy("id").execute();
  if (holds.length === 0) return;
  const live = holds.filter((h) => h.state === "reserved" && Number(h.expires_at) > now);
  const retaken = holds.filter((h) => !(h.state === "reserved" && Number(h.expires_at) > now));
  if (retaken.length > 0) {
    const program = request.program;
    const first = retaken[0]!;
    if (!program) throw new Error(`purchase ${purchaseId} has limit holds but no discount program version`);
    await lockCard(trx, Number(first.program_id), first.card_number, now);
    const used = usedByLimit(
      program,
      await liveHolds(trx, Number(first.program_id), first.card_number, now),
      now,
      first.time_zone,
      new Set(),
    );
    const wanted = new Map<string, number>();
    for (const h of retaken) wanted.set(h.limit_id, (wanted.get(h.limit_id) ?? 0) + h.packs);
    for (const limit of program.definition.limits) {
      const packs = wanted.get(limit.id) ?? 0;
      if (packs > 0 && (used.get(limit.id) ?? 0) + packs > limit.maxPacks)
        throw new DomainError("DISCOUNT_LIMIT_EXHAUSTED", `the card's limit ${limit.id} is used up`, {
          field: "lines",
          limitId: limit.id,
        });
    }
  }
  await trx
    .updateTable("discount_limit_holds")
    .set({ state: "consumed", counted_at: now, expires_at: NEVER, updated_at: now })
    .where(
      "id",
      "in",
      [...live, ...retaken].map((h) => Number(h.id)),
    )
    .execute();
}

const RELEASE_HOLDS = `update discount_limit_holds set state = 'released', updated_at = ?
  where purchase_id = ? and state in ('reserved', 'consumed')`;
const releaseLinesText = textPerCount(
  (lines) => `${RELEASE_HOLDS} and line_id in (${Array(lines).fill("?").join(", ")})`,
);

/** Releases the lines' holds (reserved or consumed); null lines: all of the purchase. */
export async function releaseLimits(
  trx: Trx,
  purchaseId: number,
  lineIds: readonly string[] | null,
  now: number,
): Promise<void> {
  if (!lineIds) {
    await rawRows(trx, RELEASE_HOLDS, [now, purchaseId]);
    return;
  }
  const named = lineIds.length > 0 ? lineIds : [""];
  await rawRows(trx, releaseLinesText(named.length), [now, purchaseId, ...named]);
}

/** Consumed packs of a card per limit in the current period (the admin API and tests read it). */
export async function consumedPacks(
  db: Executor,
  programId: number,
  cardNumber: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("discount_limit_holds")
    .select(["limit_id", "packs"])
    .where("program_id", "=", programId)
    .where("card_number", "=", cardNumber)
    .where(IN_CARD_INDEX)
    .where("state", "=", "consumed")
    .execute();
  const out: Record<string, number> = {};
  for (const r of rows) out[r.limit_id] = (out[r.limit_id] ?? 0) + r.packs;
  return out;
}

/** Whether a purchase was priced by a discount program (only those have limit holds). */
export function pricedByDiscountProgram(rulesVersion: string | null): boolean {
  return rulesVersion?.startsWith("discount-1/") === true;
}
