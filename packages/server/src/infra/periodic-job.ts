/**
 * A job a server process runs every interval until stopped: one run at a time (a tick while a run is
 * under way is skipped), a failed run logged and retried at the next tick, and `stop` waits for the run
 * under way. An interval of 0 never runs it. The timer does not keep the process alive.
 */
import type { Logger } from "pino";

export interface PeriodicJob {
  stop(): Promise<void>;
}

export function startPeriodicJob(
  intervalMs: number,
  run: () => Promise<void>,
  logger: Logger,
  failureMessage: string,
): PeriodicJob {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = run()
      .catch((err: unknown) => logger.error({ err }, failureMessage))
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
