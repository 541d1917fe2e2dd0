import { sql } from "kysely";
import type { Dialect } from "../database.js";
import { type AnyDb, MS } from "./support.js";

/**
 * Which of a client's contacts was proven by a code, and when: rules read "confirmed phone" and "confirmed
 * e-mail" (modules/clients). A registration confirmed so far is given the contact its code was sent to
 * (`confirmations.channel`: sms for the phone, email for the e-mail).
 */
export function clientConfirmedContactsSchema(_dialect: Dialect) {
  return {
    async up(db: AnyDb): Promise<void> {
      await db.schema.alterTable("clients").addColumn("phone_confirmed_at", MS).execute();
      await db.schema.alterTable("clients").addColumn("email_confirmed_at", MS).execute();
      for (const [column, channel] of [
        ["phone_confirmed_at", "sms"],
        ["email_confirmed_at", "email"],
      ] as const) {
        await sql`
          update clients set ${sql.ref(column)} = confirmed_at
          where confirmed_at is not null and exists (
            select 1 from confirmations c
            where c.partner_id = clients.partner_id and c.purpose = 'registration' and c.state = 'confirmed'
              and c.channel = ${channel} and c.result = cast(clients.id as text)
          )`.execute(db);
      }
    },
    async down(db: AnyDb): Promise<void> {
      await db.schema.alterTable("clients").dropColumn("email_confirmed_at").execute();
      await db.schema.alterTable("clients").dropColumn("phone_confirmed_at").execute();
    },
  };
}
