/** Partners: the retail chains, each a tenant that never sees another's data. */
import { type Executor, isUniqueViolation } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";

export async function createPartner(db: Executor, code: string, name: string, now: number): Promise<number> {
  try {
    const row = await db
      .insertInto("partners")
      .values({ code, name, created_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError("ALREADY_EXISTS", `partner ${code} already exists`, {
        field: "code",
        value: code,
      });
    throw error;
  }
}

export async function findPartnerByCode(db: Executor, code: string): Promise<{ id: number } | null> {
  return (await db.selectFrom("partners").select("id").where("code", "=", code).executeTakeFirst()) ?? null;
}

/** Whether any partner exists: demo data only ever loads into a database that has none. */
export async function hasPartners(db: Executor): Promise<boolean> {
  return (await db.selectFrom("partners").select("id").limit(1).executeTakeFirst()) !== undefined;
}
