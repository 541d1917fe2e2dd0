/**
 * Load shedding. A process that takes more work than its CPU can do makes every caller wait: requests
 * queue in the socket buffers and the event loop, and a newcomer waits behind all of them (seconds, while
 * a till gives up after a few). Instead, API requests are refused at once with `503 OVERLOADED` and
 * `Retry-After`, before anything is parsed, authenticated or written: a refusal costs far less than the
 * work, so the backlog drains and the answers that are given stay fast. Every mutating call is
 * idempotent, so the till simply retries.
 *
 * Three signals, any of which sheds:
 * - **Time a request waited before it was read** (OVERLOAD_MAX_QUEUE_MS). Many tills on keep-alive sockets
 *   build a backlog in the kernel's socket buffers, invisible to the process: the event loop picks up every
 *   socket that became readable, one after another, and each request waits for the work of all read before
 *   it in the same turn (256 sockets at twice the capacity waited seconds while every step stayed short).
 *   Every request read in one turn of the loop was already waiting when the turn began, so the time since
 *   the turn's first request is a lower bound of how long this one waited. Past the limit, the rest of the
 *   turn is refused at once; the next turn starts afresh. An idle process measures nothing (no timer).
 * - **Requests in flight** (OVERLOAD_MAX_IN_FLIGHT): requests that wait on the database (PostgreSQL's
 *   pool, a lock) pile up inside the process instead; beyond the limit, a newcomer is refused.
 * - **Event-loop lateness** (OVERLOAD_MAX_LOOP_DELAY_MS): a 100 ms timer; the guard sheds only when each of
 *   the last three samples was late, i.e. sustained CPU saturation, not one long synchronous step
 *   (start-up, a big import batch), which passes without refusing anyone. (@fastify/under-pressure was
 *   tried first: it reads a window without samples as an infinite delay, so one long step after start made
 *   it refuse requests.)
 *
 * `/health/live` and `/metrics` always answer (the process is alive and says why it refuses) and are not
 * counted; `/health/ready` answers 503 while the loop is late or within a second of a refusal, so a
 * balancer steers new work elsewhere.
 */
import type { Api } from "../api/http/types.js";
import { DomainError } from "../kernel/errors.js";

const SAMPLE_MS = 100;
const SAMPLES = 3;
const RETRY_AFTER_SECONDS = 1;
/** How long after a refusal for lack of room the process still reports itself not ready. */
const REFUSAL_MEMORY_MS = 1_000;

const ALWAYS_ANSWERED = new Set(["/health/live", "/health/ready", "/metrics"]);

export interface OverloadLimits {
  /** Event-loop lateness (ms) sustained over three samples that sheds; 0: never. */
  maxLoopDelayMs: number;
  /** API requests one process works on at once; a request beyond them is refused; 0: no limit. */
  maxInFlight: number;
  /** How long (ms) a request may have waited unread in its turn of the event loop; 0: no limit. */
  maxQueueMs: number;
}

export interface OverloadGuard {
  /** Whether the process sheds load right now (or did within the last second). */
  overloaded(): boolean;
  /** API requests being worked on now. */
  inFlight(): number;
}

export function installOverloadGuard(app: Api, limits: OverloadLimits): OverloadGuard {
  const { maxLoopDelayMs, maxInFlight, maxQueueMs } = limits;
  let loopLate = false;
  if (maxLoopDelayMs > 0) {
    const lateness = new Array<number>(SAMPLES).fill(0);
    let sample = 0;
    let expected = performance.now() + SAMPLE_MS;
    const timer = setInterval(() => {
      const now = performance.now();
      lateness[sample++ % SAMPLES] = now - expected;
      expected = now + SAMPLE_MS;
      loopLate = Math.min(...lateness) > maxLoopDelayMs;
    }, SAMPLE_MS);
    timer.unref();
    app.addHook("onClose", async () => clearInterval(timer));
  }

  // The first request of the current turn of the event loop; setImmediate runs right after the turn's I/O.
  let turnStart = 0;
  let inTurn = false;
  const turnEnded = () => {
    inTurn = false;
  };
  let inFlight = 0;
  let lastRefusal = Number.NEGATIVE_INFINITY;
  const refuse = (why: string) => {
    lastRefusal = performance.now();
    return new DomainError("OVERLOADED", why, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  };
  app.addHook("onRequest", (request, reply, done) => {
    if (ALWAYS_ANSWERED.has(request.url.split("?", 1)[0]!)) return done();
    if (loopLate) return done(refuse(`the event loop is over ${maxLoopDelayMs} ms behind`));
    if (maxQueueMs > 0) {
      const now = performance.now();
      if (!inTurn) {
        inTurn = true;
        turnStart = now;
        setImmediate(turnEnded);
      } else if (now - turnStart > maxQueueMs)
        return done(refuse(`requests have waited over ${maxQueueMs} ms to be read`));
    }
    if (maxInFlight > 0 && inFlight >= maxInFlight)
      return done(refuse(`${maxInFlight} requests are already being worked on`));
    inFlight++;
    // 'close' comes once for every response, sent or abandoned by the client.
    reply.raw.once("close", () => {
      inFlight--;
    });
    done();
  });
  return {
    overloaded: () => loopLate || performance.now() - lastRefusal < REFUSAL_MEMORY_MS,
    inFlight: () => inFlight,
  };
}
