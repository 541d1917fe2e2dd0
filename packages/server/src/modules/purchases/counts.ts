/**
 * Open and hanging purchases, for metrics: ranges of the (state, expires_at) index, cheap at any size.
 * Hanging: calculated ones past their TTL, those that expired in the last day, and every late confirm
 * waiting for an operator (state hanging).
 */
import { sql } from "kysely";
import type { Database } from "../../infra/db/database.js";

const HANGING_WINDOW_MS = 86_400_000;

export interface OpenPurchaseCounts {
  calculated: number;
  hanging: number;
}

export async function openPurchaseCounts(database: Database, now: number): Promise<OpenPurchaseCounts> {
  const count = async (state: string, from: number, to: number) => {
    const row = await database.db
      .selectFrom("purchases")
      .select(sql<number>`count(*)`.as("n"))
      .where("state", "=", state)
      .where("expires_at", ">", from)
      .where("expires_at", "<=", to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const overdue = await count("calculated", Number.MIN_SAFE_INTEGER, now);
  return {
    calculated: await count("calculated", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    hanging:
      overdue +
      (await count("expired", now - HANGING_WINDOW_MS, now)) +
      (await count("hanging", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)),
  };
}
