/**
 * Load shedding. A process that takes more work than its CPU can do makes every caller wait: requests
 * queue in the socket buffers and the event loop, and a newcomer waits behind all of them (seconds, while
 * a till gives up after a few). Instead, when the event loop falls behind by more than
 * OVERLOAD_MAX_LOOP_DELAY_MS (its mean delay over the last sample, measured by @fastify/under-pressure),
 * API requests are refused at once with `503 OVERLOADED` and `Retry-After`, before anything is parsed,
 * authenticated or written: a refusal costs far less than the work, so the backlog drains, and the
 * answers that are given stay fast. Every mutating call is idempotent, so the till simply retries.
 *
 * `/health/live` and `/metrics` always answer (the process is alive and says why it refuses);
 * `/health/ready` answers 503 while overloaded, so a balancer steers new work elsewhere.
 */
import underPressure from "@fastify/under-pressure";
import type { Api } from "../api/http/types.js";
import { DomainError } from "../kernel/errors.js";

/** Sampling period of the event loop's delay: how fast overload is noticed and its end too. */
const SAMPLE_INTERVAL_MS = 100;
const RETRY_AFTER_SECONDS = 1;

const ALWAYS_ANSWERED = new Set(["/health/live", "/health/ready", "/metrics"]);

export interface OverloadGuard {
  /** Whether the process sheds load right now (the readiness probe says so). */
  overloaded(): boolean;
}

export async function installOverloadGuard(app: Api, maxLoopDelayMs: number): Promise<OverloadGuard> {
  if (maxLoopDelayMs <= 0) return { overloaded: () => false };
  await app.register(underPressure, {
    maxEventLoopDelay: maxLoopDelayMs,
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: (request, _reply, _type, value) => {
      if (ALWAYS_ANSWERED.has(request.url.split("?", 1)[0]!)) return undefined;
      return Promise.reject(
        new DomainError("OVERLOADED", `event loop ${Math.round(value ?? 0)} ms behind`, {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        }),
      );
    },
  });
  return { overloaded: () => app.isUnderPressure() };
}
