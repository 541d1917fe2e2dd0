import { type Migration, type MigrationProvider, Migrator } from "kysely";
import type { Database } from "./database.js";
import { initialSchema } from "./migrations/0001-initial.js";
import { adminSchema } from "./migrations/0002-admin.js";
import { purchaseCommands } from "./migrations/0003-purchase-commands.js";
import { clientsSchema } from "./migrations/0004-clients.js";
import { ruleVersionsSchema } from "./migrations/0005-rule-versions.js";
import { pointAdjustmentsSchema } from "./migrations/0006-point-adjustments.js";
import { promoCodesLevelsSchema } from "./migrations/0007-promo-codes-levels.js";
import { discountProgramsSchema } from "./migrations/0008-discount-programs.js";
import { stockSelloutSchema } from "./migrations/0009-stock-sellout.js";
import { statsSchema } from "./migrations/0010-stats.js";
import { clientConfirmedContactsSchema } from "./migrations/0011-client-confirmed-contacts.js";
import { antiFraudSchema } from "./migrations/0012-anti-fraud.js";
import { purchasesHangingIndexSchema } from "./migrations/0013-purchases-hanging-index.js";
import { limitHoldsCoveringIndexSchema } from "./migrations/0014-limit-holds-covering-index.js";

/** Migrations in order; add new ones at the end, never edit a released one. */
function migrations(database: Database): Record<string, Migration> {
  return {
    "0001-initial": initialSchema(database.dialect),
    "0002-admin": adminSchema(database.dialect),
    "0003-purchase-commands": purchaseCommands(database.dialect),
    "0004-clients": clientsSchema(database.dialect),
    "0005-rule-versions": ruleVersionsSchema(database.dialect),
    "0006-point-adjustments": pointAdjustmentsSchema(database.dialect),
    "0007-promo-codes-levels": promoCodesLevelsSchema(database.dialect),
    "0008-discount-programs": discountProgramsSchema(database.dialect),
    "0009-stock-sellout": stockSelloutSchema(database.dialect),
    "0010-stats": statsSchema(database.dialect),
    "0011-client-confirmed-contacts": clientConfirmedContactsSchema(database.dialect),
    "0012-anti-fraud": antiFraudSchema(database.dialect),
    "0013-purchases-hanging-index": purchasesHangingIndexSchema(database.dialect),
    "0014-limit-holds-covering-index": limitHoldsCoveringIndexSchema(database.dialect),
  };
}

/** The names of every migration this version knows, in order (a backup made by a newer one has more). */
export function knownMigrationNames(): string[] {
  // The factories only read the dialect; the names do not depend on it.
  return Object.keys(migrations({ dialect: "sqlite" } as Database));
}

export async function migrateToLatest(database: Database): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(database) };
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/** Applies migrations up to and including `name` (tests of a migration start from the schema before it). */
export async function migrateTo(database: Database, name: string): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(database) };
  const { error } = await new Migrator({ db: database.db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
