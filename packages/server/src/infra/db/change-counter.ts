/**
 * Change counters in `server_settings`: one row per cached kind of data (programs, the catalogue). A write
 * moves its counter in the writer's transaction; every process polls the counter (one indexed single-row
 * read) and drops what it cached when the counter moved. The owning module decides the key; this file
 * only knows how to move and read one.
 */
import { sql } from "kysely";
import type { Database, Executor } from "./database.js";

export async function bumpChangeCounter(db: Executor, key: string): Promise<void> {
  // One statement, so that two first moves cannot both insert "1" (and lose one move).
  await db
    .insertInto("server_settings")
    .values({ key, value: "1" })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet({ value: sql<string>`cast(cast(server_settings.value as integer) + 1 as text)` }),
    )
    .execute();
}

export async function readChangeCounter(db: Executor, key: string): Promise<string> {
  const row = await db
    .selectFrom("server_settings")
    .select("value")
    .where("key", "=", key)
    .executeTakeFirst();
  return row?.value ?? "0";
}

/** The committed counter, as a prepared read outside any transaction (the hot path's poll). */
export async function committedChangeCounter(database: Database, key: string): Promise<string> {
  const rows = await database.prepareRead<{ value: string }>(
    "select value from server_settings where key = ?",
  )([key]);
  return rows[0]?.value ?? "0";
}
