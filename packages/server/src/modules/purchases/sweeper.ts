/**
 * Background jobs of a server process: expire hanging purchases (calculated, never confirmed, past their
 * TTL) and release their holds; activate pending points whose hold period ended; expire old lots.
 * Each item is its own short transaction that re-checks the row under lock, so any number of processes
 * can sweep the same database at once.
 */
import type { Logger } from "pino";
import type { Database } from "../../infra/db/database.js";
import type { Clock } from "../../kernel/index.js";
import { activateDueLots, changeHold, expireLots, lockAccount } from "../points/index.js";

const BATCH = 500;

export async function expireHangingPurchases(
  database: Database,
  now: number,
  batch = BATCH,
): Promise<number> {
  const due = await database.db
    .selectFrom("purchases")
    .select("id")
    .where("state", "=", "calculated")
    .where("expires_at", "<=", now)
    .orderBy("expires_at")
    .limit(batch)
    .execute();
  let expired = 0;
  for (const { id } of due) {
    expired += await database.transaction(async (trx) => {
      const purchase = await database
        .forUpdate(
          trx
            .selectFrom("purchases")
            .select(["id", "state", "expires_at", "card_id", "points_spent"])
            .where("id", "=", id),
        )
        .executeTakeFirstOrThrow();
      if (purchase.state !== "calculated" || purchase.expires_at > now) return 0;
      if (purchase.card_id !== null && purchase.points_spent > 0) {
        const account = await lockAccount(database, trx, purchase.card_id);
        await changeHold(trx, account, -purchase.points_spent, now);
      }
      await trx
        .updateTable("purchases")
        .set({ state: "expired", points_spent: 0, closed_at: now, updated_at: now })
        .where("id", "=", id)
        .execute();
      await trx
        .insertInto("purchase_events")
        .values({
          purchase_id: id,
          kind: "expired",
          data: JSON.stringify({ released: purchase.points_spent }),
          created_at: now,
        })
        .execute();
      return 1;
    });
  }
  return expired;
}

export interface SweepResult {
  expiredPurchases: number;
  activatedLots: number;
  expiredLots: number;
}

export async function sweepOnce(database: Database, now: number): Promise<SweepResult> {
  return {
    expiredPurchases: await expireHangingPurchases(database, now),
    activatedLots: await activateDueLots(database, now, BATCH),
    expiredLots: await expireLots(database, now, BATCH),
  };
}

export interface SweeperHooks {
  onResult?(result: SweepResult): void;
}

/** Runs sweepOnce every interval until stopped; a failed run is logged and retried next time. */
export function startSweeper(
  database: Database,
  clock: Clock,
  logger: Logger,
  intervalMs: number,
  hooks: SweeperHooks = {},
) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = sweepOnce(database, clock.now())
      .then((result) => {
        hooks.onResult?.(result);
        if (result.expiredPurchases + result.activatedLots + result.expiredLots > 0)
          logger.info(result, "sweep done");
      })
      .catch((err: unknown) => logger.error({ err }, "sweep failed"))
      .finally(() => {
        running = null;
      });
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : null;
  timer?.unref();
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
