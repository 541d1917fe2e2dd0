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
 * waits in a queue, first come first served, and after each poll the queue starts as many as fit in the
 * budget at the pace measured, at most MAX_STARTS_PER_TURN (setImmediate), so the loop comes back to
 * accept and read after a few.
 *
 * **A backlog larger than the process can work off.** Requests are refused at once with `503 OVERLOADED`
 * and `Retry-After`, before anything is parsed, authenticated or written: a refusal costs far less than
 * the work, so the backlog drains and the answers that are given stay fast. Every mutating call is
 * idempotent, so the till simply retries. Three signals refuse:
 * - **Queue time** (OVERLOAD_MAX_QUEUE_MS): a request whose turn began more than that long ago when its
 *   work would start. Every request read in one turn was already waiting when the turn began, so this is a
 *   lower bound of its wait, measured without a timer (an idle process measures nothing). A request is
 *   refused as soon as its wait can be foreseen to pass the limit (the requests ahead of it times the
 *   measured work per request), not once it has: a till held for nothing holds its connection, and under
 *   a steady overload the callers behind it then wait for connections, for seconds. The work per request
 *   leaves out the time spent answering refusals: a caller that resends at once after a refusal (a closed
 *   loop, a PharmApi client that ignores `Retry-After`) would otherwise lengthen the forecast with every
 *   refusal and be refused again and again while the real wait stayed under the limit.
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
import type { Language } from "@kopilka/contract";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { languageOf, toErrorPayload } from "../api/http/error-handler.js";
import type { Api } from "../api/http/types.js";
import { DomainError } from "../kernel/errors.js";

const SAMPLE_MS = 100;
const SAMPLES = 3;
const RETRY_AFTER_SECONDS = 1;
/** How long after a refusal for lack of room the process still reports itself not ready. */
const REFUSAL_MEMORY_MS = 1_000;
/** Request work (ms) one turn of the event loop does before it lets the loop accept and read again. */
const TURN_BUDGET_MS = 5;
/** Waiting requests one turn starts at most. */
const MAX_STARTS_PER_TURN = 4;
/** How many of the latest turns the pace of the queue is the mean of. */
const RECENT_TURNS = 64;
/**
 * How old (ms) the pace may be for a forecast: it is measured only while requests wait, so after a quiet
 * spell it may describe other work (start-up, an earlier burst of heavier calls).
 */
const PACE_FRESH_MS = 1_000;

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
  /** The caller hung up while it waited: nobody would read the answer. */
  gone: () => boolean;
  admit: () => void;
  refuse: (reason: RefusalReason) => void;
}

type RefusalReason = "queue" | "in_flight" | "event_loop";

/** Requests this module refused: the request log counts them instead of writing a line for each. */
const shed = new WeakSet<FastifyRequest>();

/** Whether the overload guard refused this request (request-logging.ts leaves those to its summary). */
export function wasShed(request: FastifyRequest): boolean {
  return shed.has(request);
}

/**
 * The refusal's body in each language, rendered once: under overload a refusal must cost far less than
 * the work it spares (no error object, no stack, no per-request log line).
 */
const refusalBodies = new Map<Language, string>();
function refusalBody(lang: Language): string {
  let body = refusalBodies.get(lang);
  if (body === undefined) {
    const error = new DomainError("OVERLOADED", "overloaded", { retryAfterSeconds: RETRY_AFTER_SECONDS });
    body = JSON.stringify(toErrorPayload(error, lang).body);
    refusalBodies.set(lang, body);
  }
  return body;
}

/** How often, at most, the refusals are summed up in the log. */
const REFUSAL_LOG_INTERVAL_MS = 1_000;

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
  // Refusals since the last summary line, by reason and by route.
  let refusedSinceLog: Record<RefusalReason, number> = { queue: 0, in_flight: 0, event_loop: 0 };
  let refusedRoutes = new Map<string, number>();
  let summary: NodeJS.Timeout | null = null;
  const logRefusals = () => {
    summary = null;
    const total = refusedSinceLog.queue + refusedSinceLog.in_flight + refusedSinceLog.event_loop;
    if (total === 0) return;
    const routes = [...refusedRoutes].sort((a, b) => b[1] - a[1]).slice(0, 5);
    app.log.warn(
      {
        code: "OVERLOADED",
        status: 503,
        refused: total,
        reasons: refusedSinceLog,
        routes: Object.fromEntries(routes),
      },
      "requests refused: overloaded",
    );
    refusedSinceLog = { queue: 0, in_flight: 0, event_loop: 0 };
    refusedRoutes = new Map();
  };
  app.addHook("onClose", async () => {
    if (summary) clearTimeout(summary);
    logRefusals();
  });
  /** Time (ms) spent refusing since the queue's pace was last measured: not part of the work per request. */
  let refusingMs = 0;
  const refuse = (request: FastifyRequest, reply: FastifyReply, reason: RefusalReason) => {
    const now = performance.now();
    lastRefusal = now;
    shed.add(request);
    refusedSinceLog[reason]++;
    const route = request.routeOptions.url ?? "unmatched";
    refusedRoutes.set(route, (refusedRoutes.get(route) ?? 0) + 1);
    if (!summary) {
      summary = setTimeout(logRefusals, REFUSAL_LOG_INTERVAL_MS);
      summary.unref();
    }
    const lang = languageOf(request);
    reply
      .code(503)
      .header("retry-after", String(RETRY_AFTER_SECONDS))
      .header("content-language", lang)
      .header("vary", "Accept-Language")
      .type("application/json; charset=utf-8")
      .send(refusalBody(lang));
    refusingMs += performance.now() - now;
  };
  /** Starts the request's work, or refuses it; `arrivedAt` null: it did not wait. */
  const start = (w: Waiting, now: number, arrivedAt: number | null): boolean => {
    if (arrivedAt !== null && maxQueueMs > 0 && now - arrivedAt > maxQueueMs) w.refuse("queue");
    else if (maxInFlight > 0 && inFlight >= maxInFlight) w.refuse("in_flight");
    else {
      inFlight++;
      w.admit();
      return true;
    }
    return false;
  };

  // The current turn: the requests read from the sockets in one poll phase.
  const budget = Math.min(TURN_BUDGET_MS, maxQueueMs);
  let turnStart = 0;
  let inTurn = false;
  const queue: Waiting[] = [];
  let head = 0;
  let scheduled = false;
  /**
   * How long (ms) the work of a waiting request takes once started, its share of the loop's turn
   * included and the time spent answering refusals left out (their reading and parsing stays in): the
   * mean over the latest turns that started some, as many as a full queue holds. 0 until measured.
   */
  let perRequestMs = 0;
  const recentPaces = new Array<number>(RECENT_TURNS).fill(0);
  let recentPacesSum = 0;
  let pacesMeasured = 0;
  let pacedAt = Number.NEGATIVE_INFINITY;
  /** When the previous turn started waiting requests and left others (0: it left none), and how many. */
  let drainedAt = 0;
  let startedInTurn = 0;
  /**
   * Whether a request waiting since `arrivedAt`, with `ahead` requests to start before it, would have
   * waited too long by its start; false without a recent pace to tell.
   */
  const wouldWaitTooLong = (arrivedAt: number, now: number, ahead: number) =>
    now - pacedAt <= PACE_FRESH_MS && now + ahead * perRequestMs - arrivedAt > maxQueueMs;
  /**
   * After each poll phase while requests wait: refuses those that waited too long (a refusal costs next
   * to nothing) and starts the work of the next ones, as many as the turn's budget holds at the pace
   * measured (one until it is, and at most MAX_STARTS_PER_TURN). Their work runs in the callbacks that
   * follow, not inside this one, so a turn could not stop itself after a budget of it: the pace decides
   * how many start. Several at once share one commit (SQLite's group commit waits for the end of the
   * turn) and one turn of the loop; more would make turns long, and Node accepts one connection per turn.
   * Scheduled from within a check phase, the next one runs after the next poll: the loop accepts and
   * reads in between.
   */
  const afterPoll = () => {
    scheduled = false;
    inTurn = false;
    const now = performance.now();
    if (drainedAt > 0 && startedInTurn > 0) {
      // After a quiet spell the paces held describe other work: the forecast starts over from this one.
      if (now - pacedAt > PACE_FRESH_MS) {
        recentPaces.fill(0);
        recentPacesSum = 0;
        pacesMeasured = 0;
      }
      const slot = pacesMeasured++ % recentPaces.length;
      const pace = Math.max(0, now - drainedAt - refusingMs) / startedInTurn;
      recentPacesSum += pace - recentPaces[slot]!;
      recentPaces[slot] = pace;
      perRequestMs = recentPacesSum / Math.min(pacesMeasured, recentPaces.length);
      pacedAt = now;
    }
    refusingMs = 0;
    while (head < queue.length && maxQueueMs > 0 && now - queue[head]!.arrivedAt > maxQueueMs) take(now);
    const starts =
      perRequestMs > 0 ? Math.min(MAX_STARTS_PER_TURN, Math.max(1, Math.floor(budget / perRequestMs))) : 1;
    startedInTurn = 0;
    for (let taken = 0; head < queue.length && taken < starts; ) {
      const outcome = take(now);
      // Requests of callers that hung up cost nothing and take no start; one refused (in flight) does.
      if (outcome !== "gone") taken++;
      if (outcome === "started") startedInTurn++;
    }
    // The newest of those left would start too late: refused now, they free their callers at once.
    while (
      head < queue.length &&
      // Those started in this turn run first: their work is ahead of every one left.
      wouldWaitTooLong(queue[queue.length - 1]!.arrivedAt, now, queue.length - 1 - head + startedInTurn)
    ) {
      const w = queue.pop()!;
      if (!w.gone()) w.refuse("queue");
    }
    drainedAt = head < queue.length ? now : 0;
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
  /** Starts or refuses the request at the head of the queue, unless its caller hung up. */
  const take = (now: number): "started" | "refused" | "gone" => {
    const w = queue[head]!;
    queue[head++] = undefined as unknown as Waiting;
    if (w.gone()) return "gone";
    return start(w, now, w.arrivedAt) ? "started" : "refused";
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(afterPoll);
  };

  app.addHook("onRequest", (request, reply, done: HookHandlerDoneFunction) => {
    if (ALWAYS_ANSWERED.has(request.url.split("?", 1)[0]!)) return done();
    // Answered from here, done() is not called: the request goes no further.
    if (loopLate) return refuse(request, reply, "event_loop");
    const waiting: Waiting = {
      arrivedAt: 0,
      gone: () => request.raw.destroyed,
      admit: () => {
        // 'close' comes once for every response, sent or abandoned by the client.
        reply.raw.once("close", () => {
          inFlight--;
        });
        done();
      },
      refuse: (reason) => refuse(request, reply, reason),
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
      // Refused at once rather than after waiting in vain: under overload, a refusal that keeps its
      // caller waiting keeps its connection too, and the callers behind it wait for connections.
      if (wouldWaitTooLong(turnStart, now, queue.length - head)) waiting.refuse("queue");
      else queue.push(waiting);
    }
  });
  return {
    overloaded: () => loopLate || performance.now() - lastRefusal < REFUSAL_MEMORY_MS,
    inFlight: () => inFlight,
    queued: () => queue.length - head,
  };
}
