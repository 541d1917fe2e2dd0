/**
 * The roll-up as a background job of a server process, beside the sweeper: every interval it runs
 * `rollUpStats` (which catches up in bounded steps); a failed run is logged and retried next time. Every
 * process may run it: the watermark's lock makes concurrent runs take turns, never count twice.
 */
import type { Logger } from "pino";
import type { Database } from "../../infra/db/database.js";
import { type PeriodicJob, startPeriodicJob } from "../../infra/periodic-job.js";
import type { Clock } from "../../kernel/index.js";
import { type RollUpResult, rollUpStats } from "./rollup.js";

/** A run catches up at most this many batches per stream, so one run never holds the job for long. */
const STEPS_PER_RUN = 50;

export interface StatsJobHooks {
  onResult?(result: RollUpResult): void;
}

export function startStatsRollUp(
  database: Database,
  clock: Clock,
  logger: Logger,
  intervalMs: number,
  hooks: StatsJobHooks = {},
): PeriodicJob {
  return startPeriodicJob(
    intervalMs,
    async () => {
      const result = await rollUpStats(database, clock.now(), { maxSteps: STEPS_PER_RUN });
      hooks.onResult?.(result);
      if (result.purchaseEvents + result.ledgerEntries + result.clients > 0)
        logger.debug(result, "stats rolled up");
    },
    logger,
    "stats roll-up failed",
  );
}
