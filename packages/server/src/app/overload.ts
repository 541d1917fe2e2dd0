/**
 * Load shedding. A process that takes more work than its CPU can do makes every caller wait: requests
 * queue in the socket buffers and the event loop, and a newcomer waits behind all of them (seconds, while
 * a till gives up after a few). Instead, while the event loop is behind by more than
 * OVERLOAD_MAX_LOOP_DELAY_MS, API requests are refused at once with `503 OVERLOADED` and `Retry-After`,
 * before anything is parsed, authenticated or written: a refusal costs far less than the work, so the
 * backlog drains and the answers that are given stay fast. Every mutating call is idempotent, so the
 * till simply retries.
 *
 * The signal is the lateness of a 100 ms timer, and the guard sheds only when each of the last three
 * samples was late: sustained overload, not one long synchronous step (start-up, a big import batch),
 * which passes without refusing anyone. (@fastify/under-pressure was tried first: it reads a window
 * without samples as an infinite delay, so one long step after start made it refuse requests.)
 *
 * `/health/live` and `/metrics` always answer (the process is alive and says why it refuses);
 * `/health/ready` answers 503 while shedding, so a balancer steers new work elsewhere.
 */
import type { Api } from "../api/http/types.js";
import { DomainError } from "../kernel/errors.js";

const SAMPLE_MS = 100;
const SAMPLES = 3;
const RETRY_AFTER_SECONDS = 1;

const ALWAYS_ANSWERED = new Set(["/health/live", "/health/ready", "/metrics"]);

export interface OverloadGuard {
  /** Whether the process sheds load right now. */
  overloaded(): boolean;
}

export function installOverloadGuard(app: Api, maxLoopDelayMs: number): OverloadGuard {
  if (maxLoopDelayMs <= 0) return { overloaded: () => false };
  const lateness = new Array<number>(SAMPLES).fill(0);
  let sample = 0;
  let shedding = false;
  let expected = performance.now() + SAMPLE_MS;
  const timer = setInterval(() => {
    const now = performance.now();
    lateness[sample++ % SAMPLES] = now - expected;
    expected = now + SAMPLE_MS;
    shedding = Math.min(...lateness) > maxLoopDelayMs;
  }, SAMPLE_MS);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
  app.addHook("onRequest", (request, _reply, done) => {
    if (!shedding || ALWAYS_ANSWERED.has(request.url.split("?", 1)[0]!)) return done();
    done(
      new DomainError("OVERLOADED", `the event loop is over ${maxLoopDelayMs} ms behind`, {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
      }),
    );
  });
  return { overloaded: () => shedding };
}
