import { sql } from "kysely";
import type { Dialect } from "../database.js";
import type { AnyDb } from "./support.js";

/**
 * A card's live discount-limit holds, read twice by every get_discount and calculate of a discount
 * program (limits.ts, LIVE_HOLDS), come from the card index alone. The index held the card, limit and
 * period; whether a reserved hold had lapsed, and its packs, were read from the table, one random page per
 * hold. A card's holds grow with its history: consumed ones stay for the lifetime limits, and reserved ones
 * that lapsed stay until the sweeper releases them. The index now carries every column the read needs.
 */
export function limitHoldsCoveringIndexSchema(_dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await sql`drop index discount_limit_holds_card`.execute(db);
      await sql`create index discount_limit_holds_card on discount_limit_holds
        (program_id, card_number, limit_id, counted_at, state, expires_at, packs, purchase_id)
        where state in ('reserved', 'consumed')`.execute(db);
    },
    async down(db: AnyDb): Promise<void> {
      await sql`drop index discount_limit_holds_card`.execute(db);
      await sql`create index discount_limit_holds_card on discount_limit_holds
        (program_id, card_number, limit_id, counted_at) where state in ('reserved', 'consumed')`.execute(db);
    },
  };
}
