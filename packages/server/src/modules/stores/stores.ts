/** Stores of a partner: creation and lookup by code. */
import { type Executor, isUniqueViolation } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";

export interface StoreInput {
  code: string;
  name: string;
  timezone: string;
  address?: string | null;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export async function createStore(
  db: Executor,
  partnerId: number,
  store: StoreInput,
  now: number,
): Promise<number> {
  if (!isValidTimeZone(store.timezone)) {
    throw new DomainError("VALIDATION_FAILED", `unknown time zone ${store.timezone}`, { field: "timezone" });
  }
  try {
    const row = await db
      .insertInto("stores")
      .values({
        partner_id: partnerId,
        code: store.code,
        name: store.name,
        timezone: store.timezone,
        address: store.address ?? null,
        active: 1,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError("ALREADY_EXISTS", `store ${store.code} already exists`, {
        field: "code",
        value: store.code,
      });
    throw error;
  }
}

export async function findStoreId(db: Executor, partnerId: number, code: string): Promise<number | null> {
  const row = await db
    .selectFrom("stores")
    .select("id")
    .where("partner_id", "=", partnerId)
    .where("code", "=", code)
    .executeTakeFirst();
  return row?.id ?? null;
}
