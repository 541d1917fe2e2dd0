import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

/**
 * Anti-fraud caps per loyalty program (modules/anti-fraud): the caps as the program's `anti_fraud` JSON,
 * the usage counted against them (reserved at calculate or bonus payment, consumed at confirm, released
 * at cancel or expiry), one lock row per program and subject, and the cards and POS credentials that hit
 * a cap, per day.
 */
export function antiFraudSchema(dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema.alterTable("programs").addColumn("anti_fraud", "text").execute();

      // Counting a subject's usage locks its row first, so one transaction at a time counts it
      // (PostgreSQL row lock; SQLite runs writers one at a time anyway).
      await db.schema
        .createTable("anti_fraud_locks")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("subject_kind", "text", (c) => c.notNull())
        .addColumn("subject_id", "bigint", (c) => c.notNull())
        .addColumn("touched_at", MS, (c) => c.notNull())
        .addPrimaryKeyConstraint("anti_fraud_locks_pk", ["program_id", "subject_kind", "subject_id"])
        .execute();

      await tableWithId(db, dialect, "anti_fraud_usage")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("purchase_id", "bigint", (c) => c.notNull().references("purchases.id"))
        .addColumn("metric", "text", (c) => c.notNull())
        .addColumn("subject_kind", "text", (c) => c.notNull())
        .addColumn("subject_id", "bigint", (c) => c.notNull())
        .addColumn("amount", "bigint", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("day", "integer", (c) => c.notNull())
        .addColumn("expires_at", MS, (c) => c.notNull())
        .addColumn("created_at", MS, (c) => c.notNull())
        .addColumn("updated_at", MS, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("anti_fraud_usage_subject")
        .on("anti_fraud_usage")
        .columns(["program_id", "subject_kind", "subject_id", "metric", "day"])
        .where(sql.ref("state"), "in", ["reserved", "consumed"])
        .execute();
      await db.schema
        .createIndex("anti_fraud_usage_purchase")
        .on("anti_fraud_usage")
        .columns(["purchase_id", "metric"])
        .execute();

      await tableWithId(db, dialect, "anti_fraud_hits")
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("cap", "text", (c) => c.notNull())
        .addColumn("subject_kind", "text", (c) => c.notNull())
        .addColumn("subject_id", "bigint", (c) => c.notNull())
        .addColumn("day", "integer", (c) => c.notNull())
        .addColumn("hits", "integer", (c) => c.notNull())
        .addColumn("last_at", MS, (c) => c.notNull())
        .addUniqueConstraint("anti_fraud_hits_key", [
          "partner_id",
          "day",
          "program_id",
          "cap",
          "subject_kind",
          "subject_id",
        ])
        .execute();
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.dropTable("anti_fraud_hits").execute();
      await db.schema.dropTable("anti_fraud_usage").execute();
      await db.schema.dropTable("anti_fraud_locks").execute();
      await db.schema.alterTable("programs").dropColumn("anti_fraud").execute();
    },
  };
}
