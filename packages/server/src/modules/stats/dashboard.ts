/**
 * The dashboard's figures for a period, store and program, read from the roll-up's hourly rows (a year is
 * at most 8,784 hours per program and card kind) and two counts of "now" that indexes bound: hanging
 * purchases and active cards. No purchase is read.
 *
 * Periods are whole local days of a zone; the roll-up keeps UTC hours, so in a zone whose offset is not a
 * whole number of hours (Asia/Kolkata) a day's edges are taken at the hour that starts within it.
 */
import { mulDivRound } from "../../core/arithmetic.js";
import { isoDateOfDayNumber, localTimeOf } from "../../core/rules/local-time.js";
import type { Database } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { findProgramId } from "../programs/index.js";
import { countHanging } from "../purchases/index.js";
import { reportPeriod } from "../reports/index.js";
import { findStoreId } from "../stores/index.js";
import { ALL_STORES } from "./rollup.js";
import "./tables.js";

export interface DashboardRequest {
  partnerId: number;
  from: string;
  to: string;
  timezone?: string;
  storeCode?: string;
  programCode?: string;
}

export interface SalesFigures {
  /** Confirmed purchases less cancelled ones. */
  purchases: number;
  /** Kopecks after discount, net of refunds. */
  sales: number;
  /** Kopecks, net of the refunded share. */
  discount: number;
  refunds: number;
  refunded: number;
  /** Kopecks: sales ÷ purchases rounded half away from zero; 0 without purchases. */
  averageReceipt: number;
}

/** A day's or an hour's purchases and sales, in all and the part with a card (the rest is without). */
export interface Activity {
  purchases: number;
  /** Kopecks. */
  sales: number;
  purchasesWithCard: number;
  /** Kopecks. */
  salesWithCard: number;
}

export interface Dashboard {
  period: { from: string; to: string; timezone: string };
  storeCode: string | null;
  programCode: string | null;
  withCard: SalesFigures;
  withoutCard: SalesFigures;
  points: {
    accrued: number;
    spent: number;
    /** Null for one store: expiry belongs to a card, not to a store. */
    expired: number | null;
  };
  /** Cards in status active now (the program's, or the partner's). */
  activeCards: number;
  /** Null for one store: a client registers with the program, not in a store. */
  newClients: number | null;
  hangingNow: number;
  perDay: ({ date: string } & Activity)[];
  /** Hours of the day (0–23, local) over the whole period. */
  perHour: ({ hour: number } & Activity)[];
  topRules: { ruleId: number; name: string; discount: number; lines: number }[];
  /** When the roll-up last took purchase events (ISO), null before its first run. */
  updatedAt: string | null;
}

const TOP_RULES = 10;

/** sum / count rounded half away from zero, in integers. */
export function average(sum: number, count: number): number {
  if (count <= 0 || sum === 0) return 0;
  const magnitude = mulDivRound(Math.abs(sum), 1, count);
  return sum < 0 ? -magnitude : magnitude;
}

const n = (v: unknown) => Number(v ?? 0);

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/**
 * Local day and hour of UTC hours in a zone, asking Intl once per UTC day rather than once per hour (a
 * year is 8,784 hours): within a UTC day whose two midnights have the same offset, every hour has it.
 */
function localHours(zone: string): (ms: number) => { dayNumber: number; hour: number } {
  const offsets = new Map<number, number>();
  const offsetAt = (ms: number) => {
    const local = localTimeOf(ms, zone);
    return (local.dayNumber * 1440 + local.minuteOfDay) * MINUTE_MS - Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  };
  const dayOffset = (utcDay: number) => {
    let offset = offsets.get(utcDay);
    if (offset === undefined) {
      offset = offsetAt(utcDay * DAY_MS);
      offsets.set(utcDay, offset);
    }
    return offset;
  };
  return (ms) => {
    const utcDay = Math.floor(ms / DAY_MS);
    const offset = dayOffset(utcDay) === dayOffset(utcDay + 1) ? dayOffset(utcDay) : offsetAt(ms);
    const localMs = ms + offset;
    return { dayNumber: Math.floor(localMs / DAY_MS), hour: Math.floor((localMs % DAY_MS) / 3_600_000) };
  };
}

export async function dashboard(database: Database, request: DashboardRequest): Promise<Dashboard> {
  const { db } = database;
  const period = reportPeriod(request.from, request.to, request.timezone);
  let storeId: number = ALL_STORES;
  if (request.storeCode !== undefined) {
    const id = await findStoreId(db, request.partnerId, request.storeCode);
    if (id === null)
      throw new DomainError("STORE_NOT_FOUND", `no store ${request.storeCode}`, { field: "storeCode" });
    storeId = id;
  }
  let programId: number | null = null;
  if (request.programCode !== undefined) {
    programId = await findProgramId(db, request.partnerId, request.programCode);
    if (programId === null) {
      throw new DomainError("PROGRAM_NOT_FOUND", `no program ${request.programCode}`, {
        field: "programCode",
      });
    }
  }
  const hourly = db
    .selectFrom("stats_hourly")
    .where("partner_id", "=", request.partnerId)
    .where("store_id", "=", storeId)
    .where("hour", ">=", period.from)
    .where("hour", "<", period.to)
    .$if(programId !== null, (q) => q.where("program_id", "=", programId!));

  // One pass over the period's hours gives both the totals per card kind and the hours.
  const [hours, rules, programFigures, activeCards, hanging, watermark] = await Promise.all([
    hourly
      .select((eb) => [
        "hour",
        "with_card",
        eb.fn.sum<number>("purchases").as("purchases"),
        eb.fn.sum<number>("sales").as("sales"),
        eb.fn.sum<number>("discount").as("discount"),
        eb.fn.sum<number>("points_accrued").as("points_accrued"),
        eb.fn.sum<number>("points_spent").as("points_spent"),
        eb.fn.sum<number>("refunds").as("refunds"),
        eb.fn.sum<number>("refunded").as("refunded"),
      ])
      .groupBy(["hour", "with_card"])
      .execute(),
    db
      .selectFrom("stats_rule_hourly")
      .select((eb) => [
        "rule_id",
        eb.fn.sum<number>("discount").as("discount"),
        eb.fn.sum<number>("lines").as("lines"),
      ])
      .where("partner_id", "=", request.partnerId)
      .where("store_id", "=", storeId)
      .where("hour", ">=", period.from)
      .where("hour", "<", period.to)
      .$if(programId !== null, (q) => q.where("program_id", "=", programId!))
      .groupBy("rule_id")
      .orderBy("discount", "desc")
      .orderBy("rule_id")
      .limit(TOP_RULES)
      .execute(),
    storeId !== ALL_STORES
      ? null
      : db
          .selectFrom("stats_program_hourly")
          .select((eb) => [
            eb.fn.sum<number>("points_expired").as("expired"),
            eb.fn.sum<number>("new_clients").as("clients"),
          ])
          .where("partner_id", "=", request.partnerId)
          .where("hour", ">=", period.from)
          .where("hour", "<", period.to)
          .$if(programId !== null, (q) => q.where("program_id", "=", programId!))
          .executeTakeFirst(),
    db
      .selectFrom("cards")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_id", "=", request.partnerId)
      .where("status", "=", "active")
      .$if(programId !== null, (q) => q.where("program_id", "=", programId!))
      .executeTakeFirstOrThrow(),
    countHanging(db, request.partnerId, {
      ...(storeId !== ALL_STORES ? { storeId } : {}),
      ...(programId !== null ? { programId } : {}),
    }),
    db
      .selectFrom("stats_watermarks")
      .select("updated_at")
      .where("stream", "=", "purchase_events")
      .executeTakeFirst(),
  ]);

  const totals = [0, 1].map(() => ({
    purchases: 0,
    sales: 0,
    discount: 0,
    refunds: 0,
    refunded: 0,
    points_accrued: 0,
    points_spent: 0,
  }));
  const figures = (withCard: number): SalesFigures => {
    const sum = totals[withCard]!;
    return {
      purchases: sum.purchases,
      sales: sum.sales,
      discount: sum.discount,
      refunds: sum.refunds,
      refunded: sum.refunded,
      averageReceipt: average(sum.sales, sum.purchases),
    };
  };

  const firstDay = localTimeOf(period.from, period.timezone).dayNumber;
  const lastDay = localTimeOf(period.to - 1, period.timezone).dayNumber;
  const noActivity = (): Activity => ({ purchases: 0, sales: 0, purchasesWithCard: 0, salesWithCard: 0 });
  const perDay = Array.from({ length: lastDay - firstDay + 1 }, (_, i) => ({
    date: isoDateOfDayNumber(firstDay + i),
    ...noActivity(),
  }));
  const perHour = Array.from({ length: 24 }, (_, hour) => ({ hour, ...noActivity() }));
  const localHour = localHours(period.timezone);
  const add = (into: Activity, row: (typeof hours)[number]) => {
    into.purchases += n(row.purchases);
    into.sales += n(row.sales);
    if (n(row.with_card) === 1) {
      into.purchasesWithCard += n(row.purchases);
      into.salesWithCard += n(row.sales);
    }
  };
  // One pass over the hourly rows: the period's totals with and without a card, per day and per hour.
  for (const row of hours) {
    const sum = totals[n(row.with_card) === 1 ? 1 : 0]!;
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += n(row[key]);
    const local = localHour(n(row.hour));
    const day = perDay[local.dayNumber - firstDay];
    if (day) add(day, row);
    add(perHour[local.hour]!, row);
  }

  const ruleIds = rules.map((r) => n(r.rule_id));
  const names =
    ruleIds.length === 0
      ? []
      : await db.selectFrom("rules").select(["id", "name"]).where("id", "in", ruleIds).execute();
  const nameOf = new Map(names.map((r) => [n(r.id), r.name]));

  const withCard = figures(1);
  const withoutCard = figures(0);
  const pointsRow = {
    accrued: totals[0]!.points_accrued + totals[1]!.points_accrued,
    spent: totals[0]!.points_spent + totals[1]!.points_spent,
  };
  return {
    period: { from: period.fromDate, to: period.toDate, timezone: period.timezone },
    storeCode: request.storeCode ?? null,
    programCode: request.programCode ?? null,
    withCard,
    withoutCard,
    points: { ...pointsRow, expired: programFigures ? n(programFigures.expired) : null },
    activeCards: n(activeCards.n),
    newClients: programFigures ? n(programFigures.clients) : null,
    hangingNow: hanging,
    perDay,
    perHour,
    topRules: rules
      .filter((r) => n(r.discount) !== 0)
      .map((r) => ({
        ruleId: n(r.rule_id),
        name: nameOf.get(n(r.rule_id)) ?? `#${n(r.rule_id)}`,
        discount: n(r.discount),
        lines: n(r.lines),
      })),
    updatedAt:
      watermark && n(watermark.updated_at) > 0 ? new Date(n(watermark.updated_at)).toISOString() : null,
  };
}
