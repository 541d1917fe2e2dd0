/** What a card bought: the base of card levels. Reads purchases (owned by the purchases module), writes nothing. */
import type { Executor } from "../../infra/db/database.js";

export interface CardTotals {
  /** Kopecks: totals of confirmed purchases minus what was refunded of them. */
  amount: number;
  /** Hundredths: points accrued by them minus what refunds took back. */
  accrued: number;
}

/** Purchases confirmed in [from, to); a purchase cancelled after confirm no longer counts. */
export async function cardTotals(
  db: Executor,
  cardId: number,
  from: number,
  to: number,
): Promise<CardTotals> {
  const row = await db
    .selectFrom("purchases")
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<number>(eb("total", "-", eb.ref("refunded_amount"))), eb.lit(0)).as("amount"),
      eb.fn
        .coalesce(eb.fn.sum<number>(eb("points_accrued", "-", eb.ref("accrual_reversed"))), eb.lit(0))
        .as("accrued"),
    ])
    .where("card_id", "=", cardId)
    .where("state", "in", ["confirmed", "partially_refunded", "refunded"])
    .where("confirmed_at", ">=", from)
    .where("confirmed_at", "<", to)
    .executeTakeFirstOrThrow();
  return { amount: Number(row.amount), accrued: Number(row.accrued) };
}
