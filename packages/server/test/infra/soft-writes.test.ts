import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, DatabaseUnavailableError, openDatabase } from "../../src/infra/db/database.js";
import type { ParentChildInsert } from "../../src/infra/db/fixed-inserts.js";
import { migrateToLatest } from "../../src/infra/db/migrate.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";

// `insertWithChildren` as the write-behind uses it: on SQLite a soft one runs on the soft-write thread
// (the server's setting), a durable one in the event loop's group commit; on PostgreSQL both are
// transactions of the pool. The guarantees tested are the same.
let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await scratchDatabase();
  database = openDatabase(scratch.url, { softWriteThread: {} });
  await migrateToLatest(database);
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

/** Partners with one store each: a parent keyed by its code, and a child that refers to its id. */
function partnersWithStores(codes: readonly string[], storeName = (code: string) => `store of ${code}`) {
  return {
    parent: {
      table: "partners",
      rows: codes.map((code) => ({ code, name: code, created_at: 1 })),
      key: ["code"],
    },
    child: {
      table: "stores",
      rows: codes.map((code) => ({
        code: "main",
        name: storeName(code),
        timezone: "Europe/Moscow",
        active: 1,
        created_at: 1,
        updated_at: 1,
      })),
      parentIdColumn: "partner_id",
    },
  } satisfies ParentChildInsert;
}

const storesOf = (prefix: string) =>
  database.db
    .selectFrom("partners")
    .innerJoin("stores", "stores.partner_id", "partners.id")
    .select(["partners.code as partner", "stores.name as store"])
    .where("partners.code", "like", `${prefix}%`)
    .orderBy("partners.code")
    .execute();

describe("rows inserted with their children", () => {
  for (const durable of [false, true])
    it(`${durable ? "durable" : "soft"}: each free key gets its row and its child; a taken key is skipped with its child`, async () => {
      const prefix = durable ? "durable-" : "soft-";
      await database.insertWithChildren(partnersWithStores([`${prefix}b`]), { durable });
      // 131 rows: statements of 128, 2 and 1, one of them with a key already taken.
      const codes = Array.from(
        { length: 131 },
        (_, i) => `${prefix}${i === 7 ? "b" : `n${String(i).padStart(3, "0")}`}`,
      );
      const outcome = await database.insertWithChildren(
        partnersWithStores(codes, (code) => `second ${code}`),
        { durable },
      );
      expect(outcome).toEqual({ inserted: 130, skipped: [7] });
      const stores = await storesOf(prefix);
      expect(stores).toHaveLength(131);
      expect(stores.find((s) => s.partner === `${prefix}b`)?.store).toBe(`store of ${prefix}b`);
      expect(stores.filter((s) => s.store.startsWith("second "))).toHaveLength(130);
    });

  it("a child the database refuses fails the whole write as a fault, leaving nothing", async () => {
    const plan = partnersWithStores(["refused-1", "refused-2"]);
    // A store without a name breaks a NOT NULL constraint.
    const refused = {
      ...plan,
      child: { ...plan.child, rows: [plan.child.rows[0]!, { ...plan.child.rows[1]!, name: null }] },
    };
    const error = await database.insertWithChildren(refused, { durable: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(await storesOf("refused-")).toEqual([]);
    expect(
      await database.db.selectFrom("partners").select("id").where("code", "like", "refused-%").execute(),
    ).toEqual([]);
    // The next write goes through.
    expect(await database.insertWithChildren(plan, { durable: false })).toEqual({ inserted: 2, skipped: [] });
  });

  it("soft writes and the event loop's transactions at once all land", async () => {
    const writes = Array.from({ length: 40 }, (_, i) => [
      database.insertWithChildren(partnersWithStores([`mixed-soft-${String(i).padStart(2, "0")}`]), {
        durable: false,
      }),
      database.transaction((trx) =>
        trx
          .insertInto("partners")
          .values({ code: `mixed-trx-${String(i).padStart(2, "0")}`, name: "x", created_at: 1 })
          .execute(),
      ),
    ]);
    await Promise.all(writes.flat());
    expect(await storesOf("mixed-soft-")).toHaveLength(40);
    expect(
      await database.db.selectFrom("partners").select("id").where("code", "like", "mixed-trx-%").execute(),
    ).toHaveLength(40);
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL)("SQLite's soft-write thread", () => {
  it("holds the event loop's connection while it writes: a query outside any transaction waits for the commit", async () => {
    const codes = Array.from({ length: 300 }, (_, i) => `held-${String(i).padStart(3, "0")}`);
    const write = database.insertWithChildren(partnersWithStores(codes), { durable: false });
    // Asked for after the write: it runs once the thread has committed, so it sees every row.
    const seen = await database.db
      .selectFrom("partners")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("code", "like", "held-%")
      .executeTakeFirstOrThrow();
    expect(Number(seen.n)).toBe(300);
    expect(await write).toEqual({ inserted: 300, skipped: [] });
  });

  it("a thread that ends makes the write on the event loop instead, says so once, and writes there for a while", async () => {
    const other = await scratchDatabase();
    const dir = mkdtempSync(join(tmpdir(), "kopilka-thread-"));
    const ending = join(dir, "ending-worker.mjs");
    writeFileSync(ending, "process.exit(3);\n");
    const failures: Error[] = [];
    const failing = openDatabase(other.url, {
      softWriteThread: { onFailure: (error) => failures.push(error), workerUrl: () => pathToFileURL(ending) },
    });
    try {
      await migrateToLatest(failing);
      expect(await failing.insertWithChildren(partnersWithStores(["ended-1"]), { durable: false })).toEqual({
        inserted: 1,
        skipped: [],
      });
      expect(await failing.insertWithChildren(partnersWithStores(["ended-2"]), { durable: false })).toEqual({
        inserted: 1,
        skipped: [],
      });
      const codes = await failing.db.selectFrom("partners").select("code").orderBy("code").execute();
      expect(codes.map((c) => c.code)).toEqual(["ended-1", "ended-2"]);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.message).toMatch(/exit code 3/);
    } finally {
      await failing.close();
      await other.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
