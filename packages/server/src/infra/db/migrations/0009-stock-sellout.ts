import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

/**
 * Pharmacy data a chain uploads (PharmApi `update_pharmacies`/`pl`/`update_prices`/`sellout`, or the native
 * `/v1` equivalents): the pharmacy card on `stores`, the POS ids bound to a store, the stock each store
 * last reported, a log of stock uploads, and the sell-out lines.
 */
export function stockSelloutSchema(dialect: Dialect) {
  const ms = MS;
  const create = (db: AnyDb, name: string) => tableWithId(db, dialect, name);

  return {
    async up(db: AnyDb): Promise<void> {
      for (const column of ["brand", "legal_entity", "inn", "region", "city", "gps", "work_time", "phones"]) {
        await db.schema.alterTable("stores").addColumn(column, "text").execute();
      }
      await db.schema
        .alterTable("stores")
        .addColumn("hidden", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      // Set when an upload in replace mode leaves the store out: purchases still reference it.
      await db.schema.alterTable("stores").addColumn("removed_at", ms).execute();

      await create(db, "store_pos_ids")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("pos_id", "text", (c) => c.notNull())
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      // A POS id belongs to one store of the partner: the last upload that lists it moves it.
      await db.schema
        .createIndex("store_pos_ids_partner_pos")
        .unique()
        .on("store_pos_ids")
        .columns(["partner_id", "pos_id"])
        .execute();
      await db.schema.createIndex("store_pos_ids_store").on("store_pos_ids").column("store_id").execute();

      await create(db, "stock_items")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        // Empty strings, not nulls: the three make the row's key, and NULLs never collide in a unique index.
        .addColumn("barcode", "text", (c) => c.notNull())
        .addColumn("qr_code", "text", (c) => c.notNull())
        .addColumn("lot", "text", (c) => c.notNull())
        .addColumn("product_code", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("price", "bigint", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("uploaded_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("stock_items_key")
        .unique()
        .on("stock_items")
        .columns(["store_id", "barcode", "qr_code", "lot"])
        .execute();
      // No other index: every insert pays for each, and reports read by store through the key's store_id.

      await create(db, "stock_uploads")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("rows", "integer", (c) => c.notNull())
        .addColumn("total_amount", "bigint", (c) => c.notNull())
        .addColumn("total_value", "bigint", (c) => c.notNull())
        .addColumn("uploaded_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("stock_uploads_partner_time")
        .on("stock_uploads")
        .columns(["partner_id", "uploaded_at"])
        .execute();

      await create(db, "sellout_lines")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        .addColumn("year", "integer", (c) => c.notNull())
        .addColumn("voucher_id", "text", (c) => c.notNull())
        .addColumn("order_id", "text", (c) => c.notNull())
        .addColumn("sold_at", ms, (c) => c.notNull())
        // The sale's local date and time as sent (YYYY-MM-DDTHH:MM:SS) and its UTC offset in minutes.
        .addColumn("sold_local", "text", (c) => c.notNull())
        .addColumn("utc_offset_minutes", "integer", (c) => c.notNull())
        .addColumn("barcode", "text")
        .addColumn("qr_code", "text")
        .addColumn("product_code", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("price", "bigint", (c) => c.notNull())
        .addColumn("count", "bigint", (c) => c.notNull())
        .addColumn("discount", "bigint", (c) => c.notNull())
        .addColumn("sum_to_pay", "bigint", (c) => c.notNull())
        .addColumn("card_number", "text")
        .addColumn("transaction_code", "text")
        .addColumn("fn", "text")
        .addColumn("fd", "text")
        .addColumn("fpd", "text")
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      // The protocol's key: pharmacy + receipt + line, unique within a calendar year.
      await db.schema
        .createIndex("sellout_lines_key")
        .unique()
        .on("sellout_lines")
        .columns(["store_id", "year", "voucher_id", "order_id"])
        .execute();
      await db.schema
        .createIndex("sellout_lines_partner_time")
        .on("sellout_lines")
        .columns(["partner_id", "sold_at"])
        .execute();
      await db.schema
        .createIndex("sellout_lines_transaction")
        .on("sellout_lines")
        .columns(["partner_id", "transaction_code"])
        .where(sql.ref("transaction_code"), "is not", null)
        .execute();
    },
  };
}
