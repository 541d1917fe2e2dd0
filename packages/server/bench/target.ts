/**
 * The database under test: the embedded SQLite file (default) or a PostgreSQL database
 * (BENCH_DATABASE_URL). Both are seeded by the same functions; a database that already holds the bench
 * partner is reused as it is, with the card and product counts it has.
 */
import { sql } from "kysely";
import { type Database, dialectOf, openDatabase } from "../src/infra/db/database.js";
import { migrateToLatest } from "../src/infra/db/migrate.js";
import { preparePharmApi } from "./pharmapi.js";
import {
  MAIN_PROGRAM,
  RULES2000_PROGRAM,
  type SeedSizes,
  type SeedTimings,
  seedBenchData,
  seedRules2000,
} from "./seed.js";

export const BENCH_PARTNER = "bench";

export interface PreparedTarget {
  url: string;
  dialect: "sqlite" | "postgres";
  /** Timings of this run's seeding; null when an earlier run's data was reused. */
  seed: SeedTimings | null;
  /** What the database holds: the request generators pick cards and products in these ranges. */
  sizes: SeedSizes;
  /** The 2,000-rule program's cards (the `rules2000` phase only); null when not asked for. */
  rules2000: { cards: number; seeded: { setupMs: number; cardsMs: number } | null } | null;
}

/** The 2,000-rule program: seeded on first use, with `cards` cards; later runs reuse it as it is. */
async function prepareRules2000(
  database: Database,
  products: number,
  cards: number,
  log: (message: string) => void,
): Promise<NonNullable<PreparedTarget["rules2000"]>> {
  const partner = await database.db
    .selectFrom("partners")
    .select("id")
    .where("code", "=", BENCH_PARTNER)
    .executeTakeFirstOrThrow();
  const program = await database.db
    .selectFrom("programs")
    .select("id")
    .where("partner_id", "=", partner.id)
    .where("code", "=", RULES2000_PROGRAM)
    .executeTakeFirst();
  if (program) {
    const row = await database.db
      .selectFrom("cards")
      .select(sql<number>`count(*)`.as("n"))
      .where("program_id", "=", program.id)
      .executeTakeFirstOrThrow();
    log(`reusing the 2,000-rule program: ${Number(row.n)} cards`);
    return { cards: Number(row.n), seeded: null };
  }
  log(`seeding the 2,000-rule program: 200 + 1,800 rules, ${cards} cards`);
  const seeded = await seedRules2000(database, partner.id, { products, cards }, Date.now());
  return { cards, seeded };
}

async function benchSizes(database: Database): Promise<SeedSizes | null> {
  const partner = await database.db
    .selectFrom("partners")
    .select("id")
    .where("code", "=", BENCH_PARTNER)
    .executeTakeFirst();
  if (!partner) return null;
  const count = async (table: "products") => {
    const row = await database.db
      .selectFrom(table)
      .select(sql<number>`count(*)`.as("n"))
      .where("partner_id", "=", partner.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  // The main program's cards only: the 2,000-rule program and PharmApi (cards made on first use) have more.
  const main = await database.db
    .selectFrom("cards")
    .innerJoin("programs", "programs.id", "cards.program_id")
    .select(sql<number>`count(*)`.as("n"))
    .where("programs.partner_id", "=", partner.id)
    .where("programs.code", "=", MAIN_PROGRAM)
    .executeTakeFirstOrThrow();
  return { cards: Number(main.n), products: await count("products") };
}

/** Migrates, then seeds unless the bench data is already there. */
export async function prepareTarget(
  url: string,
  wanted: SeedSizes,
  log: (message: string) => void,
  /** Cards of the 2,000-rule program, to seed it; null: the run does not use it. */
  rules2000Cards: number | null = null,
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
      const rules2000 =
        rules2000Cards === null
          ? null
          : await prepareRules2000(database, existing.products, rules2000Cards, log);
      return { url, dialect: database.dialect, seed: null, sizes: existing, rules2000 };
    }
    log(`seeding: 200 rules, ${wanted.products} products, ${wanted.cards} cards`);
    const seed = await seedBenchData(database, wanted, Date.now());
    await pharmApi();
    const rules2000 =
      rules2000Cards === null ? null : await prepareRules2000(database, wanted.products, rules2000Cards, log);
    return { url, dialect: database.dialect, seed, sizes: wanted, rules2000 };
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
