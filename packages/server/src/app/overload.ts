/**
 * Admission of API requests under load. A process that takes more work than its CPU can do makes every
 * caller wait, and a till gives up after a few seconds (a timeout at calculate blocks payment). Two things
 * make the wait long, and this module answers both.
 *
 * **Newcomers wait behind busy tills.** Node (libuv) accepts one new connection per turn of the event
 * loop, and a turn reads every socket that became readable and runs the work of each request read (on
 * SQLite, all of it, synchronously). With 60 busy keep-alive tills a turn lasts tens of milliseconds, so
 * 200 tills connecting at once waited for 200 such turns: seconds, though each request was fast. So a
 * turn starts at most TURN_BUDGET_MS of request work as it reads: a request read once that is spent
 * waits in a queue, first come first served, and the queue starts one request per turn (setImmediate),
 * so the loop comes back to accept and read after each.
 *
 * **A backlog larger than the process can work off.** Requests are refused at once with `503 OVERLOADED`
 * and `Retry-After`, before anything is parsed, authenticated or written: a refusal costs far less than
 * the work, so the backlog drains and the answers that are given stay fast. Every mutating call is
 * idempotent, so the till simply retries. Three signals refuse:
 * - **Queue time** (OVERLOAD_MAX_QUEUE_MS): a request whose turn began more than that long ago when its
 *   work would start. Every request read in one turn was already waiting when the turn began, so this is a
 *   lower bound of its wait, measured without a timer (an idle process measures nothing).
 * - **Requests in flight** (OVERLOAD_MAX_IN_FLIGHT): requests that wait on the database (PostgreSQL's
 *   pool, a lock) pile up inside the process instead; beyond the limit, a newcomer is refused.
 * - **Event-loop lateness** (OVERLOAD_MAX_LOOP_DELAY_MS): a 100 ms timer; refusing only when each of the
 *   last three samples was late, i.e. sustained CPU saturation, not one long synchronous step (start-up, a
 *   big import batch), which passes without refusing anyone. (@fastify/under-pressure was tried first: it
 *   reads a window without samples as an infinite delay, so one long step after start made it refuse.)
 *
 * `/health/live`, `/health/ready` and `/metrics` skip the queue and are not counted; readiness answers 503
 * while the loop is late and for a second after a refusal, so a balancer steers new work elsewhere.
 */
import type { HookHandlerDoneFunction } from "fastify";
import type { Api } from "../api/http/types.js";
import { DomainError } from "../kernel/errors.js";

const SAMPLE_MS = 100;
const SAMPLES = 3;
const RETRY_AFTER_SECONDS = 1;
/** How long after a refusal for lack of room the process still reports itself not ready. */
const REFUSAL_MEMORY_MS = 1_000;
/** Request work (ms) one turn of the event loop does before it lets the loop accept and read again. */
const TURN_BUDGET_MS = 5;

const ALWAYS_ANSWERED = new Set(["/health/live", "/health/ready", "/metrics"]);

export interface OverloadLimits {
  /** Event-loop lateness (ms) sustained over three samples that sheds; 0: never. */
  maxLoopDelayMs: number;
  /** API requests one process works on at once; a request beyond them is refused; 0: no limit. */
  maxInFlight: number;
  /** How long (ms) a request may wait before its work starts; 0: no limit, and no queue either. */
  maxQueueMs: number;
}

export interface OverloadGuard {
  /** Whether the process sheds load right now (or did within the last second). */
  overloaded(): boolean;
  /** API requests being worked on now. */
  inFlight(): number;
  /** API requests read and waiting for their turn. */
  queued(): number;
}

interface Waiting {
  /** When the turn that read it began: it had arrived by then. */
  arrivedAt: number;
  admit: () => void;
  refuse: (error: DomainError) => void;
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

  let inFlight = 0;
  let lastRefusal = Number.NEGATIVE_INFINITY;
  const refusal = (why: string) => {
    lastRefusal = performance.now();
    return new DomainError("OVERLOADED", why, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  };
  /** Starts the request's work, or refuses it; `arrivedAt` null: it did not wait. */
  const start = (w: Waiting, now: number, arrivedAt: number | null): void => {
    if (arrivedAt !== null && maxQueueMs > 0 && now - arrivedAt > maxQueueMs)
      w.refuse(refusal(`the request waited over ${maxQueueMs} ms behind others`));
    else if (maxInFlight > 0 && inFlight >= maxInFlight)
      w.refuse(refusal(`${maxInFlight} requests are already being worked on`));
    else {
      inFlight++;
      w.admit();
    }
  };

  // The current turn: requests read from the sockets in this poll phase, or a slice of the queue.
  const budget = Math.min(TURN_BUDGET_MS, maxQueueMs);
  let turnStart = 0;
  let inTurn = false;
  const queue: Waiting[] = [];
  let head = 0;
  let scheduled = false;
  /**
   * After each poll phase while requests wait: refuses those that waited too long (a refusal costs next
   * to nothing) and starts the work of the next one. One per turn: an admitted request's work runs in the
   * callbacks that follow, not inside this one, so a turn could not stop itself after a budget of it.
   * Scheduled from within a check phase, the next one runs after the next poll: the loop accepts and
   * reads in between.
   */
  const afterPoll = () => {
    scheduled = false;
    inTurn = false;
    const now = performance.now();
    while (head < queue.length && maxQueueMs > 0 && now - queue[head]!.arrivedAt > maxQueueMs) take(now);
    if (head < queue.length) take(now);
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      if (head > 1024 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      schedule();
    }
  };
  const take = (now: number) => {
    const w = queue[head]!;
    queue[head++] = undefined as unknown as Waiting;
    start(w, now, w.arrivedAt);
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(afterPoll);
  };

  app.addHook("onRequest", (request, reply, done: HookHandlerDoneFunction) => {
    if (ALWAYS_ANSWERED.has(request.url.split("?", 1)[0]!)) return done();
    if (loopLate) return done(refusal(`the event loop is over ${maxLoopDelayMs} ms behind`));
    const waiting: Waiting = {
      arrivedAt: 0,
      admit: () => {
        // 'close' comes once for every response, sent or abandoned by the client.
        reply.raw.once("close", () => {
          inFlight--;
        });
        done();
      },
      refuse: (error) => done(error),
    };
    if (maxQueueMs <= 0) {
      start(waiting, 0, null);
      return;
    }
    const now = performance.now();
    if (!inTurn) {
      inTurn = true;
      turnStart = now;
      schedule();
    }
    if (head === queue.length && now - turnStart < budget) start(waiting, now, null);
    else {
      waiting.arrivedAt = turnStart;
      queue.push(waiting);
    }
  });
  return {
    overloaded: () => loopLate || performance.now() - lastRefusal < REFUSAL_MEMORY_MS,
    inFlight: () => inFlight,
    queued: () => queue.length - head,
  };
}
