/**
 * The roll-up as a background job of a server process, beside the sweeper: every interval it runs
 * `rollUpStats` (which catches up in bounded steps); a failed run is logged and retried next time. Every
 * process may run it: the watermark's lock makes concurrent runs take turns, never count twice.
 */
import type { Logger } from "pino";
import type { Database } from "../../infra/db/database.js";
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
) {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = rollUpStats(database, clock.now(), { maxSteps: STEPS_PER_RUN })
      .then((result) => {
        hooks.onResult?.(result);
        if (result.purchaseEvents + result.ledgerEntries + result.clients > 0)
          logger.debug(result, "stats rolled up");
      })
      .catch((err: unknown) => logger.error({ err }, "stats roll-up failed"))
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
