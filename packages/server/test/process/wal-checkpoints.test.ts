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
  postJson,
  type ServerProcess,
  sleep,
  spawnServer,
  startServer,
  stopGracefully,
  within,
} from "../support/server-process.js";

const onPostgres = process.env.TEST_DATABASE_URL !== undefined;

async function copiedPages(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("kopilka_sqlite_checkpoint_pages_total "));
  if (!line) throw new Error("no kopilka_sqlite_checkpoint_pages_total in /metrics");
  return Number(line.split(" ")[1]);
}

/** 40 calculated purchases: enough pages in the log for a checkpoint to copy. */
async function calculateSome(server: ServerProcess, prefix: string): Promise<string[]> {
  const auth = await postJson(server, "/v1/auth/token", null, {
    login: "demo-pos-msk-1",
    secret: "demo-secret",
  });
  const token = auth.body.accessToken as string;
  const ids = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
  for (const [i, id] of ids.entries()) {
    const calc = await postJson(server, "/v1/purchases/calculate", token, {
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

/**
 * Stops the server with SIGTERM (it must exit 0) and checks what it left: its shutdown ran to the end (it
 * waited for the worker's connection to close, then closed the writer), the database is sound, and it
 * holds every calculation acknowledged.
 */
async function expectSoundStop(server: ServerProcess, scratch: ScratchDatabase, ids: string[]) {
  await stopGracefully(server);
  expect(server.stdout()).toContain('"msg":"stopped"');
  const file = new SQLite(scratch.url.slice("sqlite:".length), { readonly: true });
  try {
    expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
    const stored = file
      .prepare(`select count(*) as n from purchases where external_id in (${ids.map(() => "?").join(", ")})`)
      .get(...ids) as { n: number };
    expect(stored.n).toBe(ids.length);
  } finally {
    file.close();
  }
}

/** A scratch database dropped after the file's tests. */
const scratches: ScratchDatabase[] = [];
async function scratch(): Promise<ScratchDatabase> {
  const created = await scratchDatabase();
  scratches.push(created);
  return created;
}

describe.skipIf(onPostgres)("checkpoints of the embedded database's log", () => {
  afterAll(async () => {
    await killAll();
    for (const s of scratches) await s.drop();
  });

  it("are made by the server's worker thread, which reports the pages it copied", async () => {
    const database = await scratch();
    const server = await startServer(database.url, { LOG_LEVEL: "info" });
    const ids = await calculateSome(server, "worker");
    let pages = 0;
    for (let waited = 0; waited < 10_000 && pages === 0; waited += 100) {
      pages = await copiedPages(server);
      if (pages === 0) await sleep(100);
    }
    expect(pages).toBeGreaterThan(0);
    await expectSoundStop(server, database, ids);
  }, 180_000);

  it("let a start that fails end with its error and a non-zero exit, the worker closed", async () => {
    const database = await scratch();
    await stopGracefully(await startServer(database.url));
    // A migration this release does not know: the start refuses the database after the worker has started.
    const file = new SQLite(database.url.slice("sqlite:".length));
    file
      .prepare("insert into kysely_migration (name, timestamp) values (?, ?)")
      .run("9999-from-a-later-release", "2099-01-01T00:00:00.000Z");
    file.close();
    const second = spawnServer(database.url, await freePort());
    const exit = await within(60_000, "the refused start to end", second.exited);
    expect(exit.code).not.toBe(0);
    expect(second.stderr()).toMatch(/9999-from-a-later-release|migration/i);
  }, 180_000);

  it("are left to the committing connection with SQLITE_CHECKPOINT_INTERVAL_MS=0: no worker reports", async () => {
    const database = await scratch();
    const server = await startServer(database.url, { LOG_LEVEL: "info", SQLITE_CHECKPOINT_INTERVAL_MS: "0" });
    const ids = await calculateSome(server, "inline");
    // Longer than the worker took above, so that a worker that ran anyway would have reported.
    await sleep(1_000);
    expect(await copiedPages(server)).toBe(0);
    await expectSoundStop(server, database, ids);
  }, 180_000);
});
