import type { Dialect } from "../database.js";
import { type AnyDb, MS } from "./support.js";

/**
 * The dashboard's roll-up (modules/stats): figures per UTC hour, store and program, kept by a periodic
 * job from the purchase events and ledger entries past a watermark, never by the purchase commands.
 * Store 0 is the partner's total over its stores and program 0 "no program", so that a dashboard without
 * a store reads one row per hour instead of one per store. Each key is unique: the job adds to a row
 * with `on conflict do update`.
 */
export function statsSchema(_dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      const figures = [
        "purchases",
        "sales",
        "discount",
        "points_accrued",
        "points_spent",
        "refunds",
        "refunded",
      ];
      let hourly = db.schema
        .createTable("stats_hourly")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull())
        .addColumn("hour", MS, (c) => c.notNull())
        .addColumn("program_id", "bigint", (c) => c.notNull())
        .addColumn("with_card", "integer", (c) => c.notNull());
      for (const name of figures) hourly = hourly.addColumn(name, "bigint", (c) => c.notNull().defaultTo(0));
      await hourly
        .addPrimaryKeyConstraint("stats_hourly_key", [
          "partner_id",
          "store_id",
          "hour",
          "program_id",
          "with_card",
        ])
        .execute();

      await db.schema
        .createTable("stats_rule_hourly")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("store_id", "bigint", (c) => c.notNull())
        .addColumn("hour", MS, (c) => c.notNull())
        .addColumn("program_id", "bigint", (c) => c.notNull())
        .addColumn("rule_id", "bigint", (c) => c.notNull())
        .addColumn("discount", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("lines", "bigint", (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint("stats_rule_hourly_key", [
          "partner_id",
          "store_id",
          "hour",
          "program_id",
          "rule_id",
        ])
        .execute();

      // Figures of the cards and clients, which belong to no store.
      await db.schema
        .createTable("stats_program_hourly")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("hour", MS, (c) => c.notNull())
        .addColumn("program_id", "bigint", (c) => c.notNull())
        .addColumn("points_expired", "bigint", (c) => c.notNull().defaultTo(0))
        .addColumn("new_clients", "bigint", (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint("stats_program_hourly_key", ["partner_id", "hour", "program_id"])
        .execute();

      // Where each source stream has been rolled up to: the last id taken.
      await db.schema
        .createTable("stats_watermarks")
        .addColumn("stream", "text", (c) => c.primaryKey())
        .addColumn("position", "bigint", (c) => c.notNull())
        .addColumn("updated_at", MS, (c) => c.notNull())
        .execute();
      for (const stream of ["purchase_events", "ledger_entries", "clients"]) {
        await db.insertInto("stats_watermarks").values({ stream, position: 0, updated_at: 0 }).execute();
      }

      // "Active cards now" counts from this index alone instead of reading every card of the partner.
      await db.schema
        .createIndex("cards_partner_status")
        .on("cards")
        .columns(["partner_id", "status", "program_id"])
        .execute();
    },
  };
}
