/** Stores by (partner, code), cached briefly: every POS call names its store. */

import type { Database, Executor } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import type { Clock } from "../../kernel/index.js";

const TTL_MS = 30_000;

export interface Store {
  id: number;
  partnerId: number;
  code: string;
  name: string;
  timezone: string;
  active: boolean;
}

export class StoreDirectory {
  private readonly cache = new Map<string, { store: Store | null; at: number }>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async byCode(partnerId: number, code: string): Promise<Store | null> {
    const key = `${partnerId}\u0000${code}`;
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < TTL_MS) return hit.store;
    const row = await this.database.db
      .selectFrom("stores")
      .select(STORE_COLUMNS)
      .where("partner_id", "=", partnerId)
      .where("code", "=", code)
      .executeTakeFirst();
    const store = row ? storeFromRow(row) : null;
    this.cache.set(key, { store, at: now });
    return store;
  }
}

const STORE_COLUMNS = ["id", "partner_id", "code", "name", "timezone", "active"] as const;

function storeFromRow(row: Pick<Row<"stores">, (typeof STORE_COLUMNS)[number]>): Store {
  return {
    id: row.id,
    partnerId: row.partner_id,
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    active: row.active === 1,
  };
}

/** A store's time zone read in the caller's transaction (the directory reads outside it). */
export async function storeTimeZone(db: Executor, storeId: number): Promise<string | null> {
  const row = await db.selectFrom("stores").select("timezone").where("id", "=", storeId).executeTakeFirst();
  return row?.timezone ?? null;
}
