/**
 * `kopilka backup` while a server is under load, and `kopilka restore`: the copy restores to a database
 * that passes verify-ledger and holds every purchase acknowledged before the backup started. Restore
 * refuses a database a server still uses, and files that are not Kopilka databases. On PostgreSQL both
 * commands point to pg_dump and pg_restore.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/infra/db/database.js";
import { hasStackTrace, kopilka } from "../support/cli.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";
import {
  killAll,
  postJson,
  type ServerProcess,
  sleep,
  startServer,
  stopGracefully,
  within,
} from "../support/server-process.js";

const WORKERS = 8;
/** The load runs until the test stops it; this only ends it if the test itself is gone. */
const LOAD_LIMIT_MS = 150_000;

let scratch: ScratchDatabase;

beforeAll(async () => {
  scratch = await scratchDatabase();
});
afterAll(async () => {
  await killAll();
  await scratch?.drop();
});

const post = (server: ServerProcess, path: string, token: string | null, body: unknown) =>
  postJson(server, path, token, body, 10_000);

/**
 * Full sales from several workers until stopped (or LOAD_LIMIT_MS); records when each confirm was
 * acknowledged. `reach` waits for a count of acknowledged sales, and fails at once if the load failed.
 */
function startLoad(server: ServerProcess, token: string) {
  const acknowledged: { id: string; at: number }[] = [];
  let stopped = false;
  const started = Date.now();
  let next = 0;
  /** A call that got no answer in time (a busy machine) is simply not acknowledged; a wrong answer fails. */
  const answered = (call: Promise<{ status: number; body: Record<string, unknown> }>) =>
    call.catch((error: Error) => {
      if (error.name === "TimeoutError") return null;
      throw error;
    });
  const worker = async (w: number) => {
    while (!stopped && Date.now() - started < LOAD_LIMIT_MS) {
      const id = `backup-${w}-${next++}`;
      const calc = await answered(
        post(server, "/v1/purchases/calculate", token, {
          purchaseId: id,
          storeCode: "MSK-01",
          posCode: `POS-${w}`,
          cardNumber: String(2_000_000_000_001 + ((next * 37) % 10_000)),
          lines: [
            {
              lineId: "1",
              sku: `SKU-${String((next % 1000) + 1).padStart(5, "0")}`,
              quantity: 1000,
              price: 25_000,
            },
          ],
        }),
      );
      if (calc === null) continue;
      if (calc.status !== 200)
        throw new Error(`calculate ${id}: ${calc.status} ${JSON.stringify(calc.body)}`);
      const confirm = await answered(post(server, `/v1/purchases/${id}/confirm`, token, {}));
      if (confirm === null) continue;
      if (confirm.status !== 200)
        throw new Error(`confirm ${id}: ${confirm.status} ${JSON.stringify(confirm.body)}`);
      acknowledged.push({ id, at: Date.now() });
    }
  };
  const done = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  let over = false;
  const ended = done.finally(() => {
    over = true;
  });
  ended.catch(() => {}); // observed by reach() and stop()
  const reached = async (count: number) => {
    while (acknowledged.length < count) {
      if (over) {
        await ended; // the load's own error, if it failed
        throw new Error(`the load ended after ${acknowledged.length} sales`);
      }
      await sleep(20);
    }
  };
  return {
    acknowledged,
    reach: (count: number) => within(60_000, `${count} acknowledged sales`, reached(count)),
    stop: async () => {
      stopped = true;
      await within(30_000, "the load to stop", done);
    },
  };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("backup and restore (PostgreSQL)", () => {
  it("point to pg_dump and pg_restore", async () => {
    for (const command of ["backup", "restore"]) {
      const run = await kopilka([command, "/tmp/kopilka.backup"], { DATABASE_URL: scratch.url });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("pg_dump --format=custom");
      expect(run.stderr).toContain("pg_restore");
    }
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL)(
  "backup and restore of the embedded database",
  { timeout: 180_000 },
  () => {
    it("copies a database under load into one that restores, balances and holds every acknowledged sale", async () => {
      const dir = dirname(scratch.url.slice("sqlite:".length));
      const backupFile = join(dir, "kopilka.backup");
      const live = { DATABASE_URL: scratch.url };
      const server = await startServer(scratch.url);
      const auth = await post(server, "/v1/auth/token", null, {
        login: "demo-pos-msk-1",
        secret: "demo-secret",
      });
      const load = startLoad(server, auth.body.accessToken as string);

      await load.reach(50);
      const backupStartedAt = Date.now();
      const acknowledgedBefore = load.acknowledged.filter((a) => a.at < backupStartedAt).map((a) => a.id);
      const backup = await kopilka(["backup", backupFile], live);
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain(`written to ${backupFile}`);
      expect(backup.stderr).toContain("backup: 100%");

      // A server still uses the database: restoring over it is refused, and the server goes on.
      const busy = await kopilka(["restore", backupFile], live);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/is in use \(is a server running\?\)/);
      expect(hasStackTrace(busy.stderr)).toBe(false);
      const during = load.acknowledged.length;
      await load.reach(during + 20);
      await load.stop();
      await stopGracefully(server);
      expect(load.acknowledged.some((a) => a.at > backupStartedAt)).toBe(true);

      const restoredUrl = `sqlite:${join(dir, "restored", "kopilka.db")}`;
      const restore = await kopilka(["restore", backupFile], { DATABASE_URL: restoredUrl });
      expect(restore.code, restore.stderr).toBe(0);
      const ledger = await kopilka(["verify-ledger"], { DATABASE_URL: restoredUrl });
      expect(ledger.code, ledger.stdout).toBe(0);
      const restored = openDatabase(restoredUrl);
      try {
        const rows = await restored.db
          .selectFrom("purchases")
          .select(["external_id", "state"])
          .where("external_id", "in", acknowledgedBefore)
          .execute();
        const state = new Map(rows.map((r) => [r.external_id, r.state]));
        for (const id of acknowledgedBefore) expect(state.get(id), id).toBe("confirmed");
      } finally {
        await restored.close();
      }

      // With the server stopped, the backup replaces the live database; the replaced one is kept.
      const over = await kopilka(["restore", backupFile], live);
      expect(over.code, over.stderr).toBe(0);
      expect(over.stdout).toMatch(/the replaced database is kept at .+\.replaced-/);
      expect((await kopilka(["verify-ledger"], live)).code).toBe(0);
    });

    it("refuses files that are not Kopilka databases, and an existing backup file without --force", async () => {
      const dir = dirname(scratch.url.slice("sqlite:".length));
      const text = join(dir, "notes.txt");
      writeFileSync(text, "not a database\n".repeat(10));
      const run = await kopilka(["restore", text], { DATABASE_URL: scratch.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("is not an SQLite database");

      const other = `sqlite:${join(dir, "other.db")}`;
      const foreign = openDatabase(other);
      await foreign.db.schema.createTable("t").addColumn("x", "integer").execute();
      await foreign.close();
      const wrong = await kopilka(["restore", other.slice("sqlite:".length)], { DATABASE_URL: scratch.url });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain("is not a Kopilka database");

      const backupFile = join(dir, "kopilka.backup");
      const again = await kopilka(["backup", backupFile], { DATABASE_URL: scratch.url });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("already exists; pass --force");
      expect((await kopilka(["backup", "--force", backupFile], { DATABASE_URL: scratch.url })).code).toBe(0);
    });
  },
);
