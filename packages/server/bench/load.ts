/**
 * Load drivers: autocannon (closed loop, or its per-second `overallRate` limiter) and a small open-loop
 * pacer that sends at evenly spaced instants, both fed by one Workload that builds each request.
 */
import { Agent, request as httpRequest } from "node:http";
import autocannon from "autocannon";

export interface NextRequest {
  path: string;
  body: string;
  /** Handed back to done(), e.g. the purchase id. */
  tag: string;
}

export interface Workload {
  method: "POST" | "GET";
  headers: Record<string, string>;
  next(): NextRequest;
  done?(status: number, body: string, tag: string): void;
}

export interface Measurement {
  name: string;
  driver: "autocannon" | "autocannon-rate" | "paced";
  connections: number;
  /** Requests per second asked for (rate-limited runs only). */
  targetRate: number | null;
  durationS: number;
  requests: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Error codes of the refused answers (`code` of the error body), counted. */
  errorCodes: Record<string, number>;
  /** p99 of the 2xx answers only (paced runs): what the answered callers waited under overload. */
  answeredP99Ms?: number;
  /** Share of all CPUs used by processes outside the benchmark meanwhile (noise from the machine). */
  foreignCpuPct?: number;
  /** CPU used by the server under load, in % of one CPU (100% = one core saturated). */
  serverCpuPct?: number;
}

/** Counts the `code` of an error answer's body, so a refused phase says why. */
function tallyError(codes: Record<string, number>, status: number, body: string): void {
  if (status < 400) return;
  const code = /"code":"([A-Z0-9_]+)"/.exec(body)?.[1] ?? `HTTP_${status}`;
  codes[code] = (codes[code] ?? 0) + 1;
}

export interface AutocannonRun {
  name: string;
  url: string;
  workload: Workload;
  connections: number;
  /** Seconds; ignored when amount is set. */
  duration?: number;
  /** Exactly this many requests in all (each built by workload.next() once). */
  amount?: number;
  overallRate?: number;
}

export async function runAutocannon(run: AutocannonRun): Promise<Measurement> {
  const { workload } = run;
  type Ctx = { tag?: string };
  const startedAt = performance.now();
  let lastResponseAt = startedAt;
  const errorCodes: Record<string, number> = {};
  const result = await autocannon({
    url: run.url,
    connections: run.connections,
    pipelining: 1,
    timeout: 10,
    // A server that stops answering fails every connection at once: give up instead of waiting.
    bailout: run.connections,
    ...(run.amount !== undefined ? { amount: run.amount } : { duration: run.duration ?? 10 }),
    ...(run.overallRate !== undefined
      ? { overallRate: run.overallRate, ignoreCoordinatedOmission: true }
      : {}),
    requests: [
      {
        method: workload.method,
        headers: workload.headers,
        setupRequest(req, context) {
          const next = workload.next();
          (context as Ctx).tag = next.tag;
          return { ...req, path: next.path, body: next.body };
        },
        onResponse(status, body, context) {
          lastResponseAt = performance.now();
          tallyError(errorCodes, status, body);
          workload.done?.(status, body, (context as Ctx).tag ?? "");
        },
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = stat.count ?? 0;
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  // With `amount`, autocannon notices the end only at its next one-second tick and reports whole
  // seconds: time such runs to their last response instead.
  const durationS = run.amount !== undefined ? (lastResponseAt - startedAt) / 1000 : result.duration;
  return {
    name: run.name,
    driver: run.overallRate !== undefined ? "autocannon-rate" : "autocannon",
    connections: run.connections,
    targetRate: run.overallRate ?? null,
    durationS,
    requests: total,
    // Served answers only: a 503 of load shedding costs little and would flatter the rate.
    rps: (total - result.non2xx) / durationS,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    errorCodes,
  };
}

export interface PacedRun {
  name: string;
  host: string;
  port: number;
  workload: Workload;
  rate: number;
  durationS: number;
  /** Sockets at most (default 256: that many tills at once). */
  maxSockets?: number;
}

/** A request unanswered this long counts as a timeout: a till gave up long before. */
const PACED_TIMEOUT_MS = 10_000;

/** Answers of requests sent one by one (paced or burst), timed from the instant each was due. */
class OpenLoopTally {
  readonly latencies: number[] = [];
  readonly answered: number[] = [];
  readonly statusCodes: Record<string, number> = {};
  readonly errorCodes: Record<string, number> = {};
  errors = 0;
  timeouts = 0;

  constructor(
    private readonly workload: Workload,
    private readonly target: { host: string; port: number; agent: Agent | false },
  ) {}

  /** Sends the workload's next request; `settled` is called once, answered or failed. */
  send(dueAt: number, settled: () => void): void {
    const next = this.workload.next();
    const req = httpRequest(
      {
        agent: this.target.agent,
        host: this.target.host,
        port: this.target.port,
        method: this.workload.method,
        path: next.path,
        headers: { ...this.workload.headers, "content-length": Buffer.byteLength(next.body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const latency = performance.now() - dueAt;
          this.latencies.push(latency);
          if (status >= 200 && status < 300) this.answered.push(latency);
          this.statusCodes[status] = (this.statusCodes[status] ?? 0) + 1;
          const body = Buffer.concat(chunks).toString();
          tallyError(this.errorCodes, status, body);
          this.workload.done?.(status, body, next.tag);
          settled();
        });
      },
    );
    req.setTimeout(PACED_TIMEOUT_MS, () => {
      this.timeouts++;
      req.destroy(new Error("timeout"));
    });
    req.on("error", () => {
      this.errors++;
      settled();
    });
    req.end(next.body);
  }

  measurement(
    run: { name: string; connections: number; targetRate: number | null },
    durationS: number,
  ): Measurement {
    const { latencies, answered } = this;
    latencies.sort((x, y) => x - y);
    answered.sort((x, y) => x - y);
    const quantile = (values: number[], p: number) =>
      values[Math.min(values.length - 1, Math.floor(p * values.length))] ?? Number.NaN;
    return {
      name: run.name,
      driver: "paced",
      connections: run.connections,
      targetRate: run.targetRate,
      durationS,
      requests: latencies.length,
      rps: latencies.length / durationS,
      p50Ms: quantile(latencies, 0.5),
      p90Ms: quantile(latencies, 0.9),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      answeredP99Ms: quantile(answered, 0.99),
      non2xx: latencies.length - answered.length,
      errors: this.errors,
      timeouts: this.timeouts,
      statusCodes: this.statusCodes,
      errorCodes: this.errorCodes,
    };
  }
}

/**
 * Open loop: request k is due at start + k/rate and its latency counts from that instant, so a slow
 * answer cannot hide the requests that queued behind it (no coordinated omission).
 */
export async function runPaced(run: PacedRun): Promise<Measurement> {
  const agent = new Agent({ keepAlive: true, maxSockets: run.maxSockets ?? 256 });
  const tally = new OpenLoopTally(run.workload, { host: run.host, port: run.port, agent });
  const total = Math.round(run.rate * run.durationS);
  const start = performance.now();
  let sent = 0;
  let finished = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((r) => {
    resolveAll = r;
  });
  const settle = () => {
    finished++;
    if (finished === total) resolveAll();
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed / 1000) * run.rate) + 1);
      while (sent < due) {
        tally.send(start + (sent / run.rate) * 1000, settle);
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  if (total > 0) await all;
  const durationS = (performance.now() - start) / 1000;
  agent.destroy();
  return tally.measurement({ name: run.name, connections: 0, targetRate: run.rate }, durationS);
}

export interface BurstRun {
  name: string;
  host: string;
  port: number;
  workload: Workload;
  /** Tills that connect at once, each on a new connection, each sending one request. */
  tills: number;
}

/**
 * Tills that connect at the same instant (a store opening, a network coming back), each with one
 * request on a connection of its own; latency counts from the instant all were started.
 */
export async function runBurst(run: BurstRun): Promise<Measurement> {
  const tally = new OpenLoopTally(run.workload, { host: run.host, port: run.port, agent: false });
  const start = performance.now();
  await Promise.all(
    Array.from({ length: run.tills }, () => new Promise<void>((resolve) => tally.send(start, resolve))),
  );
  const durationS = (performance.now() - start) / 1000;
  return tally.measurement({ name: run.name, connections: run.tills, targetRate: null }, durationS);
}
