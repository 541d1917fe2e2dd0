import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

export function initialSchema(dialect: Dialect) {
  const create = (db: AnyDb, name: string) => tableWithId(db, dialect, name);
  const ms = MS;

  return {
    async up(db: AnyDb): Promise<void> {
      await create(db, "partners")
        .addColumn("code", "text", (c) => c.notNull().unique())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();

      await create(db, "stores")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("timezone", "text", (c) => c.notNull())
        .addColumn("address", "text")
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("stores_partner_code", ["partner_id", "code"])
        .execute();

      await create(db, "pos_credentials")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.references("stores.id"))
        .addColumn("login", "text", (c) => c.notNull().unique())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("description", "text")
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("server_settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();

      await create(db, "programs")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("hold_days", "integer", (c) => c.notNull())
        .addColumn("cancel_window_minutes", "integer", (c) => c.notNull())
        .addColumn("purchase_ttl_seconds", "integer", (c) => c.notNull())
        .addColumn("max_points_payment_share_bp", "integer", (c) => c.notNull())
        .addColumn("points_lifetime_days", "integer")
        .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("programs_partner_code", ["partner_id", "code"])
        .execute();

      await create(db, "rules")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("params", "text", (c) => c.notNull())
        .addColumn("scope", "text", (c) => c.notNull())
        .addColumn("levels", "text")
        .addColumn("promo_code", "text")
        .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("rules_program").on("rules").columns(["program_id", "active"]).execute();

      await create(db, "products")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("sku", "text", (c) => c.notNull())
        .addColumn("barcode", "text")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("category", "text")
        .addColumn("brand", "text")
        .addColumn("manufacturer", "text")
        .addColumn("excluded_from_points_payment", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("excluded_from_accrual", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("min_price", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("products_partner_sku", ["partner_id", "sku"])
        .execute();
      await db.schema
        .createIndex("products_barcode")
        .on("products")
        .columns(["partner_id", "barcode"])
        .execute();

      await create(db, "clients")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("external_id", "text")
        .addColumn("name", "text")
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();

      await create(db, "cards")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("number", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("level", "text")
        .addColumn("client_id", "bigint", (c) => c.references("clients.id"))
        .addColumn("virtual", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("cards_partner_number", ["partner_id", "number"])
        .execute();

      await db.schema
        .createTable("points_accounts")
        .addColumn("card_id", "bigint", (c) => c.primaryKey().references("cards.id"))
        .addColumn("active", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("pending", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("held", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addCheckConstraint("points_accounts_held_nonnegative", sqlCheck("held >= 0"))
        .addCheckConstraint("points_accounts_pending_nonnegative", sqlCheck("pending >= 0"))
        .execute();

      await create(db, "points_lots")
        .addColumn("account_id", "bigint", (c) => c.notNull().references("points_accounts.card_id"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("remaining", "bigint", (c) => c.notNull())
        .addColumn("active_from", ms, (c) => c.notNull())
        .addColumn("expires_at", ms)
        .addColumn("created_at", ms, (c) => c.notNull())
        .addCheckConstraint("points_lots_remaining_nonnegative", sqlCheck("remaining >= 0"))
        .execute();
      await db.schema
        .createIndex("points_lots_account")
        .on("points_lots")
        .columns(["account_id", "state"])
        .execute();
      await db.schema
        .createIndex("points_lots_due")
        .on("points_lots")
        .columns(["state", "active_from"])
        .execute();
      await db.schema
        .createIndex("points_lots_expiry")
        .on("points_lots")
        .columns(["state", "expires_at"])
        .execute();

      await create(db, "purchases")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("program_id", "bigint", (c) => c.references("programs.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull().references("stores.id"))
        .addColumn("pos_code", "text", (c) => c.notNull())
        .addColumn("card_id", "bigint", (c) => c.references("cards.id"))
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("receipt", "text", (c) => c.notNull())
        .addColumn("subtotal", "bigint", (c) => c.notNull())
        .addColumn("discount_total", "bigint", (c) => c.notNull())
        .addColumn("total", "bigint", (c) => c.notNull())
        .addColumn("points_limit", "bigint", (c) => c.notNull())
        .addColumn("points_spent", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("points_accrued", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("refunded_amount", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("points_returned", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("accrual_reversed", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("accrual_lot_id", "bigint")
        .addColumn("fiscal", "text")
        .addColumn("confirm_hash", "text")
        .addColumn("confirm_response", "text")
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("confirmed_at", ms)
        .addColumn("closed_at", ms)
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("purchases_partner_external", ["partner_id", "external_id"])
        .addCheckConstraint("purchases_refund_bounds", sqlCheck("refunded_amount <= total"))
        .execute();
      await db.schema
        .createIndex("purchases_state")
        .on("purchases")
        .columns(["state", "expires_at"])
        .execute();
      await db.schema.createIndex("purchases_card").on("purchases").columns(["card_id"]).execute();

      await create(db, "purchase_events")
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("data", "text")
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("purchase_events_purchase")
        .on("purchase_events")
        .columns(["purchase_id"])
        .execute();

      await create(db, "refunds")
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("points_returned", "bigint", (c) => c.notNull())
        .addColumn("accrual_reversed", "bigint", (c) => c.notNull())
        .addColumn("response", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addUniqueConstraint("refunds_purchase_external", ["purchase_id", "external_id"])
        .execute();

      await create(db, "ledger_entries")
        .addColumn("account_id", "bigint", (c) => c.notNull().references("points_accounts.card_id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("active_delta", "bigint", (c) => c.notNull())
        .addColumn("pending_delta", "bigint", (c) => c.notNull())
        .addColumn("purchase_id", "bigint", (c) => c.references("purchases.id"))
        .addColumn("refund_id", "bigint", (c) => c.references("refunds.id"))
        .addColumn("lot_id", "bigint", (c) => c.references("points_lots.id"))
        .addColumn("note", "text")
        .addColumn("created_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("ledger_entries_account")
        .on("ledger_entries")
        .columns(["account_id", "id"])
        .execute();
      await db.schema
        .createIndex("ledger_entries_purchase")
        .on("ledger_entries")
        .columns(["purchase_id"])
        .execute();
    },
  };
}

function sqlCheck(expression: string) {
  return sql.raw(expression);
}
