/**
 * Background jobs of a server process: expire calculated purchases past their TTL (the `expire` command,
 * which releases their holds); activate pending points whose hold period ended; expire old lots. Each item
 * is its own short transaction that re-checks the row under lock, so any number of processes can sweep
 * the same database at once. The sweeper writes no SQL of its own.
 */
import type { Logger } from "pino";
import type { Database } from "../../infra/db/database.js";
import { type PeriodicJob, startPeriodicJob } from "../../infra/periodic-job.js";
import type { Clock } from "../../kernel/index.js";
import { reviewLevels } from "../levels/index.js";
import { activateDueLots, expireLots } from "../points/index.js";
import { expireDue } from "./commands/expire.js";
import { PurchaseRepository } from "./purchase-repository.js";

const BATCH = 500;

export interface SweepResult {
  expiredPurchases: number;
  activatedLots: number;
  expiredLots: number;
  /** Cards whose level was reviewed at the end of a period (programs that downgrade). */
  reviewedLevels: number;
}

export async function sweepOnce(database: Database, now: number): Promise<SweepResult> {
  return {
    expiredPurchases: await expireDue(new PurchaseRepository(database), now, BATCH),
    activatedLots: await activateDueLots(database, now, BATCH),
    expiredLots: await expireLots(database, now, BATCH),
    reviewedLevels: await reviewLevels(database, now, BATCH),
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
): PeriodicJob {
  return startPeriodicJob(
    intervalMs,
    async () => {
      const result = await sweepOnce(database, clock.now());
      hooks.onResult?.(result);
      if (result.expiredPurchases + result.activatedLots + result.expiredLots + result.reviewedLevels > 0)
        logger.info(result, "sweep done");
    },
    logger,
    "sweep failed",
  );
}
