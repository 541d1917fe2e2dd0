/**
 * `npm run bench`: measures the speed bars of PRODUCT.md §5 on this machine, in one run.
 *
 *  1. Seeds a fresh SQLite database with the repository's own functions (200 rules, 100k products, 1M
 *     cards) and times the cards import.
 *  2. Starts the real server (`node dist/cli/main.js serve`) on it, and two baselines as child processes:
 *     a bare Fastify route returning a captured calculate response, and a route doing one durable insert.
 *  3. Drives them with autocannon over loopback and prints requests/s, p50, p99, the ratios and PASS/FAIL
 *     per bar; writes build/bench/results.json. Exits 0 whatever the figures: it is a measurement.
 *
 * The p99 "at half load" bar uses autocannon's overallRate as asked. Its limiter lets every connection
 * send its share of each second back to back, so the 32 connections arrive in bursts at full speed for
 * part of each second: the p99 it reports is close to the saturated latency. The paced open-loop row
 * (evenly spaced requests, latency counted from the planned send time) is printed next to it for
 * reference.
 *
 * Tools for finding where the time goes: build/bench/profile-summary.js (summarises a .cpuprofile,
 * e.g. from BENCH_CPU_PROF) and build/bench/micro.js (in-process timings of each stage and each SQL
 * statement of calculate and confirm; needs BENCH_DB).
 *
 * Knobs (env): BENCH_DURATION (s, default 12), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (32),
 * BENCH_CARDS (1000000), BENCH_PRODUCTS (100000), BENCH_PHASES (bare,insert,calculate,confirm),
 * BENCH_CPU_PROF (directory: the server child runs with --cpu-prof and writes its profile there on exit),
 * BENCH_DB (path: reuse a database seeded by an earlier run instead of seeding; kept afterwards).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import SQLite from "better-sqlite3";
import { openDatabase } from "../src/infra/db/database.js";
import { migrateToLatest } from "../src/infra/db/migrate.js";
import { cardNumber } from "../src/modules/demo/index.js";
import {
  type Child,
  cpuSnapshot,
  foreignCpuShare,
  killAllChildren,
  type Memory,
  memoryOf,
  probe,
  startChild,
  stopChild,
  targetCpuPct,
} from "./children.js";
import { type Measurement, runAutocannon, runPaced, type Workload } from "./load.js";
import {
  BENCH_LOGIN,
  BENCH_SECRET,
  BENCH_STORE,
  FIRST_CARD,
  rng,
  type SeedTimings,
  seedBenchData,
  skuOf,
} from "./seed.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const serverScript = join(repo, "dist", "cli", "main.js");

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const DURATION = num("BENCH_DURATION", 12);
const WARMUP = num("BENCH_WARMUP", 3);
const CONNECTIONS = num("BENCH_CONNECTIONS", 32);
const CARDS = num("BENCH_CARDS", 1_000_000);
const PRODUCTS = num("BENCH_PRODUCTS", 100_000);
const PHASES = new Set((env.BENCH_PHASES ?? "bare,insert,calculate,confirm").split(",").map((s) => s.trim()));
const LINES_PER_RECEIPT = 10;
/** Share of the confirmed purchases that pay part of the receipt with points first. */
const BONUS_SHARE = 0.3;

const BARS = {
  calculateRatio: 0.4,
  confirmRatio: 0.6,
  halfLoadP99Ms: 10,
  cardsImportS: 60,
  rssMb: 300,
};

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

// ---------------------------------------------------------------- request generators

const random = rng(7);
const runId = randomBytes(3).toString("hex");
let purchaseSeq = 0;

/** Every card once, in random order: unique cards keep concurrent holds on one card out of the picture. */
function shuffledCards(count: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

const cardOrder = shuffledCards(CARDS);
let cardSeq = 0;
const nextCard = () => cardNumber(FIRST_CARD + cardOrder[cardSeq++ % CARDS]!);

/** 10-line receipts over random products, as JSON text of the "lines" array. */
const PRICES = [5_000, 12_900, 24_900, 39_900, 54_900, 79_900, 119_900, 249_900];
const QUANTITIES = [1000, 1000, 1000, 2000, 3000, 1500];
const receiptLines: string[] = Array.from({ length: 4096 }, () => {
  const picked = new Set<number>();
  while (picked.size < LINES_PER_RECEIPT) picked.add(Math.floor(random() * PRODUCTS));
  return JSON.stringify(
    [...picked].map((p, i) => ({
      lineId: String(i + 1),
      sku: skuOf(p),
      quantity: QUANTITIES[Math.floor(random() * QUANTITIES.length)]!,
      price: PRICES[Math.floor(random() * PRICES.length)]!,
    })),
  );
});

function calculateBody(purchaseId: string): string {
  const lines = receiptLines[Math.floor(random() * receiptLines.length)]!;
  return `{"purchaseId":"${purchaseId}","storeCode":"${BENCH_STORE}","posCode":"POS-1","cardNumber":"${nextCard()}","lines":${lines}}`;
}

interface Calculated {
  id: string;
  maxPayment: number;
}

/** Purchases the server calculated (2xx), each to be confirmed exactly once. */
const calculated: Calculated[] = [];

function calculateWorkload(headers: Record<string, string>, record: boolean): Workload {
  return {
    method: "POST",
    headers,
    next() {
      const id = `b${runId}-${++purchaseSeq}`;
      return { path: "/v1/purchases/calculate", body: calculateBody(id), tag: id };
    },
    done(status, body, tag) {
      if (!record || status !== 200) return;
      const at = body.indexOf('"maxPayment":');
      const maxPayment = at < 0 ? 0 : Number.parseInt(body.slice(at + 13, at + 30), 10);
      calculated.push({ id: tag, maxPayment: Number.isFinite(maxPayment) ? maxPayment : 0 });
    },
  };
}

/** One request per item of `items`, in order, each exactly once (autocannon is run with amount = length). */
function listWorkload<T>(
  headers: Record<string, string>,
  items: T[],
  build: (item: T) => { path: string; body: string },
): Workload {
  let i = 0;
  return {
    method: "POST",
    headers,
    next() {
      const item = items[i++];
      if (item === undefined)
        throw new Error("list workload overrun: autocannon asked for more requests than planned");
      return { ...build(item), tag: String(i) };
    },
  };
}

function takeShuffled(n: number): Calculated[] {
  for (let i = calculated.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = calculated[i]!;
    calculated[i] = calculated[j]!;
    calculated[j] = t;
  }
  return calculated.splice(0, n);
}

// ---------------------------------------------------------------- helpers

async function postJson(
  port: number,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function printMeasurements(rows: Measurement[]): void {
  const header = [
    "measurement",
    "driver",
    "conns",
    "target/s",
    "req",
    "req/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "non2xx",
    "errors",
    "server CPU",
    "others CPU",
  ];
  const body = rows.map((m) => [
    m.name,
    m.driver,
    m.connections ? String(m.connections) : "-",
    m.targetRate === null ? "-" : String(m.targetRate),
    String(m.requests),
    fmt(m.rps),
    fmt(m.p50Ms, 2),
    fmt(m.p90Ms, 2),
    fmt(m.p99Ms, 2),
    fmt(m.maxMs, 1),
    String(m.non2xx),
    String(m.errors + m.timeouts),
    m.serverCpuPct === undefined ? "-" : `${fmt(m.serverCpuPct)}%`,
    m.foreignCpuPct === undefined ? "-" : `${fmt(m.foreignCpuPct)}%`,
  ]);
  printTable(header, body);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  process.stdout.write(`${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

// ---------------------------------------------------------------- the run

interface Results {
  machine: { cpus: number; node: string };
  /** The commit measured, "+dirty" when the working tree had changes. */
  revision: string;
  settings: {
    durationS: number;
    warmupS: number;
    connections: number;
    cards: number;
    products: number;
    rules: number;
  };
  seed: (SeedTimings & { reused: boolean }) | null;
  measurements: Measurement[];
  server: Memory | null;
  confirmedInDatabase: number | null;
  bars: { bar: string; value: number | null; target: string; pass: boolean | null }[];
}

function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--", "src").length > 0 ? "+dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

/** Temporary directories to remove on every exit path. */
const temporary: string[] = [];

function removeTemporary(): void {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "kopilka-bench-"));
  temporary.push(work);
  const reuse = env.BENCH_DB ? resolve(env.BENCH_DB) : null;
  const dbPath = reuse ?? join(work, "kopilka.db");
  const children: Child[] = [];
  const results: Results = {
    machine: { cpus: availableParallelism(), node: process.version },
    revision: revision(),
    settings: {
      durationS: DURATION,
      warmupS: WARMUP,
      connections: CONNECTIONS,
      cards: CARDS,
      products: PRODUCTS,
      rules: 200,
    },
    seed: null,
    measurements: [],
    server: null,
    confirmedInDatabase: null,
    bars: [],
  };
  const cpus = results.machine.cpus;
  let watched: number[] = [];
  /** The Kopilka server's port while it is the one under load: probed after timeouts. */
  let probing: number | null = null;
  const measure = async (run: () => Promise<Measurement>) => {
    const before = cpuSnapshot(watched);
    const m = await run();
    const after = cpuSnapshot(watched);
    m.foreignCpuPct = foreignCpuShare(before, after, cpus) * 100;
    m.serverCpuPct = targetCpuPct(before, after);
    results.measurements.push(m);
    if (m.timeouts > 0 && probing !== null)
      log(`${m.name}: ${m.timeouts} timeouts; server ${await probe(probing)}`);
    log(
      `${m.name}: ${fmt(m.rps)} req/s, p50 ${fmt(m.p50Ms, 2)} ms, p99 ${fmt(m.p99Ms, 2)} ms, non2xx ${m.non2xx}, errors ${m.errors + m.timeouts}, other processes ${fmt(m.foreignCpuPct, 0)}% CPU`,
    );
    return m;
  };

  try {
    // 1. Seed.
    if (reuse && existsSync(reuse)) {
      log(`reusing ${reuse} (BENCH_DB): no seeding`);
    } else {
      log(`seeding ${dbPath}: 200 rules, ${PRODUCTS} products, ${CARDS} cards`);
      const database = openDatabase(`sqlite:${dbPath}`);
      await migrateToLatest(database);
      const timings = await seedBenchData(database, { products: PRODUCTS, cards: CARDS }, Date.now());
      await database.close();
      results.seed = { ...timings, reused: false };
      log(
        `seeded: set-up ${fmt(timings.setupMs)} ms, products ${fmt(timings.productsMs / 1000, 1)} s, cards ${fmt(timings.cardsMs / 1000, 1)} s`,
      );
    }

    // 2. The real server.
    const profDir = env.BENCH_CPU_PROF ? resolve(env.BENCH_CPU_PROF) : null;
    if (profDir) mkdirSync(profDir, { recursive: true });
    const server = await startChild({
      name: "kopilka",
      script: serverScript,
      args: ["serve"],
      nodeArgs: profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
      env: {
        HOST: "127.0.0.1",
        DATABASE_URL: `sqlite:${dbPath}`,
        LOG_LEVEL: "warn",
        DEMO_DATA: "false",
        SWEEPER_INTERVAL_MS: "0",
      },
      readyPath: "/health/ready",
    });
    children.push(server);
    const serverPid = server.process.pid!;
    watched = [serverPid];
    log(`server pid ${serverPid} on port ${server.port}, RSS at start ${fmt(memoryOf(serverPid).rssMb)} MB`);
    const auth = await postJson(server.port, "/v1/auth/token", { login: BENCH_LOGIN, secret: BENCH_SECRET });
    const token = (auth.json as { accessToken?: string } | null)?.accessToken;
    if (auth.status !== 200 || !token) throw new Error(`token: ${auth.status} ${auth.text}`);
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const serverUrl = `http://127.0.0.1:${server.port}`;

    // A real calculate response of a 10-line receipt: the bare baseline's payload.
    const sample = await postJson(
      server.port,
      "/v1/purchases/calculate",
      JSON.parse(calculateBody(`b${runId}-sample`)),
      token,
    );
    if (sample.status !== 200) throw new Error(`calculate: ${sample.status} ${sample.text}`);
    const payloadFile = join(work, "calculate-response.json");
    writeFileSync(payloadFile, sample.text);
    log(`calculate response: ${Buffer.byteLength(sample.text)} bytes`);

    // 3a. Bare Fastify baseline.
    let bare: Measurement | null = null;
    if (PHASES.has("bare")) {
      const child = await startChild({
        name: "bare-fastify",
        script: join(here, "bare-server.js"),
        env: { PAYLOAD_FILE: payloadFile },
        readyPath: "/ready",
      });
      children.push(child);
      watched = [child.process.pid!, serverPid];
      probing = null;
      const url = `http://127.0.0.1:${child.port}`;
      await runAutocannon({
        name: "warm-up",
        url,
        workload: calculateWorkload(headers, false),
        connections: CONNECTIONS,
        duration: WARMUP,
      });
      bare = await measure(() =>
        runAutocannon({
          name: "bare fastify (same payload)",
          url,
          workload: calculateWorkload(headers, false),
          connections: CONNECTIONS,
          duration: DURATION,
        }),
      );
      await stopChild(child);
    }

    // 3b. Durable single-row insert baseline.
    let insert: Measurement | null = null;
    if (PHASES.has("insert")) {
      const child = await startChild({
        name: "durable-insert",
        script: join(here, "durable-insert-server.js"),
        env: { DB_FILE: join(work, "insert-baseline.db") },
        readyPath: "/ready",
      });
      children.push(child);
      watched = [child.process.pid!, serverPid];
      probing = null;
      const url = `http://127.0.0.1:${child.port}`;
      let seq = 0;
      const workload = (): Workload => ({
        method: "POST",
        headers,
        next: () => ({ path: `/v1/events/b${runId}-${++seq}/confirm`, body: "{}", tag: "" }),
      });
      await runAutocannon({
        name: "warm-up",
        url,
        workload: workload(),
        connections: CONNECTIONS,
        duration: WARMUP,
      });
      insert = await measure(() =>
        runAutocannon({
          name: "durable insert (sqlite FULL)",
          url,
          workload: workload(),
          connections: CONNECTIONS,
          duration: DURATION,
        }),
      );
      await stopChild(child);
    }

    watched = [serverPid];
    probing = server.port;
    // 4. Calculate: maximum rate, then half of it.
    let calcMax: Measurement | null = null;
    let calcHalf: Measurement | null = null;
    let calcPaced: Measurement | null = null;
    if (PHASES.has("calculate")) {
      await runAutocannon({
        name: "warm-up",
        url: serverUrl,
        workload: calculateWorkload(headers, true),
        connections: CONNECTIONS,
        duration: WARMUP,
      });
      calcMax = await measure(() =>
        runAutocannon({
          name: "calculate 10 lines (max)",
          url: serverUrl,
          workload: calculateWorkload(headers, true),
          connections: CONNECTIONS,
          duration: DURATION,
        }),
      );
      const half = Math.max(1, Math.round(calcMax.rps / 2));
      calcHalf = await measure(() =>
        runAutocannon({
          name: "calculate @ 50% (overallRate)",
          url: serverUrl,
          workload: calculateWorkload(headers, true),
          connections: CONNECTIONS,
          duration: DURATION,
          overallRate: half,
        }),
      );
      calcPaced = await measure(() =>
        runPaced({
          name: "calculate @ 50% (paced, open loop)",
          host: "127.0.0.1",
          port: server.port,
          workload: calculateWorkload(headers, true),
          rate: half,
          durationS: DURATION,
        }),
      );
    }

    // 5. Bonus payment on a share, then confirm each calculated purchase exactly once.
    let confirm: Measurement | null = null;
    let confirmWarmFailures = 0;
    if (PHASES.has("confirm")) {
      const warmCount = 1_000;
      let wanted = warmCount + (calcMax ? Math.round(calcMax.rps * DURATION) : 20_000);
      if (calculated.length < wanted) {
        log(`pre-creating ${wanted - calculated.length} calculated purchases`);
        const topUp = await runAutocannon({
          name: "pre-create",
          url: serverUrl,
          workload: calculateWorkload(headers, true),
          connections: CONNECTIONS,
          amount: wanted - calculated.length,
        });
        if (topUp.non2xx > 0)
          log(`pre-create: ${topUp.non2xx} non-2xx answers (${JSON.stringify(topUp.statusCodes)})`);
      }
      wanted = Math.min(wanted, calculated.length);
      const pool = takeShuffled(wanted);
      log(`${pool.length} calculated purchases available for confirm`);

      // Spread over the whole (shuffled) pool, so the warm-up and the measured confirms get the same mix.
      const withPoints = pool.filter((p) => p.maxPayment >= 200 && random() < BONUS_SHARE);
      if (withPoints.length >= CONNECTIONS) {
        await measure(() =>
          runAutocannon({
            name: "bonus-payment (points hold)",
            url: serverUrl,
            workload: listWorkload(headers, withPoints, (p) => ({
              path: `/v1/purchases/${p.id}/bonus-payment`,
              body: `{"amount":${Math.floor(p.maxPayment / 2)}}`,
            })),
            connections: CONNECTIONS,
            amount: withPoints.length,
          }),
        );
      }

      const confirmOf = (p: Calculated) => ({ path: `/v1/purchases/${p.id}/confirm`, body: "{}" });
      const warm = pool.splice(0, Math.min(warmCount, pool.length - CONNECTIONS));
      const warmRun = await runAutocannon({
        name: "confirm warm-up",
        url: serverUrl,
        workload: listWorkload(headers, warm, confirmOf),
        connections: CONNECTIONS,
        amount: warm.length,
      });
      let confirmed = warmRun.statusCodes["200"] ?? 0;
      confirmWarmFailures = warmRun.non2xx + warmRun.errors + warmRun.timeouts;
      const planned = Math.min(pool.length, Math.max(CONNECTIONS, Math.round(warmRun.rps * DURATION)));
      confirm = await measure(() =>
        runAutocannon({
          name: `confirm (${Math.round(BONUS_SHARE * 100)}% with points)`,
          url: serverUrl,
          workload: listWorkload(headers, pool.slice(0, planned), confirmOf),
          connections: CONNECTIONS,
          amount: planned,
        }),
      );
      confirmed += confirm.statusCodes["200"] ?? 0;
      if (warmRun.non2xx > 0 || confirm.non2xx > 0) {
        log(
          `WARNING: confirms answered non-2xx: warm-up ${JSON.stringify(warmRun.statusCodes)}, measured ${JSON.stringify(confirm.statusCodes)}`,
        );
      }
      // The database must hold exactly the confirms that were acknowledged.
      const check = new SQLite(dbPath, { readonly: true });
      const row = check
        .prepare("select count(*) as n from purchases where state = 'confirmed' and external_id like ?")
        .get(`b${runId}-%`) as { n: number };
      check.close();
      results.confirmedInDatabase = row.n;
      log(`confirmed in the database: ${row.n} (acknowledged: ${confirmed})`);
    }

    // 6. Memory of the server after the load.
    const memory = memoryOf(serverPid);
    results.server = memory;
    log(
      `server RSS after load: ${fmt(memory.rssMb)} MB (peak ${fmt(memory.peakRssMb)} MB; anonymous ${fmt(memory.anonMb)}, file ${fmt(memory.fileMb)}, shared ${fmt(memory.shmemMb)})`,
    );
    await stopChild(server);

    // 7. Report.
    const ratio = (a: Measurement | null, b: Measurement | null) => (a && b ? a.rps / b.rps : null);
    const calcRatio = ratio(calcMax, bare);
    const confirmRatio = ratio(confirm, insert);
    const cardsS = results.seed ? results.seed.cardsMs / 1000 : null;
    const bar = (name: string, value: number | null, target: string, pass: (v: number) => boolean) =>
      results.bars.push({ bar: name, value, target, pass: value === null ? null : pass(value) });
    bar(
      "calculate req/s ÷ bare Fastify req/s",
      calcRatio,
      `≥ ${BARS.calculateRatio * 100}%`,
      (v) => v >= BARS.calculateRatio,
    );
    bar(
      "calculate p99 at 50% of max rate (ms)",
      calcHalf?.p99Ms ?? null,
      `≤ ${BARS.halfLoadP99Ms} ms`,
      (v) => v <= BARS.halfLoadP99Ms,
    );
    bar(
      "  (same, paced open loop: reference only)",
      calcPaced?.p99Ms ?? null,
      `≤ ${BARS.halfLoadP99Ms} ms`,
      (v) => v <= BARS.halfLoadP99Ms,
    );
    bar(
      "confirm req/s ÷ durable insert req/s",
      confirmRatio,
      `≥ ${BARS.confirmRatio * 100}%`,
      (v) => v >= BARS.confirmRatio,
    );
    bar(
      "confirm non-2xx answers (warm-up + measured)",
      confirm ? confirm.non2xx + confirm.errors + confirm.timeouts + confirmWarmFailures : null,
      "= 0",
      (v) => v === 0,
    );
    bar(`${CARDS} cards import (s)`, cardsS, `≤ ${BARS.cardsImportS} s`, (v) => v <= BARS.cardsImportS);
    bar("server RSS after load (MB)", memory.rssMb, `≤ ${BARS.rssMb} MB`, (v) => v <= BARS.rssMb);

    process.stdout.write(
      `\nKopilka bench — ${results.revision}, ${cpus} CPUs, Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per measurement\n\n`,
    );
    printMeasurements(results.measurements);
    process.stdout.write("\n");
    printTable(
      ["bar (PRODUCT.md §5)", "measured", "target", "result"],
      results.bars.map((b) => [
        b.bar,
        b.value === null
          ? "not measured"
          : b.bar.includes("÷")
            ? `${fmt(b.value * 100, 1)}%`
            : fmt(b.value, 1),
        b.target,
        b.pass === null
          ? "-"
          : b.bar.startsWith(" ")
            ? b.pass
              ? "(pass)"
              : "(fail)"
            : b.pass
              ? "PASS"
              : "FAIL",
      ]),
    );
    const out = join(here, "results.json");
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nresults: ${out}\n`);
    if (profDir) process.stdout.write(`server CPU profile: ${profDir}\n`);
  } finally {
    for (const child of children) await stopChild(child, 5_000).catch(() => {});
    killAllChildren();
    removeTemporary();
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllChildren();
    removeTemporary();
    process.exit(130);
  });
}
process.on("exit", killAllChildren);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
