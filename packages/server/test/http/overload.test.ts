/**
 * Load shedding (app/overload.ts): while the event loop is behind, API requests are refused at once with
 * 503 OVERLOADED and Retry-After, writing nothing; liveness and metrics still answer, readiness says 503.
 * The event loop is held busy here on purpose, the way a burst of work holds it.
 */
import { connect } from "node:net";
import { availableParallelism } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  SECRET,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp({ OVERLOAD_MAX_LOOP_DELAY_MS: "100" });
  await calm();
  p = await seedPartner(t);
  await calm();
});

/** Until the guard no longer sheds (start-up and seeding hold the loop too, on a busy machine). */
async function calm(): Promise<void> {
  for (let i = 0; i < 250 && t.server.overload.overloaded(); i++) await new Promise((r) => setTimeout(r, 20));
}
afterAll(async () => t?.close());

/**
 * Keeps the event loop behind until the returned function is called: slices of 300 ms of busy work with
 * one turn of the loop between them, the way a backlog of work does. The guard samples every 100 ms and
 * sheds after three late samples in a row.
 */
function keepTheLoopBusy(): () => void {
  let busy = true;
  const slice = () => {
    if (!busy) return;
    const end = Date.now() + 300;
    while (Date.now() < end) {
      // busy: nothing else runs
    }
    setImmediate(slice);
  };
  setImmediate(slice);
  return () => {
    busy = false;
  };
}

async function untilOverloaded(): Promise<void> {
  for (let i = 0; i < 100 && !t.server.overload.overloaded(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("an overloaded server", () => {
  it("refuses API calls at once with 503 OVERLOADED and Retry-After, and writes nothing", async () => {
    const before = await writeCounts(t);
    const stop = keepTheLoopBusy();
    let answers: Awaited<ReturnType<typeof call>>[] = [];
    try {
      await untilOverloaded();
      expect(t.server.overload.overloaded()).toBe(true);
      answers = await Promise.all([
        call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "ov-1") }),
        call(t, "GET", "/health/live"),
        call(t, "GET", "/health/ready"),
        call(t, "GET", "/metrics"),
      ]);
    } finally {
      stop();
    }
    const [refused, live, ready, metrics] = answers as [
      Awaited<ReturnType<typeof call>>,
      Awaited<ReturnType<typeof call>>,
      Awaited<ReturnType<typeof call>>,
      Awaited<ReturnType<typeof call>>,
    ];
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(refused.json()).toMatchObject({ code: "OVERLOADED", details: { retryAfterSeconds: 1 } });
    expect(live.statusCode).toBe(200);
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ code: "NOT_READY" });
    expect(metrics.statusCode).toBe(200);
    expect(await writeCounts(t)).toEqual(before);
  });

  it("serves again once the loop has caught up", async () => {
    for (let i = 0; i < 100 && t.server.overload.overloaded(); i++)
      await new Promise((r) => setTimeout(r, 20));
    const res = await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.any,
      payload: receipt(p, "ov-2"),
    });
    expect(res.statusCode).toBe(200);
    expect((await call(t, "GET", "/health/ready")).statusCode).toBe(200);
  });
});

describe("a burst of sign-ins", () => {
  it("runs a few scrypt verifications at a time and refuses the rest at once with OVERLOADED, never a long wait", async () => {
    await calm();
    const parallel = Math.max(1, availableParallelism() - 1);
    const burst = 17 * parallel + 20;
    const answers = await Promise.all(
      Array.from({ length: burst }, () =>
        call(t, "POST", "/v1/auth/token", { payload: { login: p.logins.any, secret: SECRET } }),
      ),
    );
    const refused = answers.filter((a) => a.statusCode === 503);
    const granted = answers.filter((a) => a.statusCode === 200);
    expect(granted.length + refused.length).toBe(burst);
    expect(refused.length).toBeGreaterThan(0);
    expect(granted.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.json()).toMatchObject({ code: "OVERLOADED" });
      expect(r.headers["retry-after"]).toBe("1");
    }
    const token = granted[0]!.json().accessToken as string;
    await calm();
    const res = await call(t, "POST", "/v1/purchases/calculate", { token, payload: receipt(p, "ov-3") });
    expect(res.statusCode).toBe(200);
  });
});

interface RawAnswer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown>;
}

/**
 * A till on its own TCP connection, so that a test decides when each byte goes out: connected first,
 * then its calculate written at once, or its head now and its body later (a slow line).
 */
async function openTill(port: number, partner: SeededPartner) {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let raw = "";
  socket.on("data", (chunk) => {
    raw += chunk.toString();
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  let rest = "";
  return {
    /** Writes the calculate's head and the first `bodyBytes` of its body (all of it by default). */
    send(purchaseId: string, bodyBytes?: number) {
      const body = JSON.stringify(receipt(partner, purchaseId));
      const sent = body.slice(0, bodyBytes ?? body.length);
      rest = body.slice(sent.length);
      socket.write(
        `POST /v1/purchases/calculate HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
          `Authorization: Bearer ${partner.tokens.any}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${sent}`,
      );
    },
    /** Sends what is left of the body, and reads the answer. */
    async answer(): Promise<RawAnswer> {
      // Not end(): a till keeps its side open until the answer (the server closes: Connection: close).
      if (rest !== "") socket.write(rest);
      await closed;
      const [head = "", body = ""] = raw.split("\r\n\r\n", 2);
      return {
        status: Number(head.split(" ", 2)[1]),
        retryAfter: /^retry-after: *(.*)$/im.exec(head)?.[1]?.trim() ?? null,
        body: JSON.parse(body) as Record<string, unknown>,
      };
    },
  };
}

/** Listens on a loopback port for real sockets (inject would not go through them). */
async function listening(app: TestApp): Promise<number> {
  return Number(new URL(await app.server.app.listen({ host: "127.0.0.1", port: 0 })).port);
}

/**
 * `count` tills connected, once the server holds every connection: Node accepts one per turn of the loop,
 * and a burst must find all of them waiting.
 */
async function openTills(app: TestApp, port: number, partner: SeededPartner, count: number) {
  const tills = await Promise.all(Array.from({ length: count }, () => openTill(port, partner)));
  for (let i = 0; i < 200 && (await connectionsOf(app)) < count; i++)
    await new Promise((r) => setTimeout(r, 10));
  return tills;
}

function connectionsOf(app: TestApp): Promise<number> {
  return new Promise((resolve, reject) =>
    app.server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

async function calculateOnce(port: number, partner: SeededPartner, purchaseId: string): Promise<RawAnswer> {
  const till = await openTill(port, partner);
  till.send(purchaseId);
  return till.answer();
}

describe("a burst of tills that the process cannot read in time", () => {
  const BURST = 40;
  let busy: TestApp;
  let bp: SeededPartner;
  let port: number;

  beforeAll(async () => {
    // A request may wait 1 ms unread: a burst that arrives at once is more than one turn can read in that.
    busy = await startTestApp({ OVERLOAD_MAX_QUEUE_MS: "1" });
    bp = await seedPartner(busy);
    port = await listening(busy);
  });
  afterAll(async () => busy?.close());
  /**
   * An injected call in a turn of its own: injected calls that follow one another within one turn would
   * count as requests that waited in it, and this server lets a request wait only 1 ms.
   */
  const inTurnOfItsOwn: typeof call = async (...args) => {
    await new Promise((r) => setImmediate(r));
    return call(...args);
  };

  it("answers every one: the first with their result, the rest at once with 503 OVERLOADED, writing nothing for them", async () => {
    const tills = await openTills(busy, port, bp, BURST);
    // Every till sends in the same instant, so the server finds all of them waiting in one turn.
    for (const [i, till] of tills.entries()) till.send(`burst-${i}`);
    const answers = (await Promise.all(tills.map((till) => till.answer()))).map((a, i) => ({
      ...a,
      id: `burst-${i}`,
    }));
    await busy.server.services.purchases.settled();
    const served = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 503);
    expect(served.length + refused.length).toBe(BURST);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.retryAfter).toBe("1");
      expect(r.body).toMatchObject({ code: "OVERLOADED", details: { retryAfterSeconds: 1 } });
    }
    // Readiness tells a balancer to steer away right after a refusal; liveness does not change.
    expect((await inTurnOfItsOwn(busy, "GET", "/health/ready")).statusCode).toBe(503);
    expect((await inTurnOfItsOwn(busy, "GET", "/health/live")).statusCode).toBe(200);
    for (const r of refused)
      expect(
        (await inTurnOfItsOwn(busy, "GET", `/v1/purchases/${r.id}`, { token: bp.tokens.any })).statusCode,
      ).toBe(404);
    for (const s of served)
      expect(
        (await inTurnOfItsOwn(busy, "GET", `/v1/purchases/${s.id}`, { token: bp.tokens.any })).statusCode,
      ).toBe(200);
  });

  it("is ready again a second after the last refusal, and a till's retry is served", async () => {
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await inTurnOfItsOwn(busy, "GET", "/health/ready")).statusCode).toBe(200);
    expect((await calculateOnce(port, bp, "burst-0")).status).toBe(200);
  });
});

describe("a burst longer than the queue may hold", () => {
  const BURST = 150;
  let queued: TestApp;
  let qp: SeededPartner;
  let port: number;

  beforeAll(async () => {
    // 150 calculates take well over 60 ms of work, so the wait of the last ones can be foreseen.
    queued = await startTestApp({ OVERLOAD_MAX_QUEUE_MS: "60" });
    qp = await seedPartner(queued);
    port = await listening(queued);
  });
  afterAll(async () => queued?.close());

  it("refuses the requests that would wait too long before it serves those ahead of them, not after", async () => {
    const WARM = 40;
    const opened = await openTills(queued, port, qp, WARM + BURST);
    // The pace of the queue is measured on requests that waited in it, and forecasts for a second: a first
    // burst, sent at once so that it queues, teaches it right before the one measured. (Opening the tills
    // may take longer than a second on a busy machine.)
    const warm = opened.slice(0, WARM);
    for (const [i, till] of warm.entries()) till.send(`warm-${i}`);
    await Promise.all(warm.map((till) => till.answer()));
    const tills = opened.slice(WARM);
    for (const [i, till] of tills.entries()) till.send(`queue-${i}`);
    // The order in which the answers reach the tills.
    const arrived: number[] = [];
    await Promise.all(tills.map((till) => till.answer().then((a) => arrived.push(a.status))));
    const lastServed = arrived.lastIndexOf(200);
    const firstRefused = arrived.indexOf(503);
    expect(arrived.length).toBe(BURST);
    expect(lastServed).toBeGreaterThanOrEqual(0);
    expect(firstRefused).toBeGreaterThanOrEqual(0);
    // Refused only once their wait had run out, they would all come after the last one served.
    expect(firstRefused).toBeLessThan(lastServed);
  });

  it("serves callers that resend at once after a refusal, as long as their wait stays under the limit", async () => {
    // Right after the burst's refusals, twelve tills in a closed loop: each sends again as soon as it has
    // an answer, a refusal included. Twelve calculates wait far less than 60 ms, so the forecast must let
    // them through: the burst's refusals are not work, and a refused caller is not refused again for
    // having come back at once.
    const TILLS = 12;
    const EACH = 15;
    const statuses: number[] = [];
    let refusals = 0;
    await Promise.all(
      Array.from({ length: TILLS }, async (_, till) => {
        for (let k = 0; k < EACH; k++) {
          let answer = await calculateOnce(port, qp, `loop-${till}-${k}`);
          for (let retry = 0; answer.status === 503 && retry < 50; retry++) {
            refusals++;
            answer = await calculateOnce(port, qp, `loop-${till}-${k}`);
          }
          statuses.push(answer.status);
        }
      }),
    );
    expect(statuses.length).toBe(TILLS * EACH);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // A stall of the process (a collection, the other test worker) may refuse the calls waiting through it;
    // a loop feeding on itself refuses every call, many times over.
    expect(refusals).toBeLessThan((TILLS * EACH) / 2);
  });
});

describe("more requests at once than the process works on", () => {
  const LIMIT = 4;
  let busy: TestApp;
  let bp: SeededPartner;
  let port: number;

  beforeAll(async () => {
    busy = await startTestApp({ OVERLOAD_MAX_IN_FLIGHT: String(LIMIT) });
    bp = await seedPartner(busy);
    port = await listening(busy);
  });
  afterAll(async () => busy?.close());

  it("refuses a request beyond the limit at once, writes nothing for it, and serves again when one ends", async () => {
    // Tills on slow lines: their heads are in, their bodies are not, so the server is working on them.
    const slow = await Promise.all(Array.from({ length: LIMIT }, () => openTill(port, bp)));
    for (const [i, till] of slow.entries()) till.send(`slow-${i}`, 10);
    for (let i = 0; i < 200 && busy.server.overload.inFlight() < LIMIT; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(busy.server.overload.inFlight()).toBe(LIMIT);
    const metrics = await call(busy, "GET", "/metrics");
    expect(metrics.body).toMatch(new RegExp(`^kopilka_http_requests_in_flight ${LIMIT}$`, "m"));
    expect(metrics.body).toMatch(/^kopilka_http_requests_queued 0$/m);

    const refused = await calculateOnce(port, bp, "one-too-many");
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("1");
    expect(refused.body).toMatchObject({ code: "OVERLOADED" });
    expect((await call(busy, "GET", "/health/ready")).statusCode).toBe(503);

    for (const answer of await Promise.all(slow.map((till) => till.answer())))
      expect(answer.status).toBe(200);
    for (let i = 0; i < 200 && busy.server.overload.inFlight() > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(busy.server.overload.inFlight()).toBe(0);
    await busy.server.services.purchases.settled();
    expect((await call(busy, "GET", "/v1/purchases/one-too-many", { token: bp.tokens.any })).statusCode).toBe(
      404,
    );
    expect((await calculateOnce(port, bp, "one-too-many")).status).toBe(200);
  });
});
