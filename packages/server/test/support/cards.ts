import type { TestApp } from "./harness.js";

/** Changes a card's status the way the accounting system's upload does. */
export async function setCardStatus(
  t: TestApp,
  number: string,
  status: "active" | "blocked" | "accrual_only",
): Promise<void> {
  await t.database.db
    .updateTable("cards")
    .set({ status, updated_at: t.clock.now() })
    .where("number", "=", number)
    .execute();
}
