/**
 * Load shedding (app/overload.ts): while the event loop is behind, API requests are refused at once with
 * 503 OVERLOADED and Retry-After, writing nothing; liveness and metrics still answer, readiness says 503.
 * The event loop is held busy here on purpose, the way a burst of work holds it.
 */
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
