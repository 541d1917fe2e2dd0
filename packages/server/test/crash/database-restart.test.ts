/**
 * PostgreSQL restarts under load. A real `kopilka serve` process serves 30 tills doing calculate and
 * confirm while its database cluster is restarted with `pg_ctl restart -m fast` and then `-m immediate`.
 * Checked:
 *
 * - the server process never exits;
 * - every answer is a 200 or a retryable 503 DATABASE_UNAVAILABLE with Retry-After, never a 500; after an
 *   immediate restart a calculate committed without waiting for the disk may be gone, so a confirm of it
 *   may also answer 404 (the till calculates again);
 * - while the cluster is stopped, /health/ready and the API answer 503 (the restarts can be too quick for
 *   a probe to see), and both are back within 5 s of its start;
 * - within 5 s of the cluster accepting connections again, sales go through again by themselves;
 * - a till whose confirm was cut retries it (same purchase id, same body) and gets it confirmed, fresh
 *   or replayed;
 * - every acknowledged confirm is in the database with the points it acknowledged, none is applied twice,
 *   and every ledger balances.
 *
 * PostgreSQL only, on a private cluster (the shared one serves the other test files meanwhile).
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/infra/db/database.js";
import { verifyLedger } from "../../src/modules/points/index.js";
import {
  type PostgresCluster,
  privateClustersAvailable,
  startPrivateCluster,
} from "../support/postgres-cluster.js";
import {
  killAll,
  MAIN_JS,
  type ServerProcess,
  sleep,
  startServer,
  stopGracefully,
} from "../support/server-process.js";

const available = privateClustersAvailable();
if (!available) {
  console.warn("SKIPPED: the PostgreSQL restart test runs only under scripts/with-postgres.sh (TEST_PG_CTL)");
}

const LOGIN = "demo-pos-msk-1";
const SECRET = "demo-secret";
const STORE = "MSK-01";
const FIRST_CARD = 2_000_000_000_001;
const CARD_COUNT = 10_000;
const PRODUCT_COUNT = 1000;

const CLIENTS = 30;
/** The service must be back this long after the cluster accepts connections again. */
const RECOVERY_MS = 5_000;
/** How long the load goes on past the recovery deadline, every answer then having to be a 200. */
const STEADY_MS = 1_500;
const MIN_ACKS_BEFORE_RESTART = 20;
const REQUEST_TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

async function api(
  server: ServerProcess,
  method: "GET" | "POST",
  path: string,
  token: string | null,
  body?: unknown,
) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    retryAfter: res.headers.get("retry-after"),
  } satisfies Reply;
}

let seed = 12345;
function randomInt(min: number, max: number): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return min + (seed % (max - min + 1));
}

function randomReceipt(id: string) {
  const skus = new Set<number>();
  const lines = randomInt(1, 3);
  while (skus.size < lines) skus.add(randomInt(1, PRODUCT_COUNT));
  return {
    purchaseId: id,
    storeCode: STORE,
    posCode: `POS-${randomInt(1, 4)}`,
    cardNumber: String(FIRST_CARD + randomInt(0, CARD_COUNT - 1)).padStart(13, "0"),
    lines: [...skus].map((n, i) => ({
      lineId: String(i + 1),
      sku: `SKU-${String(n).padStart(5, "0")}`,
      quantity: randomInt(1, 3) * 1000,
      price: randomInt(600, 2000) * 100,
    })),
  };
}

const confirmBody = (id: string) => ({ receiptNumber: `R-${id}` });

interface Points {
  accrued: number;
  spent: number;
}

interface PhaseReport {
  mode: "fast" | "immediate";
  sales: number;
  acked: number;
  unavailable: number;
  lostCalculates: number;
  cut: number;
  restartMs: number;
  recoveredAfterMs: number | null;
  readyStatusesWhileDown: number[];
}

/** Every confirm acknowledged to a till across the phases, with its points. */
const acknowledged = new Map<string, Points>();

async function restartUnderLoad(
  server: ServerProcess,
  cluster: PostgresCluster,
  token: string,
  mode: "fast" | "immediate",
): Promise<{
  report: PhaseReport;
  violations: string[];
  cut: Map<string, ReturnType<typeof randomReceipt>>;
}> {
  const violations: string[] = [];
  const cut = new Map<string, ReturnType<typeof randomReceipt>>();
  const report: PhaseReport = {
    mode,
    sales: 0,
    acked: 0,
    unavailable: 0,
    lostCalculates: 0,
    cut: 0,
    restartMs: 0,
    recoveredAfterMs: null,
    readyStatusesWhileDown: [],
  };
  let stop = false;
  let restartAt = 0;
  let backAt = 0;
  let sequence = 0;

  /** Judges one answer; true when it is a 200. */
  const judge = (
    what: string,
    reply: Reply,
    startedAt: number,
    allowLost: boolean,
  ): "ok" | "unavailable" | "lost" | "bad" => {
    if (reply.status === 200) {
      if (backAt > 0 && startedAt >= backAt && report.recoveredAfterMs === null) {
        report.recoveredAfterMs = Date.now() - backAt;
      }
      return "ok";
    }
    if (reply.status === 503 && reply.body.code === "DATABASE_UNAVAILABLE") {
      report.unavailable++;
      if (!reply.retryAfter) violations.push(`${what}: 503 without Retry-After`);
      if (backAt > 0 && startedAt >= backAt + RECOVERY_MS) {
        violations.push(`${what}: still 503 ${startedAt - backAt} ms after the database was back`);
      }
      return "unavailable";
    }
    if (allowLost && reply.status === 404 && reply.body.code === "PURCHASE_NOT_FOUND") return "lost";
    violations.push(`${what}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return "bad";
  };

  const oneSale = async () => {
    const id = `restart-${mode}-${++sequence}`;
    const receipt = randomReceipt(id);
    report.sales++;
    try {
      let startedAt = Date.now();
      const calculated = await api(server, "POST", "/v1/purchases/calculate", token, receipt);
      if (judge(`calculate ${id}`, calculated, startedAt, false) !== "ok") return;
      startedAt = Date.now();
      const confirmed = await api(server, "POST", `/v1/purchases/${id}/confirm`, token, confirmBody(id));
      // A calculation may be lost by the restart: answered before it was written (write-behind) when the
      // database went away, or committed without waiting for the disk (an immediate restart).
      const verdict = judge(`confirm ${id}`, confirmed, startedAt, restartAt > 0);
      if (verdict === "ok") {
        const r = confirmed.body.receipt as Points;
        acknowledged.set(id, { accrued: r.accrued, spent: r.spent });
        report.acked++;
      } else if (verdict === "unavailable" || verdict === "lost") {
        if (verdict === "lost") report.lostCalculates++;
        cut.set(id, receipt);
      }
    } catch (error) {
      violations.push(`${id}: no answer: ${String(error)}`);
    }
  };

  const workers = Array.from({ length: CLIENTS }, async () => {
    while (!stop && violations.length < 20) await oneSale();
  });
  const readiness = (async () => {
    while (!stop) {
      const startedAt = Date.now();
      const res = await fetch(`${server.base}/health/ready`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).catch(() => null);
      await res?.body?.cancel();
      if (restartAt > 0 && backAt === 0 && startedAt >= restartAt)
        report.readyStatusesWhileDown.push(res?.status ?? 0);
      await sleep(25);
    }
  })();

  const loadStart = Date.now();
  while (
    report.acked < MIN_ACKS_BEFORE_RESTART &&
    violations.length === 0 &&
    Date.now() - loadStart < 15_000
  ) {
    await sleep(20);
  }
  restartAt = Date.now();
  await cluster.restart(mode);
  backAt = Date.now();
  report.restartMs = backAt - restartAt;
  while (Date.now() < backAt + RECOVERY_MS + STEADY_MS && violations.length < 20) await sleep(50);
  stop = true;
  await Promise.all([...workers, readiness]);
  report.cut = cut.size;
  return { report, violations, cut };
}

describe.skipIf(!available)("a PostgreSQL restart under load", () => {
  let cluster: PostgresCluster | undefined;

  beforeAll(async () => {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run npm run build first`);
    cluster = await startPrivateCluster();
  });

  afterAll(async () => {
    await killAll();
    await cluster?.destroy();
  });

  it("never ends the server, answers 503 DATABASE_UNAVAILABLE meanwhile, recovers by itself and loses nothing", {
    timeout: 90_000,
  }, async () => {
    const started = Date.now();
    // The sweeper runs too: background work must survive the outage as well.
    const server = await startServer(cluster!.url, { LOG_LEVEL: "error", SWEEPER_INTERVAL_MS: "500" });
    const token = (await api(server, "POST", "/v1/auth/token", null, { login: LOGIN, secret: SECRET })).body
      .accessToken as string;

    for (const mode of ["fast", "immediate"] as const) {
      const { report, violations, cut } = await restartUnderLoad(server, cluster!, token, mode);
      console.log(`restart -m ${mode}: ${JSON.stringify(report)}`);
      expect(server.hasExited(), `the server exited:\n${server.output()}`).toBe(false);
      expect(violations, `answers during the ${mode} restart:\n${server.output()}`).toEqual([]);
      expect(report.acked).toBeGreaterThanOrEqual(MIN_ACKS_BEFORE_RESTART);
      expect(report.unavailable, "the outage was seen by the tills").toBeGreaterThan(0);
      expect(report.recoveredAfterMs, "sales went through again after the restart").not.toBeNull();
      expect(report.recoveredAfterMs!).toBeLessThanOrEqual(RECOVERY_MS);

      // The tills whose confirm was cut retry it with the same purchase id and body.
      for (const [id, receipt] of cut) {
        let confirmed = await api(server, "POST", `/v1/purchases/${id}/confirm`, token, confirmBody(id));
        if (confirmed.status === 404) {
          // The calculate was lost: written behind its answer when the database went away (either mode),
          // or with the unflushed WAL (immediate). The till calculates the same receipt again.
          const again = await api(server, "POST", "/v1/purchases/calculate", token, receipt);
          expect(again.status, JSON.stringify(again.body)).toBe(200);
          confirmed = await api(server, "POST", `/v1/purchases/${id}/confirm`, token, confirmBody(id));
        }
        expect(confirmed.status, `retried confirm of ${id}: ${JSON.stringify(confirmed.body)}`).toBe(200);
        expect(confirmed.body.state).toBe("confirmed");
        const r = confirmed.body.receipt as Points;
        acknowledged.set(id, { accrued: r.accrued, spent: r.spent });
      }
    }

    // The cluster stays down a while: readiness and the API say so, then both come back by themselves.
    await cluster!.halt();
    const downReceipt = randomReceipt("restart-down-1");
    const readyWhileDown = await api(server, "GET", "/health/ready", null);
    expect(readyWhileDown.status).toBe(503);
    expect(readyWhileDown.body.code).toBe("NOT_READY");
    const calculateWhileDown = await api(server, "POST", "/v1/purchases/calculate", token, downReceipt);
    expect(calculateWhileDown.status, JSON.stringify(calculateWhileDown.body)).toBe(503);
    expect(calculateWhileDown.body.code).toBe("DATABASE_UNAVAILABLE");
    expect(calculateWhileDown.retryAfter).toBe("1");
    await cluster!.start();
    const backAt = Date.now();
    for (;;) {
      const ready = await api(server, "GET", "/health/ready", null);
      const calculated = await api(server, "POST", "/v1/purchases/calculate", token, downReceipt);
      if (ready.status === 200 && calculated.status === 200) break;
      expect(Date.now() - backAt, "back within 5 s of the start").toBeLessThanOrEqual(RECOVERY_MS);
      await sleep(100);
    }
    expect(server.hasExited()).toBe(false);

    // Every acknowledged confirm is there, once, with the points the till printed.
    const problems: string[] = [];
    const ids = [...acknowledged.keys()];
    for (let i = 0; i < ids.length; i += CLIENTS) {
      await Promise.all(
        ids.slice(i, i + CLIENTS).map(async (id) => {
          const points = acknowledged.get(id)!;
          const reply = await api(server, "GET", `/v1/purchases/${id}`, token);
          const detail = reply.body as {
            state?: string;
            totals?: { accrual: number; pointsPaid: number };
            history?: { kind: string }[];
          };
          const confirms = detail.history?.filter((e) => e.kind === "confirmed").length;
          if (
            reply.status !== 200 ||
            detail.state !== "confirmed" ||
            detail.totals?.accrual !== points.accrued ||
            detail.totals?.pointsPaid !== points.spent ||
            confirms !== 1
          ) {
            problems.push(
              `${id} acknowledged ${JSON.stringify(points)} reads ${reply.status} ${JSON.stringify(reply.body)}`,
            );
          }
        }),
      );
    }
    expect(problems).toEqual([]);

    const database = openDatabase(cluster!.url, { poolSize: 2 });
    try {
      expect(await verifyLedger(database)).toEqual([]);
      // No purchase has two ledger entries of one kind: nothing was applied twice.
      const repeated = await database.db
        .selectFrom("ledger_entries")
        .select(["purchase_id", "kind", (eb) => eb.fn.countAll<number>().as("n")])
        .where("purchase_id", "is not", null)
        .groupBy(["purchase_id", "kind"])
        .having((eb) => eb.fn.countAll(), ">", 1)
        .execute();
      expect(repeated).toEqual([]);
    } finally {
      await database.close();
    }

    expect(server.hasExited()).toBe(false);
    await stopGracefully(server);
    console.log(`restart test: ${acknowledged.size} confirms checked in ${Date.now() - started} ms`);
  });
});
