/**
 * The card's purchase history as rules read it (`purchase_history` conditions): the count or amount of its
 * confirmed purchases today, in the last N days, or this calendar month, in the store's local time. Only
 * the facts the program's rules need are loaded, in one indexed query (`purchases_card_confirmed`);
 * a program whose rules read no history costs nothing.
 */
import { daysFromCivil, localTimeOf } from "../../core/rules/local-time.js";
import type { ClientFacts, HistoryFactSpec } from "../../core/rules/types.js";
import type { Database, Executor } from "../../infra/db/database.js";
import { holderOfCard } from "../clients/index.js";

const DAY = 86_400_000;
const COUNTED_STATES = ["confirmed", "partially_refunded"];
const COUNTED_STATES_SQL = COUNTED_STATES.map((state) => `'${state}'`).join(", ");

/**
 * The instant a period starts. Local midnights are computed with the zone's offset now, so a period that
 * spans a change of offset (daylight saving, not used in Russia since 2014) is off by that change.
 */
export function periodStart(spec: HistoryFactSpec, now: number, timeZone: string): number {
  if (spec.period === "last_days") return now - (spec.days ?? 1) * DAY;
  let local: ReturnType<typeof localTimeOf>;
  try {
    local = localTimeOf(now, timeZone);
  } catch {
    local = localTimeOf(now, "UTC");
  }
  const localNow = local.dayNumber * DAY + local.minuteOfDay * 60_000 + (now % 60_000);
  const offset = localNow - now;
  const day = spec.period === "today" ? local.dayNumber : daysFromCivil(local.year, local.month, 1);
  return day * DAY - offset;
}

/**
 * The values of `specs` for the card, keyed by `spec.key`: counts, or amounts in kopecks (net of refunds).
 * Read from committed data through a prepared statement (`Database.prepareRead`): calculate runs this on
 * every receipt of a program whose rules read history, and the query builder would cost more than the
 * indexed read. A program's specs give one text, so each program prepares its statement once.
 */
export async function loadHistory(
  database: Database,
  cardId: number,
  specs: readonly HistoryFactSpec[],
  now: number,
  timeZone: string,
): Promise<Record<string, number>> {
  if (specs.length === 0) return {};
  const starts = specs.map((s) => periodStart(s, now, timeZone));
  const columns = specs.map((s, i) =>
    s.metric === "count"
      ? `coalesce(sum(case when confirmed_at >= ? then 1 else 0 end), 0) as f${i}`
      : `coalesce(sum(case when confirmed_at >= ? then total - refunded_amount else 0 end), 0) as f${i}`,
  );
  const [row] = await database.prepareRead<Record<string, number | string | null>>(
    `select ${columns.join(", ")} from purchases where card_id = ? and confirmed_at >= ? and state in (${COUNTED_STATES_SQL})`,
  )([...starts, cardId, Math.min(...starts)]);
  const out: Record<string, number> = {};
  specs.forEach((s, i) => {
    out[s.key] = Number(row?.[`f${i}`] ?? 0);
  });
  return out;
}

/**
 * The card holder's attributes as rules read them (`birthday`, `client_attribute`). A first purchase is
 * one before any counted purchase on any of the client's cards (a replaced card keeps its holder's
 * history); a card without a holder is unregistered, with nothing confirmed.
 */
export async function loadClientFacts(db: Executor, cardId: number): Promise<ClientFacts> {
  const holder = await holderOfCard(db, cardId);
  const earlier = await db
    .selectFrom("purchases")
    .select("id")
    .where(
      "card_id",
      "in",
      holder
        ? db.selectFrom("cards").select("id").where("client_id", "=", holder.clientId)
        : db.selectFrom("cards").select("id").where("id", "=", cardId),
    )
    .where("state", "in", COUNTED_STATES)
    .limit(1)
    .executeTakeFirst();
  return {
    birthday: holder?.birthDate ?? null,
    registered: holder?.registered ?? false,
    phoneConfirmed: holder?.phoneConfirmed ?? false,
    emailConfirmed: holder?.emailConfirmed ?? false,
    firstPurchase: earlier === undefined,
  };
}
