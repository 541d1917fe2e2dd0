import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

/**
 * Manufacturer discount programs (their versioned definitions, card ranges and per-card limit holds) and
 * the PharmApi facade's own state: credential pairs, POS id bindings, calculations and their transaction
 * codes, the per-partner trust key.
 */
export function discountProgramsSchema(dialect: Dialect) {
  const ms = MS;
  const create = (db: AnyDb, name: string) => tableWithId(db, dialect, name);

  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema
        .createTable("discount_programs")
        .addColumn("program_id", "bigint", (c) => c.primaryKey().references("programs.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("card_ranges", "text", (c) => c.notNull())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("discount_program_versions")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("card_ranges", "text", (c) => c.notNull())
        .addColumn("settings", "text", (c) => c.notNull())
        .addColumn("user_id", "bigint")
        .addColumn("created_at", ms, (c) => c.notNull())
        .addPrimaryKeyConstraint("discount_program_versions_pk", ["program_id", "version"])
        .execute();

      // One row per card and program: reservations lock it first, so a card's limits are counted by one
      // transaction at a time (PostgreSQL row lock; SQLite runs writers one at a time anyway).
      await db.schema
        .createTable("discount_limit_locks")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("card_number", "text", (c) => c.notNull())
        .addColumn("touched_at", ms, (c) => c.notNull())
        .addPrimaryKeyConstraint("discount_limit_locks_pk", ["program_id", "card_number"])
        .execute();

      await create(db, "discount_limit_holds")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("card_number", "text", (c) => c.notNull())
        .addColumn("limit_id", "text", (c) => c.notNull())
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("line_id", "text", (c) => c.notNull())
        .addColumn("packs", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("counted_at", ms, (c) => c.notNull())
        .addColumn("time_zone", "text", (c) => c.notNull())
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("discount_limit_holds_card")
        .on("discount_limit_holds")
        .columns(["program_id", "card_number", "limit_id", "counted_at"])
        .where(sql.ref("state"), "in", ["reserved", "consumed"])
        .execute();
      await db.schema
        .createIndex("discount_limit_holds_purchase")
        .on("discount_limit_holds")
        .columns(["purchase_id", "line_id"])
        .execute();

      await create(db, "pharmapi_credentials")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("token_hint", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addColumn("secret_rotated_at", ms)
        .execute();

      await db.schema
        .createTable("pharmapi_settings")
        .addColumn("partner_id", "bigint", (c) => c.primaryKey().references("partners.id"))
        .addColumn("trust_key_hash", "text")
        .addColumn("trust_any", "integer", (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();

      await create(db, "pharmapi_calculations")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("purchase_external_id", "text", (c) => c.notNull())
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        .addColumn("pos_id", "text", (c) => c.notNull())
        .addColumn("card_number", "text", (c) => c.notNull())
        .addColumn("codes", "integer", (c) => c.notNull())
        .addColumn("superseded_at", ms)
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("pharmapi_calculations_pos_card")
        .on("pharmapi_calculations")
        .columns(["partner_id", "pos_id", "card_number", "id"])
        .execute();

      await db.schema
        .createTable("pharmapi_transactions")
        .addColumn("code", "text", (c) => c.primaryKey())
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("calculation_id", "bigint", (c) => c.notNull().references("pharmapi_calculations.id"))
        .addColumn("line_id", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      // A register waiting for its confirm_code: the POS sends only the code, so the POS id finds it.
      await create(db, "pharmapi_registrations")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("pos_id", "text", (c) => c.notNull())
        .addColumn("confirmation_id", "text", (c) => c.notNull())
        .addColumn("completed_at", ms)
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("pharmapi_registrations_pos")
        .on("pharmapi_registrations")
        .columns(["partner_id", "pos_id", "id"])
        .execute();

      await db.schema
        .createIndex("pharmapi_transactions_calculation")
        .on("pharmapi_transactions")
        .column("calculation_id")
        .execute();
    },
  };
}
