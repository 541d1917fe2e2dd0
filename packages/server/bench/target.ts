/**
 * The database under test: the embedded SQLite file (default) or a PostgreSQL database
 * (BENCH_DATABASE_URL). Both are seeded by the same functions; a database that already holds the bench
 * partner is reused as it is, with the card and product counts it has.
 */
import { sql } from "kysely";
import { type Database, dialectOf, openDatabase } from "../src/infra/db/database.js";
import { migrateToLatest } from "../src/infra/db/migrate.js";
import { preparePharmApi } from "./pharmapi.js";
import { type SeedSizes, type SeedTimings, seedBenchData } from "./seed.js";

export const BENCH_PARTNER = "bench";

export interface PreparedTarget {
  url: string;
  dialect: "sqlite" | "postgres";
  /** Timings of this run's seeding; null when an earlier run's data was reused. */
  seed: SeedTimings | null;
  /** What the database holds: the request generators pick cards and products in these ranges. */
  sizes: SeedSizes;
}

async function benchSizes(database: Database): Promise<SeedSizes | null> {
  const partner = await database.db
    .selectFrom("partners")
    .select("id")
    .where("code", "=", BENCH_PARTNER)
    .executeTakeFirst();
  if (!partner) return null;
  const count = async (table: "cards" | "products") => {
    const row = await database.db
      .selectFrom(table)
      .select(sql<number>`count(*)`.as("n"))
      .where("partner_id", "=", partner.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return { cards: await count("cards"), products: await count("products") };
}

/** Migrates, then seeds unless the bench data is already there. */
export async function prepareTarget(
  url: string,
  wanted: SeedSizes,
  log: (message: string) => void,
): Promise<PreparedTarget> {
  const database = openDatabase(url);
  try {
    await migrateToLatest(database);
    const existing = await benchSizes(database);
    // The PharmApi program, its credential and POS id (created once; cheap to check).
    const pharmApi = async () => preparePharmApi(database, BENCH_PARTNER);
    if (existing) {
      await pharmApi();
      log(
        `reusing the seeded data: ${existing.cards} cards, ${existing.products} products (no import timed)`,
      );
      return { url, dialect: database.dialect, seed: null, sizes: existing };
    }
    log(`seeding: 200 rules, ${wanted.products} products, ${wanted.cards} cards`);
    const seed = await seedBenchData(database, wanted, Date.now());
    await pharmApi();
    return { url, dialect: database.dialect, seed, sizes: wanted };
  } finally {
    await database.close();
  }
}

/** Purchases of this run (external ids starting with `prefix`) that the database holds as confirmed. */
export async function confirmedInDatabase(url: string, prefix: string): Promise<number> {
  const database = openDatabase(url);
  try {
    const row = await database.db
      .selectFrom("purchases")
      .select(sql<number>`count(*)`.as("n"))
      .where("state", "=", "confirmed")
      .where("external_id", "like", `${prefix}%`)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  } finally {
    await database.close();
  }
}

export function describeTarget(url: string): string {
  return dialectOf(url) === "sqlite" ? `SQLite ${url.slice("sqlite:".length)}` : "PostgreSQL";
}
