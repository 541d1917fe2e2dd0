/**
 * Purchase commands: holds become records (points_holds), purchases keep the rules they were priced with,
 * the answer of their last cancel and why a late confirm hangs; refunds remember the proportional minimum
 * and whether the POS stated less; programs get a refund policy.
 */
import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

export function purchaseCommands(dialect: Dialect) {
  const ms = MS;

  return {
    async up(db: AnyDb): Promise<void> {
      await tableWithId(db, dialect, "points_holds")
        .addColumn("account_id", "bigint", (c) => c.notNull().references("points_accounts.card_id"))
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("resolution", "text")
        .addColumn("resolved_at", ms)
        .addColumn("created_at", ms, (c) => c.notNull())
        .addCheckConstraint("points_holds_amount_positive", sql.raw("amount > 0"))
        .addCheckConstraint(
          "points_holds_resolution",
          sql.raw(
            "(resolution is null and resolved_at is null) or (resolution in ('spent', 'released', 'expired') and resolved_at is not null)",
          ),
        )
        .execute();
      // At most one open hold per purchase; the open holds of an account are what its `held` caches.
      await db.schema
        .createIndex("points_holds_open_purchase")
        .on("points_holds")
        .column("purchase_id")
        .unique()
        .where(sql.ref("resolved_at"), "is", null)
        .execute();
      await db.schema
        .createIndex("points_holds_open_account")
        .on("points_holds")
        .column("account_id")
        .where(sql.ref("resolved_at"), "is", null)
        .execute();
      // Until now the holds were the bonus payments of calculated purchases.
      await sql`
        insert into points_holds (account_id, purchase_id, amount, expires_at, created_at)
        select card_id, id, points_spent, expires_at, updated_at from purchases
        where state = 'calculated' and points_spent > 0 and card_id is not null`.execute(db);

      await db.schema.alterTable("purchases").addColumn("rules_version", "text").execute();
      await db.schema.alterTable("purchases").addColumn("cancel_response", "text").execute();
      await db.schema.alterTable("purchases").addColumn("hanging_reason", "text").execute();

      await db.schema
        .alterTable("refunds")
        .addColumn("points_minimum", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("refunds")
        .addColumn("accrual_minimum", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable("refunds")
        .addColumn("below_proportional", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex("refunds_below_proportional")
        .on("refunds")
        .columns(["below_proportional", "created_at"])
        .execute();

      await db.schema
        .alterTable("programs")
        .addColumn("refund_policy", "text", (c) => c.notNull().defaultTo("proportional_minimum"))
        .execute();
    },
  };
}
