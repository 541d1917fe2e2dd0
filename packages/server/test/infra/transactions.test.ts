import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/infra/db/database.js";
import { migrateToLatest } from "../../src/infra/db/migrate.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";

// On SQLite these transactions are group-committed (savepoint per transaction, one COMMIT per batch);
// on PostgreSQL each is its own. The guarantees tested are the same.
let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await scratchDatabase();
  database = openDatabase(scratch.url);
  await migrateToLatest(database);
});
afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

const insertPartner = (code: string) => (trx: Parameters<Parameters<Database["transaction"]>[0]>[0]) =>
  trx
    .insertInto("partners")
    .values({ code, name: code, created_at: 0 })
    .returning("id")
    .executeTakeFirstOrThrow();

const codes = async (prefix: string) =>
  (
    await database.db
      .selectFrom("partners")
      .select("code")
      .where("code", "like", `${prefix}%`)
      .orderBy("code")
      .execute()
  ).map((r) => r.code);

describe("transactions", () => {
  it("a failing transaction among concurrent ones leaves no trace; the others all commit", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        database.transaction(async (trx) => {
          await insertPartner(`batch-${String(i).padStart(2, "0")}`)(trx);
          if (i % 7 === 3) throw new Error(`refused ${i}`);
          return i;
        }),
      ),
    );
    const refused = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    expect(refused).toEqual([3, 10, 17, 24]);
    const expected = Array.from({ length: 30 }, (_, i) => i)
      .filter((i) => i % 7 !== 3)
      .map((i) => `batch-${String(i).padStart(2, "0")}`);
    expect(await codes("batch-")).toEqual(expected);
  });

  it("a transaction that violates a constraint fails alone", async () => {
    await database.transaction(insertPartner("unique-1"));
    const [dup, ok] = await Promise.allSettled([
      database.transaction(insertPartner("unique-1")),
      database.transaction(insertPartner("unique-2")),
    ]);
    expect(dup.status).toBe("rejected");
    expect(ok.status).toBe("fulfilled");
    expect(await codes("unique-")).toEqual(["unique-1", "unique-2"]);
  });

  it("a transaction started from the answer of the previous one runs (no stranded work)", async () => {
    let chain = 0;
    const next = async (): Promise<void> => {
      await database.transaction(insertPartner(`chain-${chain++}`));
      if (chain < 20) return next();
    };
    await next();
    expect(await codes("chain-")).toHaveLength(20);
  });
});

describe.skipIf(process.env.TEST_DATABASE_URL)("group commit on SQLite", () => {
  /** Codes as the reading connection sees them: committed rows only. */
  const committedCodes = async (prefix: string) =>
    (
      await database.prepareRead<{ code: string }>(
        "select code from partners where code like ? order by code",
      )([`${prefix}%`])
    ).map((r) => r.code);

  it("commits the durable transactions started in one turn of the event loop together, none before the last ran", async () => {
    // Two requests read in the same turn: each starts its transaction from a callback of its own.
    const seenByTheSecond: string[][] = [];
    const [first, second] = await new Promise<[Promise<unknown>, Promise<unknown>]>((resolve) => {
      let first!: Promise<unknown>;
      setImmediate(() => {
        first = database.transaction(insertPartner("turn-1"));
      });
      setImmediate(() => {
        const second = database.transaction(async (trx) => {
          // What another connection sees: the first transaction has run, but is not committed yet.
          seenByTheSecond.push(await committedCodes("turn-"));
          return insertPartner("turn-2")(trx);
        });
        resolve([first, second]);
      });
    });
    await Promise.all([first, second]);
    expect(seenByTheSecond).toEqual([[]]);
    expect(await committedCodes("turn-")).toEqual(["turn-1", "turn-2"]);
  });
});

describe("lost connections", () => {
  it.skipIf(!process.env.TEST_DATABASE_URL)(
    "an idle connection the server ends is replaced, not fatal",
    async () => {
      const pg = (await import("pg")).default;
      const lost: Error[] = [];
      const own = openDatabase(scratch.url, { onConnectionLost: (e) => lost.push(e) });
      try {
        await own.transaction(insertPartner("before-restart"));
        const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
        await admin.connect();
        const dbName = new URL(scratch.url).pathname.slice(1);
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and state = 'idle'",
          [dbName],
        );
        await admin.end();
        await new Promise((r) => setTimeout(r, 200));
        expect(lost.length).toBeGreaterThan(0);
        await own.transaction(insertPartner("after-restart"));
        expect(await codes("before-restart")).toEqual(["before-restart"]);
        expect(await codes("after-restart")).toEqual(["after-restart"]);
      } finally {
        await own.close();
      }
    },
  );
});
