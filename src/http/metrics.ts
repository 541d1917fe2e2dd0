/**
 * Prometheus metrics. Each server has its own registry so several servers in one process (tests) never
 * collide. Gauges that reflect the database are read at scrape time, not kept in memory, so every
 * process behind a load balancer reports the same truth.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Api } from "./types.js";

export interface PurchaseStateCounts {
  byState: Record<string, number>;
  hanging: number;
}

export interface Metrics {
  registry: Registry;
  sweeperRuns: Counter<"job">;
  sweeperItems: Counter<"job">;
}

export function installMetrics(app: Api, readPurchaseStates: () => Promise<PurchaseStateCounts>): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "kopilka_" });

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
  const purchases = new Gauge({
    name: "kopilka_purchases",
    help: "Purchases by state",
    labelNames: ["state"] as const,
    registers: [registry],
  });
  const hanging = new Gauge({
    name: "kopilka_purchases_hanging",
    help: "Calculated purchases past their TTL that the sweeper has not expired yet, plus those it expired in the last 24 hours",
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

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    done();
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const counts = await readPurchaseStates();
    purchases.reset();
    for (const [state, n] of Object.entries(counts.byState)) purchases.set({ state }, n);
    hanging.set(counts.hanging);
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  return { registry, sweeperRuns, sweeperItems };
}
