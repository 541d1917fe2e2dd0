import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS, tableWithId } from "./support.js";

/**
 * Clients with registration and confirmation codes: registration settings and the virtual card range
 * on programs, personal data on clients (keyed hashes for exact search, AES-GCM ciphertext for the
 * values), card replacement links, confirmation codes and their send throttles.
 */
export function clientsSchema(dialect: Dialect) {
  const ms = MS;

  return {
    async up(db: AnyDb): Promise<void> {
      const programColumns: [string, "text" | "integer", string | number | null][] = [
        ["login_value", "text", "phone"],
        ["confirmation_method", "text", "none"],
        ["attach_card_on_registration", "integer", 0],
        ["virtual_card_prefix", "text", null],
        ["virtual_card_length", "integer", 13],
        ["virtual_card_check", "text", "ean13"],
      ];
      for (const [name, type, fallback] of programColumns) {
        await db.schema
          .alterTable("programs")
          .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
          .execute();
      }

      const clientColumns: [string, "text" | "bigint" | "integer"][] = [
        ["program_id", "bigint"],
        ["status", "text"],
        ["login_kind", "text"],
        ["login_hash", "text"],
        ["phone_hash", "text"],
        ["phone_enc", "text"],
        ["email_hash", "text"],
        ["email_enc", "text"],
        ["birth_date", "text"],
        ["consents", "text"],
        ["merged_into", "bigint"],
        ["confirmed_at", "bigint"],
        ["anonymised_at", "bigint"],
        ["updated_at", "bigint"],
      ];
      for (const [name, type] of clientColumns) {
        await db.schema.alterTable("clients").addColumn(name, type).execute();
      }
      await db.updateTable("clients").set({ status: "registered", updated_at: sql`created_at` }).execute();
      // One login per partner, also under concurrent registrations. NULLs are distinct, so anonymised
      // clients (their hashes erased) never collide.
      await db.schema
        .createIndex("clients_partner_login")
        .unique()
        .on("clients")
        .columns(["partner_id", "login_hash"])
        .execute();
      await db.schema
        .createIndex("clients_phone")
        .on("clients")
        .columns(["partner_id", "phone_hash"])
        .execute();
      await db.schema
        .createIndex("clients_email")
        .on("clients")
        .columns(["partner_id", "email_hash"])
        .execute();
      await db.schema.createIndex("cards_client").on("cards").columns(["client_id"]).execute();

      await db.schema.alterTable("cards").addColumn("replaced_by", "bigint").execute();

      await tableWithId(db, dialect, "confirmations")
        .addColumn("public_id", "text", (c) => c.notNull().unique())
        .addColumn("partner_id", "bigint", (c) => c.notNull().references("partners.id"))
        .addColumn("credential_id", "bigint")
        .addColumn("purpose", "text", (c) => c.notNull())
        .addColumn("subject", "text", (c) => c.notNull())
        .addColumn("payload", "text")
        .addColumn("channel", "text", (c) => c.notNull())
        .addColumn("destination_hash", "text", (c) => c.notNull())
        .addColumn("destination_enc", "text", (c) => c.notNull())
        .addColumn("deliver", "integer", (c) => c.notNull())
        .addColumn("code_hash", "text")
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("sends", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("result", "text")
        .addColumn("expires_at", ms, (c) => c.notNull())
        .addColumn("last_sent_at", ms, (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("updated_at", ms, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("confirmations_destination")
        .on("confirmations")
        .columns(["destination_hash"])
        .execute();

      await db.schema
        .createTable("confirmation_throttles")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("window_start", ms, (c) => c.notNull())
        .addColumn("sent", "integer", (c) => c.notNull())
        .addColumn("last_sent_at", ms, (c) => c.notNull())
        .execute();
    },
  };
}
