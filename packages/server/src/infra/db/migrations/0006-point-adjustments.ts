import type { Dialect } from "../database.js";
import { type AnyDb, tableWithId } from "./support.js";

/**
 * Manual point adjustments from the cabinet: one row per adjustment id the caller supplies, so a retried
 * adjustment is answered from the row instead of being booked twice. Owned by the points module.
 */
export function pointAdjustmentsSchema(dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await tableWithId(db, dialect, "points_adjustments")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("external_id", "text", (c) => c.notNull())
        .addColumn("account_id", "bigint", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("response", "text", (c) => c.notNull())
        .addColumn("user_id", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("points_adjustments_partner_external")
        .unique()
        .on("points_adjustments")
        .columns(["partner_id", "external_id"])
        .execute();
      // The admin list of a partner's purchases, newest first, by period.
      await db.schema
        .createIndex("purchases_partner_created")
        .on("purchases")
        .columns(["partner_id", "created_at", "id"])
        .execute();
    },
  };
}
