/** Stores of a partner: creation and lookup by code. */
import { bumpChangeCounter } from "../../infra/db/change-counter.js";
import { type Database, type Executor, isUniqueViolation } from "../../infra/db/database.js";
import {
  containsText,
  keysetPage,
  keysetQuery,
  type Page,
  type PageQuery,
  type SortSpec,
} from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";

export interface StoreInput {
  code: string;
  name: string;
  timezone: string;
  address?: string | null;
}

/** The change counter of stores and their POS ids, which the store directories of every process watch. */
export const STORES_VERSION_KEY = "stores_version";

/** Every write to `stores` or `store_pos_ids` ends with this, in the writer's transaction. */
export function storesChanged(db: Executor): Promise<void> {
  return bumpChangeCounter(db, STORES_VERSION_KEY);
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
    await storesChanged(db);
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

export interface StoreRecord {
  id: number;
  partnerId: number;
  code: string;
  name: string;
  timezone: string;
  address: string | null;
  active: boolean;
  createdAt: number;
  updatedAt: number;
}

function storeRecord(row: Row<"stores">): StoreRecord {
  return {
    id: row.id,
    partnerId: row.partner_id,
    code: row.code,
    name: row.name,
    timezone: row.timezone,
    address: row.address,
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const STORE_SORTS: SortSpec<Row<"stores">> = {
  code: { column: "code", value: (r) => r.code },
  name: { column: "name", value: (r) => r.name },
  createdAt: { column: "created_at", value: (r) => r.created_at },
};

export async function getStoreByCode(
  db: Executor,
  partnerId: number,
  code: string,
): Promise<StoreRecord | null> {
  const row = await db
    .selectFrom("stores")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where("code", "=", code)
    .executeTakeFirst();
  return row ? storeRecord(row) : null;
}

const STORE_BY_CODE = "select * from stores where partner_id = ? and code = ?";
const STORE_OF_POS =
  "select s.* from store_pos_ids b join stores s on s.id = b.store_id where b.partner_id = ? and b.pos_id = ?";

async function committedStore(
  database: Database,
  text: string,
  parameters: unknown[],
): Promise<StoreRecord | null> {
  const [row] = await database.prepareRead<Row<"stores">>(text)(parameters);
  return row ? storeRecord(row) : null;
}

/** The partner's store by code as committed: a prepared read outside any transaction (PharmApi's calls). */
export function committedStoreByCode(
  database: Database,
  partnerId: number,
  code: string,
): Promise<StoreRecord | null> {
  return committedStore(database, STORE_BY_CODE, [partnerId, code]);
}

/** The store a POS id is bound to (uploads of the chain's pharmacies), as committed: a prepared read. */
export function committedStoreOfPos(
  database: Database,
  partnerId: number,
  posId: string,
): Promise<StoreRecord | null> {
  return committedStore(database, STORE_OF_POS, [partnerId, posId]);
}

export async function storesByIds(db: Executor, ids: readonly number[]): Promise<Map<number, StoreRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("stores")
    .selectAll()
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, storeRecord(r)]));
}

export async function listStores(
  db: Executor,
  partnerId: number,
  filter: { active?: boolean; q?: string },
  page: PageQuery,
): Promise<Page<StoreRecord>> {
  let query = db.selectFrom("stores").selectAll().where("partner_id", "=", partnerId);
  if (filter.active !== undefined) query = query.where("active", "=", filter.active ? 1 : 0);
  if (filter.q) {
    const q = filter.q;
    query = query.where((eb) => eb.or([containsText("code", q), containsText("name", q)]));
  }
  const rows = await keysetQuery(query, STORE_SORTS, "id", page).execute();
  return keysetPage(rows, STORE_SORTS, (r) => r.id, page, storeRecord);
}

export interface StorePatch {
  name?: string;
  timezone?: string;
  address?: string | null;
}

export async function updateStore(db: Executor, id: number, patch: StorePatch, now: number): Promise<void> {
  if (patch.timezone !== undefined && !isValidTimeZone(patch.timezone)) {
    throw new DomainError("VALIDATION_FAILED", `unknown time zone ${patch.timezone}`, { field: "timezone" });
  }
  await db
    .updateTable("stores")
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      ...(patch.address !== undefined ? { address: patch.address } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
  await storesChanged(db);
}

/** A store that is not active takes no purchases (other processes see it within STORES_CHECK_MS). */
export async function setStoreActive(db: Executor, id: number, active: boolean, now: number): Promise<void> {
  await db
    .updateTable("stores")
    .set({ active: active ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
  await storesChanged(db);
}
