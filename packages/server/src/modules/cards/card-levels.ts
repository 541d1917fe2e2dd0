/** A card's level as the levels module decides it: cards.level stays the one place the level lives. */
import type { Executor, Trx } from "../../infra/db/database.js";

export async function setCardLevel(
  trx: Trx,
  cardId: number,
  level: string | null,
  now: number,
): Promise<void> {
  await trx.updateTable("cards").set({ level, updated_at: now }).where("id", "=", cardId).execute();
}

export async function cardLevelOf(db: Executor, cardId: number): Promise<string | null> {
  const row = await db.selectFrom("cards").select("level").where("id", "=", cardId).executeTakeFirstOrThrow();
  return row.level;
}
