/**
 * Checks that cached balances equal the ledger: active and pending are the sums of the entries' deltas,
 * held is the sum of the account's open holds, every open hold belongs to a calculated purchase, and
 * active lots cover the balance.
 * Used by the tests, the crash check and `kopilka verify-ledger`.
 */
import { sql } from "kysely";
import type { Database } from "../../infra/db/database.js";

export interface LedgerViolation {
  cardId: number;
  problem: string;
}

export async function verifyLedger(database: Database, limit = 100): Promise<LedgerViolation[]> {
  const { db } = database;
  const violations: LedgerViolation[] = [];

  const sums = await db
    .selectFrom("points_accounts as a")
    .leftJoin(
      db
        .selectFrom("ledger_entries")
        .select([
          "account_id",
          sql<number>`sum(active_delta)`.as("active_sum"),
          sql<number>`sum(pending_delta)`.as("pending_sum"),
        ])
        .groupBy("account_id")
        .as("e"),
      "e.account_id",
      "a.card_id",
    )
    .select(["a.card_id", "a.active", "a.pending", "e.active_sum", "e.pending_sum"])
    .where((eb) =>
      eb.or([
        eb(sql`coalesce(e.active_sum, 0)`, "<>", eb.ref("a.active")),
        eb(sql`coalesce(e.pending_sum, 0)`, "<>", eb.ref("a.pending")),
      ]),
    )
    .limit(limit)
    .execute();
  for (const r of sums) {
    violations.push({
      cardId: r.card_id,
      problem: `balance active=${r.active} pending=${r.pending} but ledger sums active=${r.active_sum ?? 0} pending=${r.pending_sum ?? 0}`,
    });
  }

  const holds = await db
    .selectFrom("points_accounts as a")
    .leftJoin(
      db
        .selectFrom("points_holds")
        .select(["account_id", sql<number>`sum(amount)`.as("held_sum")])
        .where("resolved_at", "is", null)
        .groupBy("account_id")
        .as("h"),
      "h.account_id",
      "a.card_id",
    )
    .select(["a.card_id", "a.held", "h.held_sum"])
    .where(sql`coalesce(h.held_sum, 0)`, "<>", sql.ref("a.held"))
    .limit(limit)
    .execute();
  for (const r of holds) {
    violations.push({
      cardId: r.card_id,
      problem: `held=${r.held} but its open holds sum to ${r.held_sum ?? 0}`,
    });
  }

  const strayHolds = await db
    .selectFrom("points_holds as h")
    .innerJoin("purchases as p", "p.id", "h.purchase_id")
    .select(["h.account_id", "h.id", "p.external_id", "p.state"])
    .where("h.resolved_at", "is", null)
    .where("p.state", "<>", "calculated")
    .limit(limit)
    .execute();
  for (const r of strayHolds) {
    violations.push({
      cardId: r.account_id,
      problem: `hold ${r.id} is still open but its purchase ${r.external_id} is ${r.state}`,
    });
  }

  const lots = await db
    .selectFrom("points_accounts as a")
    .leftJoin(
      db
        .selectFrom("points_lots")
        .select([
          "account_id",
          sql<number>`sum(case when state = 'active' then remaining else 0 end)`.as("active_lots"),
          sql<number>`sum(case when state = 'pending' then remaining else 0 end)`.as("pending_lots"),
        ])
        .groupBy("account_id")
        .as("l"),
      "l.account_id",
      "a.card_id",
    )
    .select(["a.card_id", "a.active", "a.pending", "l.active_lots", "l.pending_lots"])
    .where((eb) =>
      eb.or([
        eb(sql`coalesce(l.active_lots, 0)`, "<>", sql`case when a.active > 0 then a.active else 0 end`),
        eb(sql`coalesce(l.pending_lots, 0)`, "<>", eb.ref("a.pending")),
      ]),
    )
    .limit(limit)
    .execute();
  for (const r of lots) {
    violations.push({
      cardId: r.card_id,
      problem: `lots hold active=${r.active_lots ?? 0} pending=${r.pending_lots ?? 0} for balance active=${r.active} pending=${r.pending}`,
    });
  }
  return violations;
}
