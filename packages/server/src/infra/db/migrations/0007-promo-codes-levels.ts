import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

/**
 * Promo codes (single codes and generated batches, their reservations and uses) and card levels (the
 * levels of a program, how a program computes them, the level changes of cards and the downgrade
 * reviews that make the periodic job idempotent).
 */
export function promoCodesLevelsSchema(dialect: Dialect) {
  const ms = MS;
  const create = (db: AnyDb, name: string) => tableWithId(db, dialect, name);

  return {
    async up(db: AnyDb): Promise<void> {
      await create(db, "promo_code_batches")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("size", "integer", (c) => c.notNull())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("length", "integer", (c) => c.notNull())
        .addColumn("campaign", "text")
        .addColumn("max_uses", "integer")
        .addColumn("max_uses_per_card", "integer")
        .addColumn("valid_from", ms)
        .addColumn("valid_to", ms)
        .addColumn("description", "text")
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("generated_ms", "integer", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("promo_code_batches_code")
        .unique()
        .on("promo_code_batches")
        .columns(["program_id", "code"])
        .execute();

      await create(db, "promo_codes")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("batch_id", "bigint", (c) => c.references("promo_code_batches.id"))
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("campaign", "text")
        .addColumn("max_uses", "integer")
        .addColumn("max_uses_per_card", "integer")
        .addColumn("valid_from", ms)
        .addColumn("valid_to", ms)
        .addColumn("card_id", "bigint", (c) => c.references("cards.id"))
        .addColumn("description", "text")
        .addColumn("disabled_at", ms)
        .addColumn("uses_reserved", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("uses_consumed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      // One code per program, also under concurrent batches: a collision is retried, never stored twice.
      await db.schema
        .createIndex("promo_codes_program_code")
        .unique()
        .on("promo_codes")
        .columns(["program_id", "code"])
        .execute();
      await db.schema
        .createIndex("promo_codes_partner_code")
        .on("promo_codes")
        .columns(["partner_id", "code"])
        .execute();
      await db.schema
        .createIndex("promo_codes_batch")
        .on("promo_codes")
        .columns(["batch_id", "id"])
        .execute();
      await db.schema
        .createIndex("promo_codes_card")
        .on("promo_codes")
        .column("card_id")
        .where(sql.ref("card_id"), "is not", null)
        .execute();

      await create(db, "promo_code_uses")
        .addColumn("promo_code_id", "bigint", (c) => c.notNull().references("promo_codes.id"))
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("card_id", "bigint")
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      // A purchase holds a code at most once while the use is live (reserved or consumed).
      await db.schema
        .createIndex("promo_code_uses_live")
        .unique()
        .on("promo_code_uses")
        .columns(["promo_code_id", "purchase_id"])
        .where(sql.ref("state"), "in", ["reserved", "consumed"])
        .execute();
      await db.schema
        .createIndex("promo_code_uses_purchase")
        .on("promo_code_uses")
        .column("purchase_id")
        .execute();
      await db.schema
        .createIndex("promo_code_uses_card")
        .on("promo_code_uses")
        .columns(["promo_code_id", "card_id"])
        .execute();

      await create(db, "card_levels")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("threshold", ms, (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("card_levels_code")
        .unique()
        .on("card_levels")
        .columns(["program_id", "code"])
        .execute();
      await db.schema
        .createIndex("card_levels_threshold")
        .unique()
        .on("card_levels")
        .columns(["program_id", "threshold"])
        .execute();

      await db.schema
        .createTable("level_settings")
        .addColumn("program_id", "bigint", (c) => c.primaryKey().references("programs.id"))
        .addColumn("basis", "text", (c) => c.notNull())
        .addColumn("period_kind", "text", (c) => c.notNull())
        .addColumn("period_days", "integer", (c) => c.notNull())
        .addColumn("downgrade", "text", (c) => c.notNull())
        .addColumn("upgrade_at_confirm", "integer", (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("card_level_reviews")
        .addColumn("card_id", "bigint", (c) => c.primaryKey().references("cards.id"))
        .addColumn("period_key", "text", (c) => c.notNull())
        .addColumn("reviewed_at", ms, (c) => c.notNull())
        .execute();

      await create(db, "card_level_changes")
        .addColumn("card_id", "bigint", (c) => c.notNull().references("cards.id"))
        .addColumn("from_level", "text")
        .addColumn("to_level", "text")
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("base", ms, (c) => c.notNull())
        .addColumn("purchase_id", "bigint")
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("card_level_changes_card")
        .on("card_level_changes")
        .columns(["card_id", "id"])
        .execute();
    },
  };
}
