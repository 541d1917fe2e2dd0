/**
 * Prometheus metrics. Each server has its own registry so several servers in one process (tests) never
 * collide. Gauges that reflect the database are read at scrape time, not kept in memory, so every
 * process behind a load balancer reports the same truth.
 *
 * The process and Node.js metrics keep prom-client's standard names, with no prefix (`process_cpu_seconds_total`,
 * `nodejs_heap_size_used_bytes`, `nodejs_eventloop_lag_seconds`, …), which ready-made Node.js dashboards
 * expect; Kopilka's own are `kopilka_*`. The exposition passes `promtool check metrics`.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CheckpointReport } from "../../infra/db/wal-checkpointer.js";
import type { OpenPurchaseCounts } from "../../modules/purchases/index.js";
import type { Api } from "../http/types.js";

export interface Metrics {
  registry: Registry;
  purchaseEvents: Counter<"kind">;
  sweeperRuns: Counter<"job">;
  sweeperItems: Counter<"job">;
  capHits: Counter<"cap">;
  /** Counts a background checkpoint of the embedded database's log (infra/db/wal-checkpointer.ts). */
  walCheckpoint(report: CheckpointReport): void;
  /** Gives the gauges of API requests in flight and queued their source (the overload guard counts them). */
  readAdmission(source: { inFlight(): number; queued(): number }): void;
}

const GAUGES_NAMED_TOTAL = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export function installMetrics(app: Api, readOpenPurchases: () => Promise<OpenPurchaseCounts>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which promtool refuses; the same figure is the sum of the per-type gauge
  // beside each (`sum(nodejs_active_handles)`).
  for (const name of GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);

  const requests = new Counter({
    name: "kopilka_http_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "kopilka_http_request_duration_seconds",
    help: "HTTP request latency by route",
    labelNames: ["method", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // Open purchases are few and indexed, so they are counted at scrape time; closed ones only grow, so
  // they are counted as they happen, per process (sum them across processes).
  const purchases = new Gauge({
    name: "kopilka_purchases",
    help: "Purchases in an open state (calculated: priced, not yet confirmed or cancelled)",
    labelNames: ["state"] as const,
    registers: [registry],
  });
  const purchaseEvents = new Counter({
    name: "kopilka_purchase_events_total",
    help: "Purchase events written by this process: calculated, recalculated, bonus_payment, confirmed, confirm_hanging, recovered, cancelled, refunded, expired",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const hanging = new Gauge({
    name: "kopilka_purchases_hanging",
    help: "Hanging purchases: calculated ones past their TTL not yet expired by the sweeper, those whose TTL ended in the last 24 hours, and late confirms waiting for an operator",
    registers: [registry],
  });
  const sweeperRuns = new Counter({
    name: "kopilka_sweeper_runs_total",
    help: "Sweeper job runs",
    labelNames: ["job"] as const,
    registers: [registry],
  });
  const sweeperItems = new Counter({
    name: "kopilka_sweeper_items_total",
    help: "Items a sweeper job processed (purchases expired, lots activated or expired)",
    labelNames: ["job"] as const,
    registers: [registry],
  });

  const capHits = new Counter({
    name: "kopilka_anti_fraud_cap_hits_total",
    help: "Anti-fraud cap hits by this process, by cap: refused bonus payments and refunds, trimmed accruals",
    labelNames: ["cap"] as const,
    registers: [registry],
  });

  const checkpointPages = new Counter({
    name: "kopilka_sqlite_checkpoint_pages_total",
    help: "Embedded database: pages of the write-ahead log this process's worker thread copied into the file (about)",
    registers: [registry],
  });
  const checkpointSeconds = new Histogram({
    name: "kopilka_sqlite_checkpoint_duration_seconds",
    help: "Embedded database: how long each background checkpoint that copied pages took (off the event loop)",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const logPages = new Gauge({
    name: "kopilka_sqlite_wal_pages",
    help: "Embedded database: pages in the write-ahead log at the last background checkpoint",
    registers: [registry],
  });

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const counts = await readOpenPurchases();
    purchases.set({ state: "calculated" }, counts.calculated);
    hanging.set(counts.hanging);
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  let admission = { inFlight: () => 0, queued: () => 0 };
  new Gauge({
    name: "kopilka_http_requests_in_flight",
    help: "API requests this process is working on now (above OVERLOAD_MAX_IN_FLIGHT, new ones are refused)",
    registers: [registry],
    collect() {
      this.set(admission.inFlight());
    },
  });
  new Gauge({
    name: "kopilka_http_requests_queued",
    help: "API requests read and waiting for their turn (refused when their wait would pass OVERLOAD_MAX_QUEUE_MS)",
    registers: [registry],
    collect() {
      this.set(admission.queued());
    },
  });

  return {
    registry,
    purchaseEvents,
    sweeperRuns,
    sweeperItems,
    capHits,
    walCheckpoint: (report) => {
      logPages.set(report.logPages);
      if (report.pages === 0) return;
      checkpointPages.inc(report.pages);
      checkpointSeconds.observe(report.ms / 1000);
    },
    readAdmission: (source) => {
      admission = source;
    },
  };
}
