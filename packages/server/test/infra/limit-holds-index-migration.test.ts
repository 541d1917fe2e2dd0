/**
 * Migration 0014 replaces the card index of the discount-limit holds by one that answers the live-holds
 * read alone: up and down, and again after an attempt that stopped between building the new index and
 * dropping the old one (on SQLite a migration is not one transaction).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/infra/db/database.js";
import { migrateTo, migrateToLatest } from "../../src/infra/db/migrate.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await scratchDatabase();
  database = openDatabase(scratch.url, { poolSize: 2 });
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});

async function holdIndexes(): Promise<string[]> {
  const rows =
    database.dialect === "sqlite"
      ? await sql<{ name: string }>`select name from sqlite_master
          where type = 'index' and tbl_name = 'discount_limit_holds' and name like 'discount_limit_holds_%'`.execute(
          database.db,
        )
      : await sql<{ name: string }>`select indexname as name from pg_indexes
          where tablename = 'discount_limit_holds' and indexname like 'discount_limit_holds_%'
          and indexname <> 'discount_limit_holds_pkey'`.execute(database.db);
  return rows.rows.map((r) => r.name).sort();
}

describe("migration 0014", () => {
  it("goes up and down, and runs again after stopping half way", async () => {
    await migrateTo(database, "0013-purchases-hanging-index");
    expect(await holdIndexes()).toEqual(["discount_limit_holds_card", "discount_limit_holds_purchase"]);

    await migrateToLatest(database);
    expect(await holdIndexes()).toEqual(["discount_limit_holds_live", "discount_limit_holds_purchase"]);

    await migrateTo(database, "0013-purchases-hanging-index");
    expect(await holdIndexes()).toEqual(["discount_limit_holds_card", "discount_limit_holds_purchase"]);

    // An earlier attempt built the new index and stopped before dropping the old one.
    await sql`create index discount_limit_holds_live on discount_limit_holds (program_id, card_number)
      where state in ('reserved', 'consumed')`.execute(database.db);
    await migrateToLatest(database);
    expect(await holdIndexes()).toEqual(["discount_limit_holds_live", "discount_limit_holds_purchase"]);
  });
});
