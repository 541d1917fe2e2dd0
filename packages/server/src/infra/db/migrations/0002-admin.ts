/**
 * The admin surface: cabinet users and their roles per partner, server-side sessions, the throttle
 * counters of every login (cabinet and POS), the audit log, programs offered to other partners, and the
 * moment a POS secret was last rotated (tokens issued before it stop).
 */
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

export function adminSchema(dialect: Dialect) {
  const create = (db: AnyDb, name: string) => tableWithId(db, dialect, name);
  const ms = MS;

  return {
    async up(db: AnyDb): Promise<void> {
      await create(db, "users")
        .addColumn("email", "text", (c) => c.notNull().unique())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("platform_admin", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();

      await create(db, "user_memberships")
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .addUniqueConstraint("user_memberships_user_partner", ["user_id", "partner_id"])
        .execute();
      await db.schema
        .createIndex("user_memberships_partner")
        .on("user_memberships")
        .columns(["partner_id", "user_id"])
        .execute();

      await create(db, "admin_sessions")
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("csrf_hash", "text")
        .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("address", "text")
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("last_seen_at", ms, (c) => c.notNull())
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("ended_at", ms)
        .execute();
      await db.schema.createIndex("admin_sessions_user").on("admin_sessions").columns(["user_id"]).execute();

      await db.schema
        .createTable("throttle_counters")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("failures", "integer", (c) => c.notNull())
        .addColumn("window_started_at", ms, (c) => c.notNull())
        .addColumn("locked_until", ms, (c) => c.notNull().defaultTo(0))
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("throttle_counters_updated")
        .on("throttle_counters")
        .columns(["updated_at"])
        .execute();

      await create(db, "audit_log")
        .addColumn("at", ms, (c) => c.notNull())
        .addColumn("user_id", "bigint")
        .addColumn("address", "text")
        .addColumn("partner_id", "bigint")
        .addColumn("entity_type", "text", (c) => c.notNull())
        .addColumn("entity_id", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("before", "text")
        .addColumn("after", "text")
        .execute();
      await db.schema
        .createIndex("audit_log_partner")
        .on("audit_log")
        .columns(["partner_id", "id"])
        .execute();
      await db.schema.createIndex("audit_log_user").on("audit_log").columns(["user_id", "id"]).execute();
      await db.schema
        .createIndex("audit_log_entity")
        .on("audit_log")
        .columns(["entity_type", "entity_id", "id"])
        .execute();

      await db.schema
        .createTable("program_participants")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("created_at", ms, (c) => c.notNull())
        .addPrimaryKeyConstraint("program_participants_pk", ["program_id", "partner_id"])
        .execute();
      await db.schema
        .createIndex("program_participants_partner")
        .on("program_participants")
        .columns(["partner_id", "program_id"])
        .execute();

      await db.schema.alterTable("pos_credentials").addColumn("secret_rotated_at", ms).execute();
    },
  };
}
