import { type Migration, type MigrationProvider, Migrator } from "kysely";
import type { Database } from "./database.js";
import { initialSchema } from "./migrations/0001-initial.js";
import { adminSchema } from "./migrations/0002-admin.js";

/** Migrations in order; add new ones at the end, never edit a released one. */
function migrations(database: Database): Record<string, Migration> {
  return {
    "0001-initial": initialSchema(database.dialect),
    "0002-admin": adminSchema(database.dialect),
  };
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(database) };
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
