/** Partners: the retail chains, each a tenant that never sees another's data. */
import type { Executor } from "../../infra/db/database.js";

export async function createPartner(db: Executor, code: string, name: string, now: number): Promise<number> {
  const row = await db
    .insertInto("partners")
    .values({ code, name, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findPartnerByCode(db: Executor, code: string): Promise<{ id: number } | null> {
  return (await db.selectFrom("partners").select("id").where("code", "=", code).executeTakeFirst()) ?? null;
}

/** Whether any partner exists: demo data only ever loads into a database that has none. */
export async function hasPartners(db: Executor): Promise<boolean> {
  return (await db.selectFrom("partners").select("id").limit(1).executeTakeFirst()) !== undefined;
}
