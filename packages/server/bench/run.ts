/**
 * `npm run bench`: measures the speed bars of PRODUCT.md §5 on this machine, in one run, on the embedded
 * SQLite database (default) or on PostgreSQL (BENCH_DATABASE_URL=postgres://…).
 *
 *  1. Seeds the database once with the repository's own functions (200 rules, 100k products, 1M cards)
 *     and times the cards import; a database that already holds the bench data is reused.
 *  2. Starts the real server (`node dist/cli/main.js serve`) on it, and two baselines as child processes:
 *     a bare Fastify route returning a captured calculate response, and a route doing one durable
 *     single-row insert (SQLite synchronous=FULL, or PostgreSQL with synchronous commit through pg); with
 *     the `floor` or `pharmapifloor` phase on SQLite, a third: the floors of calculate and get_discount
 *     (floor-server.ts).
 *  3. Warms every target up, then runs BENCH_ROUNDS rounds. Each round measures every figure next to its
 *     baseline (bare + calculate, then calculate paced at half of that round's maximum; bonus payment +
 *     durable insert + confirm), alternating the order from round to round so that a machine drifting
 *     in one direction does not favour either side. A ratio is taken within its round.
 *     With the `rules2000` phase, each round also measures calculate on a second program of the same
 *     partner with 2,000 active rules (the same 200 and 1,800 more, seed.ts), next to the 200-rule calculate
 *     and the bare route, on the same server, products and receipts; its cards are its own.
 *  4. Prints each round, the medians of req/s, p50 and p99, the medians of the per-round ratios and PASS
 *     or FAIL per bar; writes build/bench/results.json. Exits 0 whatever the figures: it is a
 *     measurement.
 *
 * This machine drifts by ±25 % from run to run, so no single round is a verdict: read the medians.
 *
 * Tools for finding where the time goes: build/bench/profile-summary.js (summarises a .cpuprofile,
 * e.g. from BENCH_CPU_PROF) and build/bench/micro.js (in-process timings of each stage and each SQL
 * statement of calculate and confirm; needs BENCH_DB).
 *
 * Knobs (env): BENCH_ROUNDS (default 5), BENCH_DURATION (s per measurement, 10), BENCH_WARMUP (s, 3),
 * BENCH_CONNECTIONS (32), BENCH_CARDS (1000000), BENCH_PRODUCTS (100000), BENCH_PHASES
 * (bare,calculate,floor,rules2000,pharmapi,pharmapifloor,paced,overload,newcomers,bonus,insert,confirm,
 * cabinet; rules2000 and floor bring bare and calculate with them, pharmapifloor bare and pharmapi, and
 * floor with pharmapi brings pharmapifloor), BENCH_RULES2000_CARDS (cards of the 2,000-rule program,
 * 100000; seeded on first use, reused as they are afterwards), BENCH_DATABASE_URL (postgres://…: run against
 * PostgreSQL; seeded unless it already holds the bench data), BENCH_DB (SQLite path: reuse a database
 * seeded by an earlier run instead of seeding; kept afterwards), BENCH_CPU_PROF (directory: the server
 * runs with --cpu-prof and writes its profile there on exit; BENCH_CPU_PROF_INTERVAL_US samples more often
 * than every 1,000 µs, to see the stalls behind a tail), BENCH_MEMORY=1 (after every measurement of the
 * server, logs its RSS, the highest RSS sampled during the measurement, and the V8 heap by space read
 * from its /metrics: where the peak RSS bar's memory goes), BENCH_FREE_ENGINE=1 (an experiment, not a
 * verdict, see free-engine-hook.ts), BENCH_SURFACE_ONLY=1 (likewise, see surface-hook.ts): the experiments
 * (EXPERIMENTS below) allow only the phases they mean something for and write results-<experiment>.json.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printCabinetResult, runCabinetBench } from "./cabinet.js";
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
import { type Measurement, runAutocannon, runBurst, runPaced, type Workload } from "./load.js";
import { getDiscountWorkload } from "./pharmapi.js";
import {
  type Bar,
  fmt,
  formatValue,
  median,
  printTable,
  type Summary,
  summarize,
  verdict,
} from "./report.js";
import {
  BENCH_LOGIN,
  BENCH_SECRET,
  RULES2000_FIRST_CARD,
  rules2000PromoCodes,
  type SeedSizes,
  type SeedTimings,
} from "./seed.js";
import { confirmedInDatabase, describeTarget, prepareTarget } from "./target.js";
import { BenchWorkload, type Calculated } from "./workload.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const serverScript = join(repo, "dist", "cli", "main.js");

const env = process.env;
const num = (name: string, fallback: number, min: number) => {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name}=${raw}: expected a number ≥ ${min}`);
  return value;
};
const ROUNDS = Math.round(num("BENCH_ROUNDS", 5, 1));
const DURATION = num("BENCH_DURATION", 10, 1);
const WARMUP = num("BENCH_WARMUP", 3, 1);
const CONNECTIONS = Math.round(num("BENCH_CONNECTIONS", 32, 1));
const CARDS = Math.round(num("BENCH_CARDS", 1_000_000, 1000));
const PRODUCTS = Math.round(num("BENCH_PRODUCTS", 100_000, 100));
const ALL_PHASES = [
  "bare",
  "calculate",
  "floor",
  "rules2000",
  "pharmapi",
  "pharmapifloor",
  "paced",
  "overload",
  "newcomers",
  "bonus",
  "insert",
  "confirm",
  "cabinet",
] as const;
type Phase = (typeof ALL_PHASES)[number];
const PHASES = new Set((env.BENCH_PHASES ?? ALL_PHASES.join(",")).split(",").map((s) => s.trim()) as Phase[]);
for (const p of PHASES)
  if (!ALL_PHASES.includes(p)) throw new Error(`BENCH_PHASES: unknown phase ${p} (${ALL_PHASES.join(", ")})`);
// The 2,000-rule figure is a ratio to the 200-rule calculate of the same round, shown against the bare route;
// the floors are shown beside calculate and get_discount.
if (PHASES.has("floor") && PHASES.has("pharmapi")) PHASES.add("pharmapifloor");
if (PHASES.has("pharmapifloor")) {
  PHASES.add("bare");
  PHASES.add("pharmapi");
}
if (PHASES.has("rules2000") || PHASES.has("floor")) {
  PHASES.add("bare");
  PHASES.add("calculate");
}

/**
 * Experiments: the server with part of its work taken out by a module preloaded into it, to see what the
 * rest costs. They are measurements, never a verdict, and only some phases mean something with each.
 */
const EXPERIMENTS = {
  "free-engine": {
    knob: "BENCH_FREE_ENGINE",
    hook: "free-engine-hook.js",
    phases: ["bare", "calculate", "rules2000"],
    about: "the rule engines answer receipts priced before from memory",
  },
  "surface-only": {
    knob: "BENCH_SURFACE_ONLY",
    hook: "surface-hook.js",
    phases: ["bare", "calculate", "pharmapi"],
    about: "calculate and get_discount answer their first answer again",
  },
} as const satisfies Record<string, { knob: string; hook: string; phases: readonly Phase[]; about: string }>;
type Experiment = keyof typeof EXPERIMENTS;
const chosenExperiments = (Object.keys(EXPERIMENTS) as Experiment[]).filter(
  (name) => env[EXPERIMENTS[name].knob] === "1",
);
if (chosenExperiments.length > 1)
  throw new Error(
    `${chosenExperiments.map((e) => EXPERIMENTS[e].knob).join(" and ")}: one experiment at a time`,
  );
const EXPERIMENT: Experiment | null = chosenExperiments[0] ?? null;
if (EXPERIMENT) {
  const { knob, phases } = EXPERIMENTS[EXPERIMENT];
  const meaningless = [...PHASES].filter((p) => !(phases as readonly Phase[]).includes(p));
  if (meaningless.length > 0)
    throw new Error(
      `${knob}=1 measures only the phases ${phases.join(", ")}; set BENCH_PHASES to those (not ${meaningless.join(", ")})`,
    );
}
const MEMORY_TRACE = env.BENCH_MEMORY === "1";
/**
 * The 2,000-rule program's own cards. Fewer than the main program's 1M by default: they share the cards
 * table and its index with those, and seeding 1M more would double the database the 200-rule figures and
 * the memory bar are measured on.
 */
const RULES2000_CARDS = Math.round(num("BENCH_RULES2000_CARDS", 100_000, 1000));
/** Share of the confirmed purchases that pay part of the receipt with points first. */
const BONUS_SHARE = 0.3;
/** The scale the import and memory bars are about: below it they are shown but not judged. */
const FULL_SCALE_CARDS = 1_000_000;

/** Measurements of the baselines, not of the server: their answers are not the server's refusals. */
const BASELINES: ReadonlySet<Phase> = new Set(["bare", "insert", "floor", "pharmapifloor"]);

const BARS = {
  calculateRatio: 0.4,
  /** With 2,000 rules, calculate's rate ÷ its rate with 200 rules. */
  rules2000Ratio: 0.9,
  halfLoadP99Ms: 10,
  /** Under twice the load the server can take: the answered calculates' p99, and nothing unanswered. */
  overloadAnsweredP99Ms: 500,
  /** Tills connecting at once to a busy server: every one answered (a result or 503) within a second. */
  newcomersP99Ms: 1000,
  confirmRatio: 0.6,
  bonusRatio: 0.6,
  cardsImportS: 60,
  rssMb: 300,
  /** The figures before the hot path was reshaped: the bench must never show worse. */
  calculateRatioBefore: 0.064,
  confirmRatioBefore: 0.176,
};

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
const out = (text: string) => process.stdout.write(text);

async function postJson(
  port: number,
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "accept-language": "en",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
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

function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--", "src").length > 0 ? "+dirty" : ""}`;
  } catch {
    return "unknown";
  }
}

/** The newcomers phase: tills that connect at once, while others keep the server at its maximum. */
const NEWCOMERS = 200;
const BUSY_TILLS = 60;

const LABELS: Record<Phase, string> = {
  bare: "bare Fastify, same payload",
  calculate: "calculate, 10 lines (max)",
  floor: "calculate's floor: card read, 200 rules, row behind (max)",
  rules2000: "calculate, 10 lines, 2,000 rules (max)",
  pharmapi: "PharmApi get_discount, 10 lines (max)",
  pharmapifloor: "get_discount's floor: card and holds read, program, row committed (max)",
  paced: "calculate @ 50%, paced open loop",
  overload: "calculate @ 200%, 256 sockets",
  newcomers: `calculate: ${NEWCOMERS} tills connecting while ${BUSY_TILLS} keep it busy`,
  bonus: "bonus payment (points hold)",
  insert: "durable single-row insert",
  confirm: `confirm (${Math.round(BONUS_SHARE * 100)}% with points)`,
  cabinet: "cabinet: dashboard and the busiest admin lists (p95 server time)",
};

interface Round {
  round: number;
  order: Phase[];
  measurements: Partial<Record<Phase, Measurement>>;
}

/**
 * The run's ratios, each a phase's rate ÷ its baseline's within a round. The medians table shows each
 * phase against the first baseline it has here (rules2000 against bare; rules2000ToCalculate is its bar).
 * The floors (floor-server.ts) ÷ bare are what no calculate or get_discount can exceed on this machine.
 */
const RATIOS = {
  calculateToBare: ["calculate", "bare"],
  floorToBare: ["floor", "bare"],
  rules2000ToBare: ["rules2000", "bare"],
  rules2000ToCalculate: ["rules2000", "calculate"],
  getDiscountToBare: ["pharmapi", "bare"],
  getDiscountFloorToBare: ["pharmapifloor", "bare"],
  confirmToInsert: ["confirm", "insert"],
  bonusToInsert: ["bonus", "insert"],
} as const satisfies Record<string, readonly [Phase, Phase]>;
type RatioName = keyof typeof RATIOS;
const RATIO_NAMES = Object.keys(RATIOS) as RatioName[];
type Ratios = Record<RatioName, number[]>;

interface Results {
  machine: { cpus: number; node: string };
  /** The commit measured, "+dirty" when the working tree had changes. */
  revision: string;
  database: "sqlite" | "postgres";
  settings: {
    rounds: number;
    durationS: number;
    warmupS: number;
    connections: number;
    cards: number;
    products: number;
    rules: number;
    /** Cards of the 2,000-rule program; null when the rules2000 phase did not run. */
    rules2000Cards: number | null;
    bonusShare: number;
    phases: Phase[];
    /** An experiment (BENCH_FREE_ENGINE, BENCH_SURFACE_ONLY), whose figures are no verdict; null for none. */
    experiment: Experiment | null;
  };
  seed: SeedTimings | null;
  /** The experiment's count (BENCH_FREE_ENGINE=1): evaluations, and those answered from memory. */
  freeEngine?: { evaluations: number; fromMemory: number };
  rounds: Round[];
  summary: Partial<Record<Phase, Summary>>;
  /** Per round, and their medians. */
  ratios: Ratios & { medians: Record<RatioName, number> };
  server: Memory | null;
  integrity: {
    /** Non-2xx answers and errors of calculate, bonus payment and confirm, warm-up and top-ups included. */
    refused: number;
    /** Of the non-2xx answers, the 503 OVERLOADED of load shedding (not counted in `refused`). */
    shed: number;
    errorCodes: Record<string, number>;
    confirmsAcknowledged: number;
    confirmedInDatabase: number | null;
  };
  bars: Bar[];
}

/** Samples a process's RSS every 200 ms until stopped; returns the highest seen, in MB. */
function sampleMemory(pid: number): { stop(): number } {
  let highest = memoryOf(pid).rssMb;
  const timer = setInterval(() => {
    highest = Math.max(highest, memoryOf(pid).rssMb);
  }, 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(highest, memoryOf(pid).rssMb);
    },
  };
}

/**
 * The server's memory now: RSS and its peak from /proc, and from its /metrics the V8 heap (committed and
 * used, by space) and the memory V8 knows of outside it. What RSS holds beyond those is native: SQLite's
 * page caches, malloc's arenas, socket buffers.
 */
async function memoryReport(pid: number, port: number, phaseHighestMb: number | null): Promise<string> {
  const proc = memoryOf(pid);
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const gauge = (name: string, space?: string) => {
    const label = space ? `\\{space="${space}"\\}` : "";
    const match = new RegExp(`^${name}${label} ([0-9.e+]+)$`, "m").exec(text);
    return match ? Number(match[1]) / 2 ** 20 : Number.NaN;
  };
  const spaces = ["new", "old", "code", "large_object"]
    .map(
      (s) =>
        `${s} ${fmt(gauge("nodejs_heap_space_size_total_bytes", s))}/${fmt(gauge("nodejs_heap_space_size_used_bytes", s))}`,
    )
    .join(", ");
  return [
    `RSS ${fmt(proc.rssMb)} MB${phaseHighestMb === null ? "" : ` (highest sampled ${fmt(phaseHighestMb)})`}, peak ${fmt(proc.peakRssMb)}`,
    `anonymous ${fmt(proc.anonMb)}, file ${fmt(proc.fileMb)}`,
    `V8 heap committed/used ${fmt(gauge("nodejs_heap_size_total_bytes"))}/${fmt(gauge("nodejs_heap_size_used_bytes"))} (${spaces})`,
    `external ${fmt(gauge("nodejs_external_memory_bytes"))}`,
  ].join("; ");
}

/** Temporary directories to remove on every exit path. */
const temporary: string[] = [];

function removeTemporary(): void {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Node's flags for a CPU profile of the server, sampled every `intervalUs` if given (1,000 µs if not). */
function profileArgs(dir: string, intervalUs: string | undefined): string[] {
  const args = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
  if (intervalUs) args.push(`--cpu-prof-interval=${intervalUs}`);
  return args;
}

async function main(): Promise<void> {
  // The cabinet phase has its own database and partner (bench/cabinet.ts); alone, nothing else is seeded.
  if (PHASES.has("cabinet")) {
    const cabinet = await runCabinetBench(
      {
        purchases: Math.round(num("BENCH_CABINET_PURCHASES", 1_000_000, 1000)),
        cards: Math.round(num("BENCH_CABINET_CARDS", 200_000, 1000)),
        clients: Math.round(num("BENCH_CABINET_CLIENTS", 100_000, 1000)),
        requests: Math.round(num("BENCH_CABINET_REQUESTS", 100, 10)),
      },
      log,
    );
    printCabinetResult(cabinet, out);
    if (PHASES.size === 1) return;
  }
  const work = mkdtempSync(join(tmpdir(), "kopilka-bench-"));
  temporary.push(work);
  const freeEngineStats = join(work, "free-engine.json");
  const url = env.BENCH_DATABASE_URL
    ? env.BENCH_DATABASE_URL
    : `sqlite:${env.BENCH_DB ? resolve(env.BENCH_DB) : join(work, "kopilka.db")}`;
  const cpus = availableParallelism();
  const runId = randomBytes(3).toString("hex");
  const children: Child[] = [];

  try {
    // 1. Seed once.
    log(`database: ${describeTarget(url)}; ${ROUNDS} rounds of ${DURATION} s per measurement`);
    if (EXPERIMENT)
      log(`experiment ${EXPERIMENT}: ${EXPERIMENTS[EXPERIMENT].about}; a measurement, not a verdict`);
    if (ROUNDS < 3) log("fewer than 3 rounds: a smoke run, its medians are no verdict on this machine");
    const target = await prepareTarget(
      url,
      { cards: CARDS, products: PRODUCTS },
      log,
      PHASES.has("rules2000") ? RULES2000_CARDS : null,
    );
    const sizes: SeedSizes = target.sizes;
    // The floors read the bench database directly.
    if (target.dialect !== "sqlite" && (PHASES.has("floor") || PHASES.has("pharmapifloor"))) {
      PHASES.delete("floor");
      PHASES.delete("pharmapifloor");
      log("the floors are measured on SQLite only: left out of this run");
    }
    if (target.seed) {
      const s = target.seed;
      log(
        `seeded: set-up ${fmt(s.setupMs)} ms, products ${fmt(s.productsMs / 1000, 1)} s, cards ${fmt(s.cardsMs / 1000, 1)} s`,
      );
    }
    const workload = new BenchWorkload(sizes, `b${runId}`);
    if (target.rules2000?.seeded) {
      const s = target.rules2000.seeded;
      log(`seeded the 2,000-rule program: set-up ${fmt(s.setupMs)} ms, cards ${fmt(s.cardsMs / 1000, 1)} s`);
    }
    // Its purchase ids are apart from `b${runId}-`, by which the run's confirms are counted.
    const workload2000 = target.rules2000
      ? new BenchWorkload({ cards: target.rules2000.cards, products: sizes.products }, `b${runId}k`, {
          firstCard: RULES2000_FIRST_CARD,
          promoCodes: rules2000PromoCodes(sizes.products),
        })
      : null;

    const results: Results = {
      machine: { cpus, node: process.version },
      revision: revision(),
      database: target.dialect,
      settings: {
        rounds: ROUNDS,
        durationS: DURATION,
        warmupS: WARMUP,
        connections: CONNECTIONS,
        cards: sizes.cards,
        products: sizes.products,
        rules: 200,
        rules2000Cards: target.rules2000?.cards ?? null,
        bonusShare: BONUS_SHARE,
        phases: ALL_PHASES.filter((p) => PHASES.has(p)),
        experiment: EXPERIMENT,
      },
      seed: target.seed,
      rounds: [],
      summary: {},
      ratios: {
        ...(Object.fromEntries(RATIO_NAMES.map((name) => [name, []])) as unknown as Ratios),
        medians: Object.fromEntries(RATIO_NAMES.map((name) => [name, Number.NaN])) as Record<
          RatioName,
          number
        >,
      },
      server: null,
      integrity: {
        refused: 0,
        shed: 0,
        errorCodes: {},
        confirmsAcknowledged: 0,
        confirmedInDatabase: null,
      },
      bars: [],
    };
    const tally = (m: Measurement) => {
      // Load shedding at saturation is the server's policy (503 OVERLOADED, counted apart); anything
      // else refused or failed is a fault of the run.
      const shed = m.errorCodes.OVERLOADED ?? 0;
      results.integrity.shed += shed;
      results.integrity.refused += m.non2xx - shed + m.errors + m.timeouts;
      for (const [code, n] of Object.entries(m.errorCodes))
        results.integrity.errorCodes[code] = (results.integrity.errorCodes[code] ?? 0) + n;
    };

    // 2. The real server and the baselines, all kept running for the whole run.
    const profDir = env.BENCH_CPU_PROF ? resolve(env.BENCH_CPU_PROF) : null;
    if (profDir) mkdirSync(profDir, { recursive: true });
    const server = await startChild({
      name: "kopilka",
      script: serverScript,
      args: ["serve"],
      nodeArgs: [
        ...(profDir ? profileArgs(profDir, env.BENCH_CPU_PROF_INTERVAL_US) : []),
        ...(EXPERIMENT ? ["--import", pathToFileURL(join(here, EXPERIMENTS[EXPERIMENT].hook)).href] : []),
      ],
      env: {
        ...(EXPERIMENT === "free-engine" ? { FREE_ENGINE_STATS: freeEngineStats } : {}),
        HOST: "127.0.0.1",
        DATABASE_URL: url,
        LOG_LEVEL: "warn",
        DEMO_DATA: "false",
        SWEEPER_INTERVAL_MS: "0",
        // One login per run; generous limits keep a rerun after a typo from locking the bench out.
        LOGIN_MAX_FAILURES: "1000",
        LOGIN_ADDRESS_MAX_FAILURES: "100000",
      },
      readyPath: "/health/ready",
    });
    children.push(server);
    const serverPid = server.process.pid!;
    log(`server pid ${serverPid} on port ${server.port}, RSS at start ${fmt(memoryOf(serverPid).rssMb)} MB`);
    if (MEMORY_TRACE) log(`memory at start: ${await memoryReport(serverPid, server.port, null)}`);
    const auth = await postJson(server.port, "/v1/auth/token", { login: BENCH_LOGIN, secret: BENCH_SECRET });
    const token = (auth.json as { accessToken?: string } | null)?.accessToken;
    if (auth.status !== 200 || !token) throw new Error(`token: ${auth.status} ${auth.text}`);
    const headers = {
      "content-type": "application/json",
      "accept-language": "en",
      authorization: `Bearer ${token}`,
    };
    const serverUrl = `http://127.0.0.1:${server.port}`;

    // A real calculate response of a 10-line receipt: the bare baseline's payload.
    const sample = await postJson(
      server.port,
      "/v1/purchases/calculate",
      JSON.parse(workload.calculateBody(workload.newPurchaseId())),
      token,
    );
    if (sample.status !== 200) throw new Error(`calculate: ${sample.status} ${sample.text}`);
    const payloadFile = join(work, "calculate-response.json");
    writeFileSync(payloadFile, sample.text);
    log(`calculate response: ${Buffer.byteLength(sample.text)} bytes`);

    const bare = await startChild({
      name: "bare-fastify",
      script: join(here, "bare-server.js"),
      env: { PAYLOAD_FILE: payloadFile },
      readyPath: "/ready",
    });
    children.push(bare);
    const insert = await startChild({
      name: "durable-insert",
      script: join(here, "durable-insert-server.js"),
      env:
        target.dialect === "postgres"
          ? { DATABASE_URL: url }
          : { DATABASE_URL: "", DB_FILE: join(work, "insert-baseline.db") },
      readyPath: "/ready",
    });
    children.push(insert);
    // A real get_discount answer: the answer of its floor.
    const getDiscountFile = join(work, "get-discount-response.json");
    if (PHASES.has("pharmapifloor")) {
      const sampleWorkload = getDiscountWorkload(Date.now());
      const sampleRequest = sampleWorkload.next();
      const res = await fetch(`http://127.0.0.1:${server.port}${sampleRequest.path}`, {
        method: "POST",
        headers: sampleWorkload.headers,
        body: sampleRequest.body,
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`get_discount: ${res.status} ${text}`);
      writeFileSync(getDiscountFile, text);
    }
    const floor =
      PHASES.has("floor") || PHASES.has("pharmapifloor")
        ? await startChild({
            name: "floors",
            script: join(here, "floor-server.js"),
            env: {
              PAYLOAD_FILE: payloadFile,
              ...(PHASES.has("pharmapifloor") ? { GET_DISCOUNT_FILE: getDiscountFile } : {}),
              DB_FILE: url.slice("sqlite:".length),
              WRITE_FILE: join(work, "floor.db"),
              PRODUCTS: String(sizes.products),
            },
            readyPath: "/ready",
          })
        : null;
    if (floor) children.push(floor);
    /** The floors' requests, by phase. */
    const floorWorkload = (phase: "floor" | "pharmapifloor"): Workload =>
      phase === "floor" ? workload.calculate(headers, false) : getDiscountWorkload(Date.now());
    /** A floor's measurement: a floor that fails a request is broken, and its rate would mean nothing. */
    const runFloorLoad = async (name: string, phase: "floor" | "pharmapifloor", seconds: number) => {
      const m = await runAutocannon({
        name,
        url: `http://127.0.0.1:${floor!.port}`,
        workload: floorWorkload(phase),
        connections: CONNECTIONS,
        duration: seconds,
      });
      if (m.non2xx + m.errors + m.timeouts > 0)
        throw new Error(
          `${name}: ${m.non2xx} non-2xx answers, ${m.errors + m.timeouts} errors; ${floor?.output()}`,
        );
      return m;
    };
    const bareUrl = `http://127.0.0.1:${bare.port}`;
    const insertUrl = `http://127.0.0.1:${insert.port}`;
    const allPids = [
      serverPid,
      bare.process.pid!,
      insert.process.pid!,
      ...(floor ? [floor.process.pid!] : []),
    ];
    LABELS.insert =
      target.dialect === "postgres"
        ? "durable insert (PostgreSQL, synchronous commit)"
        : "durable insert (SQLite, synchronous=FULL)";

    /** Runs one measurement, with the CPU of the process under load and of everything else on the box. */
    const measure = async (pid: number, run: () => Promise<Measurement>, quiet = false) => {
      const watched = [pid, ...allPids.filter((p) => p !== pid)];
      const sampling = MEMORY_TRACE && pid === serverPid ? sampleMemory(serverPid) : null;
      const before = cpuSnapshot(watched);
      const m = await run();
      const after = cpuSnapshot(watched);
      if (sampling)
        log(`memory after ${m.name}: ${await memoryReport(serverPid, server.port, sampling.stop())}`);
      m.foreignCpuPct = foreignCpuShare(before, after, cpus) * 100;
      m.serverCpuPct = targetCpuPct(before, after);
      if (m.timeouts > 0 && pid === serverPid)
        log(`${m.name}: ${m.timeouts} timeouts; server ${await probe(server.port)}`);
      const codes = Object.keys(m.errorCodes).length > 0 ? `, refused ${JSON.stringify(m.errorCodes)}` : "";
      if (!quiet)
        log(
          `${m.name}: ${fmt(m.rps)} req/s, p50 ${fmt(m.p50Ms, 2)} ms, p99 ${fmt(m.p99Ms, 2)} ms, non2xx ${m.non2xx}, errors ${m.errors + m.timeouts}${codes}, other processes ${fmt(m.foreignCpuPct)}% CPU`,
        );
      return m;
    };
    let insertSeq = 0;
    const insertWorkload = (): Workload => ({
      method: "POST",
      headers,
      next: () => ({ path: `/v1/events/b${runId}-${++insertSeq}/confirm`, body: "{}", tag: "" }),
    });
    const calculateFor = (name: string, seconds: number) =>
      runAutocannon({
        name,
        url: serverUrl,
        workload: workload.calculate(headers, true),
        connections: CONNECTIONS,
        duration: seconds,
      });
    /** Not recorded for bonus payments and confirms: those are measured on the 200-rule program. */
    const calculate2000For = (name: string, seconds: number) =>
      runAutocannon({
        name,
        url: serverUrl,
        workload: workload2000!.calculate(headers, false),
        connections: CONNECTIONS,
        duration: seconds,
      });
    /** Calculated purchases for the bonus payments and confirms to come: not measured. */
    const topUp = async (count: number) => {
      if (count <= 0) return;
      const m = await runAutocannon({
        name: "top-up",
        url: serverUrl,
        workload: workload.calculate(headers, true),
        connections: Math.min(CONNECTIONS, count),
        amount: count,
      });
      tally(m);
    };
    const nonEmpty = (purchases: Calculated[], what: string) => {
      if (purchases.length === 0)
        throw new Error(`no calculated purchases left for ${what}: did every calculate fail?`);
      return purchases;
    };
    const bonusPay = (name: string, purchases: Calculated[]) =>
      runAutocannon({
        name,
        url: serverUrl,
        workload: workload.bonusPayments(headers, nonEmpty(purchases, "bonus payments")),
        connections: Math.min(CONNECTIONS, purchases.length),
        amount: purchases.length,
      });
    const confirmAll = async (name: string, purchases: Calculated[]) => {
      const m = await runAutocannon({
        name,
        url: serverUrl,
        workload: workload.confirms(headers, nonEmpty(purchases, "confirms")),
        connections: Math.min(CONNECTIONS, purchases.length),
        amount: purchases.length,
      });
      results.integrity.confirmsAcknowledged += m.statusCodes["200"] ?? 0;
      return m;
    };
    /**
     * The purchases of one bonus-payment and confirm step: `paying` get a bonus payment, and the confirms
     * mix BONUS_SHARE of them with calculated purchases paid only in money.
     */
    const takeForConfirm = async (payingCount: number, confirmCount: number) => {
      const paidConfirms = Math.min(payingCount, Math.round(confirmCount * BONUS_SHARE));
      const unpaidConfirms = confirmCount - paidConfirms;
      await topUp(payingCount + unpaidConfirms - workload.available);
      let paying = workload.takePayable(payingCount);
      for (let attempt = 0; paying.length < payingCount && attempt < 3; attempt++) {
        await topUp(Math.ceil((payingCount - paying.length) * 1.2) + CONNECTIONS);
        paying = paying.concat(workload.takePayable(payingCount - paying.length));
      }
      await topUp(unpaidConfirms - workload.available);
      const unpaid = workload.take(unpaidConfirms);
      return { paying, confirming: (paid: Calculated[]) => workload.shuffle([...paid, ...unpaid]) };
    };

    // 3. Warm-up: every target, so that the first round does not pay for the JIT and cold caches.
    log(`warming up (${WARMUP} s per target)`);
    await runAutocannon({
      name: "warm-up",
      url: bareUrl,
      workload: workload.calculate(headers, false),
      connections: CONNECTIONS,
      duration: WARMUP,
    });
    for (const phase of ["floor", "pharmapifloor"] as const)
      if (PHASES.has(phase)) await runFloorLoad("warm-up", phase, WARMUP);
    if (PHASES.has("pharmapi"))
      await runAutocannon({
        name: "warm-up",
        url: serverUrl,
        workload: getDiscountWorkload(Date.now()),
        connections: CONNECTIONS,
        duration: WARMUP,
      });
    const insertWarm = await runAutocannon({
      name: "warm-up",
      url: insertUrl,
      workload: insertWorkload(),
      connections: CONNECTIONS,
      duration: WARMUP,
    });
    const calcWarm = await calculateFor("warm-up", WARMUP);
    tally(calcWarm);
    if (workload2000) {
      const warm2000 = await calculate2000For("warm-up", WARMUP);
      tally(warm2000);
      log(`warm: calculate with 2,000 rules ${fmt(warm2000.rps)}/s`);
    }
    const warmCount = Math.max(CONNECTIONS * 4, Math.round(Math.min(calcWarm.rps, insertWarm.rps) * WARMUP));
    const warmSet = await takeForConfirm(Math.round(warmCount * BONUS_SHARE), warmCount);
    const bonusWarm = await bonusPay("warm-up", warmSet.paying);
    tally(bonusWarm);
    const confirmWarm = await confirmAll("warm-up", warmSet.confirming(warmSet.paying));
    tally(confirmWarm);
    /**
     * The rates measured so far: the amount-based runs (every confirm of a run must be acknowledged, so
     * they are not cut off by a clock) plan with their median, so that each lasts about DURATION without
     * one fast round making the next one run for minutes on a machine that slowed down.
     */
    const rates = { bonus: [bonusWarm.rps], confirm: [confirmWarm.rps] };
    const rate = { bonus: () => median(rates.bonus), confirm: () => median(rates.confirm) };
    log(
      `warm: calculate ${fmt(calcWarm.rps)}/s, bonus payment ${fmt(bonusWarm.rps)}/s, confirm ${fmt(confirmWarm.rps)}/s, insert ${fmt(insertWarm.rps)}/s`,
    );

    // 4. Rounds.
    for (let r = 1; r <= ROUNDS; r++) {
      const forward = r % 2 === 1;
      const round: Round = { round: r, order: [], measurements: {} };
      results.rounds.push(round);
      const record = (phase: Phase, m: Measurement) => {
        round.order.push(phase);
        round.measurements[phase] = m;
        if (!BASELINES.has(phase)) tally(m);
      };
      log(`round ${r} of ${ROUNDS}`);

      const runBare = async () => {
        if (!PHASES.has("bare")) return;
        record(
          "bare",
          await measure(bare.process.pid!, () =>
            runAutocannon({
              name: `r${r} ${LABELS.bare}`,
              url: bareUrl,
              workload: workload.calculate(headers, false),
              connections: CONNECTIONS,
              duration: DURATION,
            }),
          ),
        );
      };
      const runCalculate = async () => {
        if (!PHASES.has("calculate")) return;
        record(
          "calculate",
          await measure(serverPid, () => calculateFor(`r${r} ${LABELS.calculate}`, DURATION)),
        );
      };
      const runFloor = (phase: "floor" | "pharmapifloor") => async () => {
        if (!floor || !PHASES.has(phase)) return;
        const name = `r${r} ${LABELS[phase]}`;
        record(phase, await measure(floor.process.pid!, () => runFloorLoad(name, phase, DURATION)));
      };
      const runCalculate2000 = async () => {
        if (!PHASES.has("rules2000")) return;
        record(
          "rules2000",
          await measure(serverPid, () => calculate2000For(`r${r} ${LABELS.rules2000}`, DURATION)),
        );
      };
      const runGetDiscount = async () => {
        if (!PHASES.has("pharmapi")) return;
        record(
          "pharmapi",
          await measure(serverPid, () =>
            runAutocannon({
              name: `r${r} ${LABELS.pharmapi}`,
              url: serverUrl,
              workload: getDiscountWorkload(Date.now()),
              connections: CONNECTIONS,
              duration: DURATION,
            }),
          ),
        );
      };
      const steps = [
        runBare,
        runCalculate,
        runFloor("floor"),
        runCalculate2000,
        runGetDiscount,
        runFloor("pharmapifloor"),
      ];
      for (const step of forward ? steps : steps.reverse()) await step();
      const calcMax = round.measurements.calculate;
      if (PHASES.has("paced") && calcMax) {
        const half = Math.max(1, Math.round(calcMax.rps / 2));
        record(
          "paced",
          await measure(serverPid, () =>
            runPaced({
              name: `r${r} ${LABELS.paced}`,
              host: "127.0.0.1",
              port: server.port,
              workload: workload.calculate(headers, true),
              rate: half,
              durationS: DURATION,
            }),
          ),
        );
      }

      if (PHASES.has("overload") && calcMax) {
        // Twice what the server can take, from as many sockets as a store chain's tills: the refused
        // answers (503 OVERLOADED) are expected; silence is not. Not tallied as refusals.
        const overload = await measure(serverPid, () =>
          runPaced({
            name: `r${r} ${LABELS.overload}`,
            host: "127.0.0.1",
            port: server.port,
            workload: workload.calculate(headers, false),
            rate: Math.max(1, Math.round(calcMax.rps * 2)),
            durationS: DURATION,
            maxSockets: 256,
          }),
        );
        round.order.push("overload");
        round.measurements.overload = overload;
        // Let the backlog drain before the next measurement.
        await new Promise((r) => setTimeout(r, 2000));
      }

      if (PHASES.has("newcomers")) {
        // A store chain's morning: tills connect at once while others already keep the server busy. Node
        // accepts one connection per turn of its event loop, so newcomers wait for as many turns as
        // there are of them, unless turns stay short (app/overload.ts).
        const newcomers = await measure(serverPid, async () => {
          const busy = runAutocannon({
            name: `r${r} busy tills`,
            url: `http://127.0.0.1:${server.port}/v1/purchases/calculate`,
            workload: workload.calculate(headers, false),
            connections: BUSY_TILLS,
            // Busy until the slowest newcomer could have given up (10 s), so none is served by an idle server.
            duration: 14,
          });
          await new Promise((r) => setTimeout(r, 2000));
          const burst = await runBurst({
            name: `r${r} ${LABELS.newcomers}`,
            host: "127.0.0.1",
            port: server.port,
            workload: workload.calculate(headers, false),
            tills: NEWCOMERS,
          });
          await busy;
          return burst;
        });
        round.order.push("newcomers");
        round.measurements.newcomers = newcomers;
        await new Promise((r) => setTimeout(r, 1000));
      }

      if (PHASES.has("bonus") || PHASES.has("confirm")) {
        const confirmCount = PHASES.has("confirm")
          ? Math.max(CONNECTIONS, Math.round(rate.confirm() * DURATION))
          : 0;
        const payingCount = Math.max(
          Math.round(confirmCount * BONUS_SHARE),
          PHASES.has("bonus") ? Math.max(CONNECTIONS, Math.round(rate.bonus() * DURATION)) : 0,
        );
        const set = await takeForConfirm(payingCount, confirmCount);
        if (PHASES.has("bonus")) {
          const m = await measure(serverPid, () => bonusPay(`r${r} ${LABELS.bonus}`, set.paying));
          record("bonus", m);
          rates.bonus.push(m.rps);
        } else {
          tally(await bonusPay("bonus payments for confirm", set.paying));
        }
        // Only purchases whose points are held count as paid with points.
        const paid = set.paying.slice(0, Math.round(confirmCount * BONUS_SHARE));
        const runInsert = async () => {
          if (!PHASES.has("insert")) return;
          record(
            "insert",
            await measure(insert.process.pid!, () =>
              runAutocannon({
                name: `r${r} ${LABELS.insert}`,
                url: insertUrl,
                workload: insertWorkload(),
                connections: CONNECTIONS,
                duration: DURATION,
              }),
            ),
          );
        };
        const runConfirm = async () => {
          if (!PHASES.has("confirm")) return;
          const m = await measure(serverPid, () =>
            confirmAll(`r${r} ${LABELS.confirm}`, set.confirming(paid)),
          );
          record("confirm", m);
          rates.confirm.push(m.rps);
        };
        for (const step of forward ? [runInsert, runConfirm] : [runConfirm, runInsert]) await step();
      } else if (PHASES.has("insert")) {
        record(
          "insert",
          await measure(insert.process.pid!, () =>
            runAutocannon({
              name: `r${r} ${LABELS.insert}`,
              url: insertUrl,
              workload: insertWorkload(),
              connections: CONNECTIONS,
              duration: DURATION,
            }),
          ),
        );
      }

      const m = round.measurements;
      for (const name of RATIO_NAMES) {
        const [phase, base] = RATIOS[name];
        const measured = m[phase];
        const baseline = m[base];
        if (measured && baseline) results.ratios[name].push(measured.rps / baseline.rps);
      }
    }

    // 5. What the database holds, and the server's memory after the load.
    if (PHASES.has("confirm")) {
      results.integrity.confirmedInDatabase = await confirmedInDatabase(url, `b${runId}-`);
      log(
        `confirmed in the database: ${results.integrity.confirmedInDatabase} (acknowledged: ${results.integrity.confirmsAcknowledged})`,
      );
    }
    if (MEMORY_TRACE) log(`memory after the load: ${await memoryReport(serverPid, server.port, null)}`);
    const memory = memoryOf(serverPid);
    results.server = memory;
    log(
      `server RSS after load: ${fmt(memory.rssMb)} MB (peak ${fmt(memory.peakRssMb)} MB; anonymous ${fmt(memory.anonMb)}, file ${fmt(memory.fileMb)}, shared ${fmt(memory.shmemMb)})`,
    );
    for (const child of children.splice(0)) await stopChild(child);
    if (EXPERIMENT === "free-engine") {
      try {
        const { evaluations, fromMemory } = JSON.parse(readFileSync(freeEngineStats, "utf8")) as {
          evaluations: number;
          fromMemory: number;
        };
        results.freeEngine = { evaluations, fromMemory };
        log(
          `free engine: ${fromMemory} of ${evaluations} evaluations answered from memory (${fmt((100 * fromMemory) / Math.max(1, evaluations))} %)`,
        );
      } catch (error) {
        // The server did not exit by itself: its measurements stand, without the count.
        log(`free engine: no count of the evaluations answered from memory (${String(error)})`);
      }
    }

    // 6. Report.
    for (const phase of ALL_PHASES) {
      const s = summarize(results.rounds.flatMap((r) => r.measurements[phase] ?? []));
      if (s) results.summary[phase] = s;
    }
    const ratios = results.ratios;
    for (const name of RATIO_NAMES) ratios.medians[name] = median(ratios[name]);
    const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
    const fullScale = sizes.cards >= FULL_SCALE_CARDS;
    const bar = (
      kind: Bar["kind"],
      name: string,
      value: number | null,
      unit: Bar["unit"],
      target: string,
      pass: (v: number) => boolean,
      judged = true,
      note?: string,
    ) =>
      results.bars.push({
        kind,
        bar: name,
        value,
        unit,
        target,
        pass: value === null || !judged ? null : pass(value),
        ...(note ? { note } : {}),
      });
    const pct = (x: number) => `${fmt(x * 100, 1).replace(/\.0$/, "")}%`;
    const calcRatio = finite(ratios.medians.calculateToBare);
    const confirmRatio = finite(ratios.medians.confirmToInsert);
    bar(
      "bar",
      "calculate ÷ bare route (req/s)",
      calcRatio,
      "%",
      `≥ ${pct(BARS.calculateRatio)}`,
      (v) => v >= BARS.calculateRatio,
      true,
      ratios.floorToBare.length > 0
        ? `calculate's floor (no calculate is faster): ${pct(ratios.medians.floorToBare)} of bare`
        : undefined,
    );
    const rules2000Ratio = finite(ratios.medians.rules2000ToCalculate);
    bar(
      "bar",
      "calculate with 2,000 rules ÷ with 200 (req/s)",
      rules2000Ratio,
      "%",
      `≥ ${pct(BARS.rules2000Ratio)}`,
      (v) => v >= BARS.rules2000Ratio,
      true,
      rules2000Ratio === null
        ? undefined
        : `of bare: 200 rules ${pct(ratios.medians.calculateToBare)}, 2,000 rules ${pct(ratios.medians.rules2000ToBare)}`,
    );
    bar(
      "bar",
      "calculate p99 at 50% of its max rate, paced open loop",
      finite(results.summary.paced?.p99Ms),
      "ms",
      `≤ ${BARS.halfLoadP99Ms} ms`,
      (v) => v <= BARS.halfLoadP99Ms,
    );
    bar(
      "bar",
      "confirm ÷ durable insert (req/s)",
      confirmRatio,
      "%",
      `≥ ${pct(BARS.confirmRatio)}`,
      (v) => v >= BARS.confirmRatio,
    );
    bar(
      "bar",
      "bonus payment ÷ durable insert (req/s)",
      finite(ratios.medians.bonusToInsert),
      "%",
      `≥ ${pct(BARS.bonusRatio)}`,
      (v) => v >= BARS.bonusRatio,
    );
    bar(
      "bar",
      "PharmApi get_discount ÷ bare route (req/s), same bar as calculate",
      finite(ratios.medians.getDiscountToBare),
      "%",
      `≥ ${pct(BARS.calculateRatio)}`,
      (v) => v >= BARS.calculateRatio,
      true,
      ratios.getDiscountFloorToBare.length > 0
        ? `get_discount's floor (no get_discount is faster): ${pct(ratios.medians.getDiscountFloorToBare)} of bare`
        : undefined,
    );
    const overloads = results.rounds.flatMap((r) => r.measurements.overload ?? []);
    bar(
      "bar",
      "calculate at 2× its max rate: p99 of the answered ones",
      overloads.length > 0 ? median(overloads.map((m) => m.answeredP99Ms ?? Number.NaN)) : null,
      "ms",
      `≤ ${BARS.overloadAnsweredP99Ms} ms`,
      (v) => v <= BARS.overloadAnsweredP99Ms,
      true,
      overloads.length > 0
        ? `refused at once (503): ${overloads.reduce((n, m) => n + m.non2xx, 0)} of ${overloads.reduce((n, m) => n + m.requests, 0)}`
        : undefined,
    );
    bar(
      "bar",
      "calculate at 2× its max rate: requests left unanswered",
      overloads.length > 0 ? overloads.reduce((n, m) => n + m.errors, 0) : null,
      "",
      "= 0",
      (v) => v === 0,
    );
    const newcomers = results.rounds.flatMap((r) => r.measurements.newcomers ?? []);
    bar(
      "bar",
      `${NEWCOMERS} tills connecting while ${BUSY_TILLS} keep it busy: p99 of their answers (result or 503)`,
      newcomers.length > 0 ? median(newcomers.map((m) => m.p99Ms)) : null,
      "ms",
      `≤ ${BARS.newcomersP99Ms} ms`,
      (v) => v <= BARS.newcomersP99Ms,
      true,
      newcomers.length > 0
        ? `served ${newcomers.reduce((n, m) => n + m.requests - m.non2xx, 0)} of ${NEWCOMERS * newcomers.length}, refused (503) ${newcomers.reduce((n, m) => n + m.non2xx, 0)}`
        : undefined,
    );
    bar(
      "bar",
      `${NEWCOMERS} tills connecting while ${BUSY_TILLS} keep it busy: left unanswered`,
      newcomers.length > 0 ? newcomers.reduce((n, m) => n + m.errors, 0) : null,
      "",
      "= 0",
      (v) => v === 0,
    );
    const reduced = fullScale
      ? undefined
      : `judged at ${FULL_SCALE_CARDS} cards; this run has ${sizes.cards}`;
    bar(
      "bar",
      `${sizes.cards} cards import`,
      target.seed ? target.seed.cardsMs / 1000 : null,
      "s",
      `≤ ${BARS.cardsImportS} s`,
      (v) => v <= BARS.cardsImportS,
      fullScale,
      target.seed ? reduced : "reused data: not imported in this run",
    );
    // The peak, not the RSS once the load is over: a server needs the memory it took at its busiest.
    bar(
      "bar",
      `server peak RSS under the load, ${sizes.cards} cards`,
      memory.peakRssMb,
      "MB",
      `≤ ${BARS.rssMb} MB`,
      (v) => v <= BARS.rssMb,
      fullScale,
      reduced ?? `${fmt(memory.rssMb)} MB after the load`,
    );
    // The figures before were measured on SQLite; PostgreSQL has no earlier figure to compare with.
    const guarded = target.dialect === "sqlite";
    const unguarded = guarded ? undefined : "the figures before were measured on SQLite";
    bar(
      "guard",
      "calculate ÷ bare route, no worse than before",
      calcRatio,
      "%",
      `≥ ${pct(BARS.calculateRatioBefore)}`,
      (v) => v >= BARS.calculateRatioBefore,
      guarded,
      unguarded,
    );
    bar(
      "guard",
      "confirm ÷ durable insert, no worse than before",
      confirmRatio,
      "%",
      `≥ ${pct(BARS.confirmRatioBefore)}`,
      (v) => v >= BARS.confirmRatioBefore,
      guarded,
      unguarded,
    );
    bar(
      "check",
      "calculate, bonus payment, confirm: refused or failed (load shedding apart)",
      results.integrity.refused,
      "",
      "= 0",
      (v) => v === 0,
      true,
      Object.keys(results.integrity.errorCodes).length > 0
        ? `${JSON.stringify(results.integrity.errorCodes)}; shed at saturation (503 OVERLOADED, not served, not in req/s): ${results.integrity.shed}`
        : undefined,
    );
    bar(
      "check",
      "confirmed in the database − acknowledged",
      results.integrity.confirmedInDatabase === null
        ? null
        : results.integrity.confirmedInDatabase - results.integrity.confirmsAcknowledged,
      "",
      "= 0",
      (v) => v === 0,
    );

    printReport(results);
    // An experiment's figures never take the place of a measurement's.
    const file = join(here, EXPERIMENT ? `results-${EXPERIMENT}.json` : "results.json");
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    out(`\nresults: ${file}\n`);
    if (profDir) out(`server CPU profile: ${profDir}\n`);
  } finally {
    for (const child of children) await stopChild(child, 5_000).catch(() => {});
    killAllChildren();
    removeTemporary();
  }
}

function printReport(results: Results): void {
  const s = results.settings;
  out(
    `\nKopilka bench — ${results.revision}, ${results.database === "postgres" ? "PostgreSQL" : "SQLite"}, ${results.machine.cpus} CPUs, Node ${results.machine.node}; ${s.cards} cards, ${s.products} products, ${s.rules} rules${s.rules2000Cards === null ? "" : ` (and 2,000 on a program with ${s.rules2000Cards} cards)`}; ${s.connections} connections, ${s.rounds} rounds of ${s.durationS} s per measurement\n\n`,
  );
  if (s.experiment)
    out(`EXPERIMENT ${s.experiment}: ${EXPERIMENTS[s.experiment].about}. The bars below are no verdict.\n\n`);
  out("Each round (the order alternates from round to round):\n\n");
  printTable(
    [
      "round",
      "measurement",
      "req",
      "req/s",
      "p50 ms",
      "p99 ms",
      "max ms",
      "non2xx",
      "errors",
      "its CPU",
      "others CPU",
    ],
    results.rounds.flatMap((r) =>
      r.order.map((phase) => {
        const m = r.measurements[phase]!;
        return [
          String(r.round),
          LABELS[phase],
          String(m.requests),
          fmt(m.rps),
          fmt(m.p50Ms, 2),
          fmt(m.p99Ms, 2),
          fmt(m.maxMs, 1),
          String(m.non2xx),
          String(m.errors + m.timeouts),
          `${fmt(m.serverCpuPct)}%`,
          `${fmt(m.foreignCpuPct)}%`,
        ];
      }),
    ),
    out,
    [1],
  );
  out(`\nMedians over ${results.rounds.length} rounds:\n\n`);
  /** Each phase's first ratio (RATIOS): the one the medians table shows. */
  const shownRatio = (phase: Phase) => RATIO_NAMES.find((name) => RATIOS[name][0] === phase);
  printTable(
    ["measurement", "req/s", "(min–max)", "p50 ms", "p99 ms", "ratio per round", "median ratio"],
    ALL_PHASES.flatMap((phase) => {
      const sum = results.summary[phase];
      if (!sum) return [];
      const shown = shownRatio(phase);
      const ratios = shown ? results.ratios[shown] : [];
      return [
        [
          LABELS[phase],
          fmt(sum.rps),
          `${fmt(sum.rpsMin)}–${fmt(sum.rpsMax)}`,
          fmt(sum.p50Ms, 2),
          fmt(sum.p99Ms, 2),
          ratios.map((x) => `${fmt(x * 100, 1)}%`).join(" "),
          shown && ratios.length > 0 ? `${fmt(median(ratios) * 100, 1)}% of ${RATIOS[shown][1]}` : "",
        ],
      ];
    }),
    out,
    [0, 5],
  );
  out("\n");
  const kinds: Record<Bar["kind"], string> = { bar: "bar", guard: "guard", check: "check" };
  printTable(
    ["", "bar (PRODUCT.md §5)", "measured", "target", "result", "note"],
    results.bars.map((b) => [kinds[b.kind], b.bar, formatValue(b), b.target, verdict(b), b.note ?? ""]),
    out,
    [0, 1, 3, 4, 5],
  );
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
