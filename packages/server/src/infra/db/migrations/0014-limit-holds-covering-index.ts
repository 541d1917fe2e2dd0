import { sql } from "kysely";
import type { Dialect } from "../database.js";
import type { AnyDb } from "./support.js";

/**
 * A card's live discount-limit holds (limits.ts, LIVE_HOLDS), read twice by every get_discount and calculate
 * of a discount program with limits, come from an index that carries every column the read needs
 * (`discount_limit_holds_live`). The card index it replaces held the card, limit and period only, so
 * whether a reserved hold had lapsed, and its packs, were read from the table, one random page per hold. A
 * card's holds grow with its history: consumed ones stay for the lifetime limits, and lapsed reservations
 * stay until the sweeper releases them.
 *
 * The new index is built before the old one is dropped: on SQLite a migration is not one transaction, so a
 * build that fails leaves the old index in place and the migration can run again; on PostgreSQL the build
 * takes only a share lock, and reads keep using the old index meanwhile. PostgreSQL keeps the columns that
 * are only read out of the index's key (INCLUDE); SQLite has no such clause.
 */
export function limitHoldsCoveringIndexSchema(dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await (dialect === "postgres"
        ? sql`create index if not exists discount_limit_holds_live on discount_limit_holds
            (program_id, card_number, limit_id, counted_at) include (state, expires_at, packs, purchase_id)
            where state in ('reserved', 'consumed')`
        : sql`create index if not exists discount_limit_holds_live on discount_limit_holds
            (program_id, card_number, limit_id, counted_at, state, expires_at, packs, purchase_id)
            where state in ('reserved', 'consumed')`
      ).execute(db);
      await sql`drop index if exists discount_limit_holds_card`.execute(db);
    },
    async down(db: AnyDb): Promise<void> {
      await sql`create index if not exists discount_limit_holds_card on discount_limit_holds
        (program_id, card_number, limit_id, counted_at) where state in ('reserved', 'consumed')`.execute(db);
      await sql`drop index if exists discount_limit_holds_live`.execute(db);
    },
  };
}
