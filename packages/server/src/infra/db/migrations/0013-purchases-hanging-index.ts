import { sql } from "kysely";
import type { Dialect } from "../database.js";
import type { AnyDb } from "./support.js";

/**
 * The operator's list of hanging purchases (`state=hanging`, newest first): a handful among millions, which
 * the (partner, created) index found only by reading every purchase of the partner. A partial index holds
 * just those rows, so no purchase command pays for it: a row enters it only when a late confirm hangs.
 */
export function purchasesHangingIndexSchema(_dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await sql`create index purchases_hanging on purchases (partner_id, created_at, id) where state = 'hanging'`.execute(
        db,
      );
    },
    async down(db: AnyDb): Promise<void> {
      await sql`drop index purchases_hanging`.execute(db);
    },
  };
}
