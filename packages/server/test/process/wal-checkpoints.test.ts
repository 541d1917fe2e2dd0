/**
 * The embedded database's log is checkpointed by a worker thread of the server process, not by the
 * commits on its event loop (infra/db/wal-checkpointer.ts): a real `kopilka serve` on SQLite reports the
 * pages its worker copied, one started with SQLITE_CHECKPOINT_INTERVAL_MS=0 reports none, and either
 * leaves a sound database with everything it acknowledged once its shutdown has run to the end.
 */
import SQLite from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";
import {
  freePort,
  killAll,
  type ServerProcess,
  sleep,
  spawnServer,
  startServer,
  within,
} from "../support/server-process.js";

const onPostgres = process.env.TEST_DATABASE_URL !== undefined;

async function post(server: ServerProcess, path: string, token: string, body: unknown) {
  const res = await fetch(`${server.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function copiedPages(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("kopilka_sqlite_checkpoint_pages_total "));
  if (!line) throw new Error("no kopilka_sqlite_checkpoint_pages_total in /metrics");
  return Number(line.split(" ")[1]);
}

/** 40 calculated purchases: enough pages in the log for a checkpoint to copy. */
async function calculateSome(server: ServerProcess, prefix: string): Promise<string[]> {
  const auth = await post(server, "/v1/auth/token", "", { login: "demo-pos-msk-1", secret: "demo-secret" });
  const token = auth.body.accessToken as string;
  const ids = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
  for (const [i, id] of ids.entries()) {
    const calc = await post(server, "/v1/purchases/calculate", token, {
      purchaseId: id,
      storeCode: "MSK-01",
      posCode: "POS-1",
      cardNumber: String(2_000_000_000_001 + i),
      lines: [{ lineId: "1", sku: "SKU-00001", quantity: 1000, price: 10_000 }],
    });
    expect(calc.status).toBe(200);
  }
  return ids;
}

/** Stops the server with SIGTERM and reads the stopped database: its integrity, and which purchases it holds. */
async function stopAndInspect(server: ServerProcess, scratch: ScratchDatabase, ids: string[]) {
  server.child.kill("SIGTERM");
  const exit = await within(30_000, "the server to stop", server.exited);
  const file = new SQLite(scratch.url.slice("sqlite:".length), { readonly: true });
  try {
    const integrity = file.pragma("integrity_check", { simple: true });
    const stored = file
      .prepare(`select count(*) as n from purchases where external_id in (${ids.map(() => "?").join(", ")})`)
      .get(...ids) as { n: number };
    return { exit, integrity, stored: stored.n };
  } finally {
    file.close();
  }
}

describe.skipIf(onPostgres)("checkpoints of the embedded database's log", () => {
  const scratches: ScratchDatabase[] = [];
  afterAll(async () => {
    await killAll();
    for (const s of scratches) await s.drop();
  });

  it("are made by the server's worker thread, which reports the pages it copied", async () => {
    const scratch = await scratchDatabase();
    scratches.push(scratch);
    const server = await startServer(scratch.url, { LOG_LEVEL: "info" });
    const ids = await calculateSome(server, "worker");
    let pages = 0;
    for (let waited = 0; waited < 10_000 && pages === 0; waited += 100) {
      pages = await copiedPages(server);
      if (pages === 0) await sleep(100);
    }
    expect(pages).toBeGreaterThan(0);
    const stopped = await stopAndInspect(server, scratch, ids);
    expect(stopped.exit.code).toBe(0);
    // The shutdown ran to its end: it waited for the worker's connection to close, then closed the writer.
    expect(server.stdout()).toContain('"msg":"stopped"');
    expect(stopped.integrity).toBe("ok");
    expect(stopped.stored).toBe(ids.length);
  }, 180_000);

  it("let a start that fails end with its error and a non-zero exit, the worker closed", async () => {
    const scratch = await scratchDatabase();
    scratches.push(scratch);
    const first = await startServer(scratch.url);
    first.child.kill("SIGTERM");
    expect((await within(30_000, "the first server to stop", first.exited)).code).toBe(0);
    // A migration this release does not know: the start refuses the database after the worker has started.
    const file = new SQLite(scratch.url.slice("sqlite:".length));
    file
      .prepare("insert into kysely_migration (name, timestamp) values (?, ?)")
      .run("9999-from-a-later-release", "2099-01-01T00:00:00.000Z");
    file.close();
    const second = spawnServer(scratch.url, await freePort());
    const exit = await within(60_000, "the refused start to end", second.exited);
    expect(exit.code).not.toBe(0);
    expect(second.stderr()).toMatch(/9999-from-a-later-release|migration/i);
  }, 180_000);

  it("are left to the committing connection with SQLITE_CHECKPOINT_INTERVAL_MS=0: no worker reports", async () => {
    const scratch = await scratchDatabase();
    scratches.push(scratch);
    const server = await startServer(scratch.url, { LOG_LEVEL: "info", SQLITE_CHECKPOINT_INTERVAL_MS: "0" });
    const ids = await calculateSome(server, "inline");
    // Longer than the worker took above, so that a worker that ran anyway would have reported.
    await sleep(1_000);
    expect(await copiedPages(server)).toBe(0);
    const stopped = await stopAndInspect(server, scratch, ids);
    expect(stopped.exit.code).toBe(0);
    // The shutdown ran to its end: it waited for the worker's connection to close, then closed the writer.
    expect(server.stdout()).toContain('"msg":"stopped"');
    expect(stopped.integrity).toBe("ok");
    expect(stopped.stored).toBe(ids.length);
  }, 180_000);
});
