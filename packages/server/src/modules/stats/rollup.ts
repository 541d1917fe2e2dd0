/**
 * The dashboard's roll-up: folds what happened since a watermark into hourly figures. Three streams, each
 * read in id order past its own watermark:
 *
 * - `purchase_events`: a confirm (or an operator's confirm of a hanging purchase) adds the purchase; a
 *   refund takes off its amount, the points it returned and reversed, and its share of the discount; a
 *   cancel after confirm takes off what is left of the purchase. Figures land in the hour of the event.
 * - `ledger_entries`: expired points, per program.
 * - `clients`: new clients, per program.
 *
 * One transaction per step: a batch is read past the watermark and folded into deltas outside it; then the
 * transaction locks the watermark row (PostgreSQL; SQLite has one writer anyway), checks it has not moved,
 * adds the deltas to the hourly rows and moves the watermark to the last id read (purchase events that
 * change no figure, calculations mostly, are read and passed over), all committed together.
 * A process whose batch another one wrote meanwhile finds the watermark moved and writes nothing, so a
 * step is never counted twice, and a step that fails leaves nothing behind.
 *
 * Ids are handed out before commit, so on PostgreSQL a transaction still open may commit an id below one
 * already visible. A step therefore stops at the first row younger than `settleMs`: a row older than that
 * whose transaction had not committed would be missed. Every command that writes these rows commits within
 * milliseconds; the default settle time is ten seconds. Nothing here runs in the purchase commands.
 */
import { sql } from "kysely";
import { mulDivFloor } from "../../core/arithmetic.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { linesOfReceiptText } from "../purchases/index.js";
import "./tables.js";

export const STATS_SETTLE_MS = 10_000;
const HOUR = 3_600_000;
const BATCH = 1_000;
/** Store 0 holds the partner's total over its stores; program 0 purchases and clients of no program. */
export const ALL_STORES = 0;
export const NO_PROGRAM = 0;

export type StatsStream = "purchase_events" | "ledger_entries" | "clients";

export interface RollUpResult {
  purchaseEvents: number;
  ledgerEntries: number;
  clients: number;
}

interface PurchaseFigures {
  purchases: number;
  sales: number;
  discount: number;
  points_accrued: number;
  points_spent: number;
  refunds: number;
  refunded: number;
}

const FIGURES: (keyof PurchaseFigures)[] = [
  "purchases",
  "sales",
  "discount",
  "points_accrued",
  "points_spent",
  "refunds",
  "refunded",
];

interface EventRow {
  id: number;
  purchase_id: number;
  kind: string;
  data: string | null;
  created_at: number;
  partner_id: number;
  program_id: number | null;
  store_id: number;
  card_id: number | null;
  total: number;
  discount_total: number;
  refunded_amount: number;
  receipt: string;
}

interface ReceiptLine {
  lineId: string;
  discount: number;
  total: number;
  discountRuleId?: number | null;
  discounts?: { ruleId: number; amount: number }[];
}

/** Deltas of one roll-up step, keyed by the target row; written at the end of the step. */
class Deltas {
  readonly hourly = new Map<string, { key: number[]; figures: PurchaseFigures }>();
  readonly rules = new Map<string, { key: number[]; discount: number; lines: number }>();
  readonly programs = new Map<string, { key: number[]; points_expired: number; new_clients: number }>();

  purchase(row: EventRow, at: number, change: Partial<PurchaseFigures>): void {
    const hour = at - (at % HOUR);
    const program = row.program_id ?? NO_PROGRAM;
    const withCard = row.card_id === null ? 0 : 1;
    for (const store of [row.store_id, ALL_STORES]) {
      const key = [row.partner_id, store, hour, program, withCard];
      const id = key.join(":");
      let entry = this.hourly.get(id);
      if (!entry) {
        entry = {
          key,
          figures: {
            purchases: 0,
            sales: 0,
            discount: 0,
            points_accrued: 0,
            points_spent: 0,
            refunds: 0,
            refunded: 0,
          },
        };
        this.hourly.set(id, entry);
      }
      for (const name of FIGURES) entry.figures[name] += change[name] ?? 0;
    }
  }

  rule(row: EventRow, at: number, ruleId: number, discount: number, lines: number): void {
    if (discount === 0 && lines === 0) return;
    const hour = at - (at % HOUR);
    const program = row.program_id ?? NO_PROGRAM;
    for (const store of [row.store_id, ALL_STORES]) {
      const key = [row.partner_id, store, hour, program, ruleId];
      const id = key.join(":");
      const entry = this.rules.get(id) ?? { key, discount: 0, lines: 0 };
      entry.discount += discount;
      entry.lines += lines;
      this.rules.set(id, entry);
    }
  }

  program(partnerId: number, programId: number, at: number, change: { expired?: number; clients?: number }) {
    const hour = at - (at % HOUR);
    const key = [partnerId, hour, programId];
    const id = key.join(":");
    const entry = this.programs.get(id) ?? { key, points_expired: 0, new_clients: 0 };
    entry.points_expired += change.expired ?? 0;
    entry.new_clients += change.clients ?? 0;
    this.programs.set(id, entry);
  }

  async write(trx: Trx): Promise<void> {
    const add = (table: string, columns: string[]) =>
      Object.fromEntries(
        columns.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]),
      );
    for (const chunk of chunks([...this.hourly.values()])) {
      await trx
        .insertInto("stats_hourly")
        .values(
          chunk.map(({ key, figures }) => ({
            partner_id: key[0]!,
            store_id: key[1]!,
            hour: key[2]!,
            program_id: key[3]!,
            with_card: key[4]!,
            ...figures,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["partner_id", "store_id", "hour", "program_id", "with_card"])
            .doUpdateSet(add("stats_hourly", FIGURES)),
        )
        .execute();
    }
    for (const chunk of chunks([...this.rules.values()])) {
      await trx
        .insertInto("stats_rule_hourly")
        .values(
          chunk.map(({ key, discount, lines }) => ({
            partner_id: key[0]!,
            store_id: key[1]!,
            hour: key[2]!,
            program_id: key[3]!,
            rule_id: key[4]!,
            discount,
            lines,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["partner_id", "store_id", "hour", "program_id", "rule_id"])
            .doUpdateSet(add("stats_rule_hourly", ["discount", "lines"])),
        )
        .execute();
    }
    for (const chunk of chunks([...this.programs.values()])) {
      await trx
        .insertInto("stats_program_hourly")
        .values(
          chunk.map(({ key, points_expired, new_clients }) => ({
            partner_id: key[0]!,
            hour: key[1]!,
            program_id: key[2]!,
            points_expired,
            new_clients,
          })),
        )
        .onConflict((oc) =>
          oc
            .columns(["partner_id", "hour", "program_id"])
            .doUpdateSet(add("stats_program_hourly", ["points_expired", "new_clients"])),
        )
        .execute();
    }
  }
}

function chunks<T>(items: T[], size = 200): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The part of `amount` that `refunded` of `total` accounts for, rounded down (so the parts add up exactly). */
function shareOf(amount: number, refunded: number, total: number): number {
  if (total <= 0 || amount <= 0 || refunded <= 0) return 0;
  return mulDivFloor(amount, Math.min(refunded, total), total);
}

function ruleDiscounts(lines: ReceiptLine[]): Map<number, { discount: number; lines: number }> {
  const out = new Map<number, { discount: number; lines: number }>();
  for (const line of lines) {
    const parts =
      line.discounts ??
      (line.discountRuleId != null && line.discount > 0
        ? [{ ruleId: line.discountRuleId, amount: line.discount }]
        : []);
    for (const part of parts) {
      if (part.amount === 0) continue;
      const entry = out.get(part.ruleId) ?? { discount: 0, lines: 0 };
      entry.discount += part.amount;
      entry.lines += 1;
      out.set(part.ruleId, entry);
    }
  }
  return out;
}

const linesOf = (row: EventRow): ReceiptLine[] => linesOfReceiptText(row.receipt);

const data = (row: EventRow): Record<string, unknown> =>
  row.data ? (JSON.parse(row.data) as Record<string, unknown>) : {};

const int = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

async function watermarkOf(executor: Executor, stream: StatsStream, lock: Database | null): Promise<number> {
  const query = executor.selectFrom("stats_watermarks").select("position").where("stream", "=", stream);
  const row = await (lock ? lock.forUpdate(query) : query).executeTakeFirst();
  if (!row) throw new Error(`stats watermark ${stream} missing`);
  return Number(row.position);
}

async function moveWatermark(trx: Trx, stream: StatsStream, position: number, now: number): Promise<void> {
  await trx
    .updateTable("stats_watermarks")
    .set({ position, updated_at: now })
    .where("stream", "=", stream)
    .execute();
}

/** Adds a confirmed purchase (all of it, or the lines a line-state confirm names). */
async function confirmed(reader: Executor, deltas: Deltas, row: EventRow, event: Record<string, unknown>) {
  const targets = Array.isArray(event.lines) ? new Set(event.lines as string[]) : null;
  const accrued = int(event.accrued);
  const spent = int(event.spent);
  if (targets === null) {
    deltas.purchase(row, row.created_at, {
      purchases: 1,
      sales: row.total,
      discount: row.discount_total,
      points_accrued: accrued,
      points_spent: spent,
    });
    for (const [ruleId, r] of ruleDiscounts(linesOf(row)))
      deltas.rule(row, row.created_at, ruleId, r.discount, r.lines);
    return;
  }
  // A discount program confirms lines one call at a time: the purchase counts once, at its first confirm.
  const earlier = await reader
    .selectFrom("purchase_events")
    .select("id")
    .where("purchase_id", "=", row.purchase_id)
    .where("kind", "in", ["confirmed", "resolved"])
    .where("id", "<", row.id)
    .limit(1)
    .executeTakeFirst();
  const lines = linesOf(row).filter((l) => targets.has(l.lineId));
  deltas.purchase(row, row.created_at, {
    purchases: earlier ? 0 : 1,
    sales: lines.reduce((s, l) => s + l.total, 0),
    discount: lines.reduce((s, l) => s + l.discount, 0),
    points_accrued: accrued,
    points_spent: spent,
  });
  for (const [ruleId, r] of ruleDiscounts(lines))
    deltas.rule(row, row.created_at, ruleId, r.discount, r.lines);
}

async function refunded(reader: Executor, deltas: Deltas, row: EventRow, event: Record<string, unknown>) {
  const refundId = typeof event.refundId === "string" ? event.refundId : null;
  if (refundId === null) return;
  const refund = await reader
    .selectFrom("refunds")
    .select(["id", "amount", "points_returned", "accrual_reversed"])
    .where("purchase_id", "=", row.purchase_id)
    .where("external_id", "=", refundId)
    .executeTakeFirst();
  if (!refund) return;
  const before = await reader
    .selectFrom("refunds")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.lit(0)).as("amount"))
    .where("purchase_id", "=", row.purchase_id)
    .where("id", "<", refund.id)
    .executeTakeFirstOrThrow();
  const refundedBefore = Number(before.amount);
  const refundedAfter = refundedBefore + refund.amount;
  // Shares of the whole purchase's discount taken as differences of running shares: all refunds of a
  // purchase together take back exactly its discount, whatever the rounding of each.
  const taken = (amount: number) =>
    shareOf(amount, refundedAfter, row.total) - shareOf(amount, refundedBefore, row.total);
  deltas.purchase(row, row.created_at, {
    sales: -refund.amount,
    discount: -taken(row.discount_total),
    points_accrued: -refund.accrual_reversed,
    points_spent: -refund.points_returned,
    refunds: 1,
    refunded: refund.amount,
  });
  for (const [ruleId, r] of ruleDiscounts(linesOf(row)))
    deltas.rule(row, row.created_at, ruleId, -taken(r.discount), 0);
}

/** A cancel of a confirmed purchase takes back what its refunds left of it; one of a calculated one, nothing. */
function cancelled(deltas: Deltas, row: EventRow, event: Record<string, unknown>) {
  if (event.from !== "confirmed" && event.from !== "partially_refunded") return;
  const points = { points_accrued: -int(event.reversed), points_spent: -int(event.returned) };
  if (Array.isArray(event.lines)) {
    const targets = new Set(event.lines as string[]);
    const lines = linesOf(row).filter((l) => targets.has(l.lineId));
    deltas.purchase(row, row.created_at, {
      sales: -lines.reduce((s, l) => s + l.total, 0),
      discount: -lines.reduce((s, l) => s + l.discount, 0),
      ...points,
    });
    for (const [ruleId, r] of ruleDiscounts(lines))
      deltas.rule(row, row.created_at, ruleId, -r.discount, -r.lines);
    return;
  }
  const refundedBefore = row.refunded_amount;
  const left = (amount: number) => amount - shareOf(amount, refundedBefore, row.total);
  deltas.purchase(row, row.created_at, {
    purchases: -1,
    sales: -(row.total - refundedBefore),
    discount: -left(row.discount_total),
    ...points,
  });
  for (const [ruleId, r] of ruleDiscounts(linesOf(row)))
    deltas.rule(row, row.created_at, ruleId, -left(r.discount), -r.lines);
}

/**
 * The purchase events that change a figure. The others (mostly `calculated`, several per sale) are read
 * and passed over: the watermark moves past them, so that each step reads at most BATCH rows. Filtered in
 * the query instead, a step read every calculation since the last counted event, on the event loop, to
 * find a thousand it counts.
 */
const COUNTED_KINDS = new Set(["confirmed", "resolved", "refunded", "cancelled"]);

interface Collected {
  /** Rows that changed a figure. */
  taken: number;
  /** The id the watermark moves to: the last row read and not too young, counted or passed over. */
  last: number;
  deltas: Deltas;
}

interface StepResult {
  /** Rows this step counted. */
  taken: number;
  /** Whether the watermark moved (by this step or, meanwhile, by another process): there may be more. */
  moved: boolean;
}

/**
 * One step of a stream. The batch is read and folded outside any transaction (committed rows only), so
 * the write transaction is short: on SQLite it shares the single writer with the purchase commands. That
 * transaction locks the watermark and writes only if it still stands where the batch was read from.
 */
async function step(
  database: Database,
  stream: StatsStream,
  now: number,
  collect: (reader: Executor, position: number) => Promise<Collected>,
): Promise<StepResult> {
  const position = await watermarkOf(database.db, stream, null);
  const { taken, last, deltas } = await collect(database.db, position);
  if (last === position) return { taken: 0, moved: false };
  const written = await database.transaction(async (trx) => {
    if ((await watermarkOf(trx, stream, database)) !== position) return false;
    await deltas.write(trx);
    await moveWatermark(trx, stream, last, now);
    return true;
  });
  // Not written: another process took this batch meanwhile; the next step starts from where it left.
  return { taken: written ? taken : 0, moved: true };
}

/**
 * Takes rows in id order up to the first one younger than the settle time, applying those that `counts`
 * (every row, by default) and passing over the others.
 */
async function fold<R extends { id: number; created_at: number }>(
  rows: R[],
  position: number,
  cutoff: number,
  apply: (row: R, deltas: Deltas) => Promise<void> | void,
  counts: (row: R) => boolean = () => true,
): Promise<Collected> {
  const deltas = new Deltas();
  let last = position;
  let taken = 0;
  for (const row of rows) {
    if (row.created_at > cutoff) break;
    if (counts(row)) {
      await apply(row, deltas);
      taken++;
    }
    last = Number(row.id);
  }
  return { taken, last, deltas };
}

const purchaseEventsStep = (database: Database, now: number, settleMs: number) =>
  step(database, "purchase_events", now, async (reader, position) => {
    const rows = (await reader
      .selectFrom("purchase_events as e")
      .innerJoin("purchases as p", "p.id", "e.purchase_id")
      .select([
        "e.id",
        "e.purchase_id",
        "e.kind",
        "e.data",
        "e.created_at",
        "p.partner_id",
        "p.program_id",
        "p.store_id",
        "p.card_id",
        "p.total",
        "p.discount_total",
        "p.refunded_amount",
        // The receipt only for the events counted: the others are passed over.
        sql<string>`case when e.kind in (${sql.join([...COUNTED_KINDS])}) then p.receipt end`.as("receipt"),
      ])
      .where("e.id", ">", position)
      .orderBy("e.id")
      .limit(BATCH)
      .execute()) as EventRow[];
    return fold(
      rows,
      position,
      now - settleMs,
      async (row, deltas) => {
        const event = data(row);
        if (row.kind === "confirmed") await confirmed(reader, deltas, row, event);
        else if (row.kind === "resolved" && event.action === "confirm")
          await confirmed(reader, deltas, row, event);
        else if (row.kind === "refunded") await refunded(reader, deltas, row, event);
        else if (row.kind === "cancelled") cancelled(deltas, row, event);
      },
      (row) => COUNTED_KINDS.has(row.kind),
    );
  });

const ledgerStep = (database: Database, now: number, settleMs: number) =>
  step(database, "ledger_entries", now, async (reader, position) => {
    const rows = await reader
      .selectFrom("ledger_entries as l")
      .innerJoin("cards as c", "c.id", "l.account_id")
      .select(["l.id", "l.active_delta", "l.created_at", "c.partner_id", "c.program_id"])
      .where("l.id", ">", position)
      .where("l.kind", "=", "expiry")
      .orderBy("l.id")
      .limit(BATCH)
      .execute();
    return fold(rows, position, now - settleMs, (row, deltas) =>
      deltas.program(row.partner_id, row.program_id, row.created_at, { expired: -row.active_delta }),
    );
  });

const clientsStep = (database: Database, now: number, settleMs: number) =>
  step(database, "clients", now, async (reader, position) => {
    const rows = await reader
      .selectFrom("clients")
      .select(["id", "partner_id", "program_id", "created_at"])
      .where("id", ">", position)
      .orderBy("id")
      .limit(BATCH)
      .execute();
    return fold(rows, position, now - settleMs, (row, deltas) =>
      deltas.program(row.partner_id, row.program_id ?? NO_PROGRAM, row.created_at, { clients: 1 }),
    );
  });

export interface RollUpOptions {
  /** Rows younger than this are left for a later run (see the file's comment). */
  settleMs?: number;
  /** At most this many steps per stream in one run, so a large backlog is caught up over several runs. */
  maxSteps?: number;
}

/** Rolls every stream up to `now - settleMs`, one transaction per batch; safe to run anywhere, any time. */
export async function rollUpStats(
  database: Database,
  now: number,
  options: RollUpOptions = {},
): Promise<RollUpResult> {
  const settleMs = options.settleMs ?? STATS_SETTLE_MS;
  const maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;
  const drain = async (step: () => Promise<StepResult>) => {
    let total = 0;
    for (let i = 0; i < maxSteps; i++) {
      const { taken, moved } = await step();
      total += taken;
      if (!moved) break;
    }
    return total;
  };
  return {
    purchaseEvents: await drain(() => purchaseEventsStep(database, now, settleMs)),
    ledgerEntries: await drain(() => ledgerStep(database, now, settleMs)),
    clients: await drain(() => clientsStep(database, now, settleMs)),
  };
}
