/**
 * /metrics is valid Prometheus exposition with the standard Node.js metric names. `promtool check
 * metrics` judges a real scrape where promtool is installed (CI installs it: Debian's `prometheus`
 * package); elsewhere that one test is skipped, saying so.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";

const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" }).status === 0;
if (!promtool && process.env.REQUIRE_PROMTOOL) {
  throw new Error("REQUIRE_PROMTOOL is set (CI) but promtool is not on PATH");
}
if (!promtool) {
  console.warn(
    "SKIPPED: promtool is not on PATH, so `promtool check metrics` is not run (apt-get install prometheus)",
  );
}

let t: TestApp;
let p: SeededPartner;
let scrape: string;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  // Some traffic, so that every labelled family has samples.
  await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "mf-1") });
  await call(t, "POST", "/v1/purchases/mf-1/confirm", { token: p.tokens.any, payload: {} });
  await call(t, "GET", "/v1/nowhere");
  scrape = (await call(t, "GET", "/metrics")).body;
});
afterAll(async () => t?.close());

describe("the metrics exposition", () => {
  it("uses the standard Node.js names, unprefixed, beside Kopilka's own", () => {
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_heap_size_total_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_gc_duration_seconds",
      "nodejs_version_info",
      "kopilka_http_requests_total",
      "kopilka_purchase_events_total",
    ]) {
      expect(scrape, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    }
    expect(scrape).not.toMatch(/^# TYPE kopilka_(nodejs|process)_/m);
  });

  it("names no gauge like a counter", () => {
    const types = [...scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(types.length).toBeGreaterThan(20);
    for (const [name, type] of types) {
      if (name.endsWith("_total")) expect(type, name).toBe("counter");
    }
  });

  it.skipIf(!promtool)("passes promtool check metrics", () => {
    const result = spawnSync("promtool", ["check", "metrics"], { input: scrape, encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`.trim()).toBe("");
    expect(result.status).toBe(0);
  });
});
