/**
 * Stores as the hot path reads them, from an in-process cache: by (partner, code), which every POS call
 * names, and by (partner, POS id), which resolves a PharmApi pharmacy. Every write to `stores` and
 * `store_pos_ids` moves the `stores_version` counter (stores.ts, pharmacies.ts); this process drops the
 * cache at once after its own writes, and within STORES_CHECK_MS of another process's.
 */

import { ChangeWatch } from "../../infra/db/change-counter.js";
import type { Database, Executor } from "../../infra/db/database.js";
import { dropOldestTenth } from "../../kernel/index.js";
import { committedStoreByCode, committedStoreOfPos, STORES_VERSION_KEY, type StoreRecord } from "./stores.js";

/** How stale a process may be about stores and their POS ids, at most. */
export const STORES_CHECK_MS = 250;
/**
 * Unknown codes and POS ids are cached too (a till misconfigured calls again and again), so a caller
 * inventing names could grow the cache: past this bound the oldest tenth goes (Map insertion order), and
 * the chain's real stores, asked again and again, come back at their next call.
 */
const CAPACITY = 50_000;

export interface Store {
  id: number;
  partnerId: number;
  code: string;
  name: string;
  timezone: string;
  active: boolean;
}

export class StoreDirectory {
  private readonly entries = new Map<string, StoreRecord | null>();
  private readonly watch: ChangeWatch;

  constructor(
    private readonly database: Database,
    checkEveryMs = STORES_CHECK_MS,
  ) {
    this.watch = new ChangeWatch(database, STORES_VERSION_KEY, checkEveryMs, () => this.entries.clear());
  }

  byCode(partnerId: number, code: string): Promise<StoreRecord | null> {
    return this.lookUp(`${partnerId}\u0000c\u0000${code}`, () =>
      committedStoreByCode(this.database, partnerId, code),
    );
  }

  /** The store a POS id is bound to (uploads of the chain's pharmacies). */
  byPosId(partnerId: number, posId: string): Promise<StoreRecord | null> {
    return this.lookUp(`${partnerId}\u0000p\u0000${posId}`, () =>
      committedStoreOfPos(this.database, partnerId, posId),
    );
  }

  private async lookUp(key: string, read: () => Promise<StoreRecord | null>): Promise<StoreRecord | null> {
    await this.watch.fresh();
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const generation = this.watch.generation;
    const store = await read();
    // Dropped while the read was out: what it read may be older than the change, so it is not kept.
    if (generation === this.watch.generation) {
      if (this.entries.size >= CAPACITY) dropOldestTenth(this.entries);
      this.entries.set(key, store);
    }
    return store;
  }
}

/** A store's time zone read in the caller's transaction (the directory reads outside it). */
export async function storeTimeZone(db: Executor, storeId: number): Promise<string | null> {
  const row = await db.selectFrom("stores").select("timezone").where("id", "=", storeId).executeTakeFirst();
  return row?.timezone ?? null;
}
