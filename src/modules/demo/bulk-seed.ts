/**
 * Fast bulk loading of cards with opening balances and of products, shared by the demo data and the
 * benchmark. Opening balances go through the ledger (an adjustment entry and an active lot per card), so
 * seeded accounts satisfy the same invariant as any other.
 */
import type { Database } from "../../infra/db/database.js";

const CHUNK = 500;

export interface CardSeed {
  partnerId: number;
  programId: number;
  count: number;
  /** First card number; numbers are consecutive, zero-padded to 13 digits. */
  firstNumber: number;
  /** Opening active balance of the i-th card, in hundredths of a point. */
  balanceOf(i: number): number;
  levelOf?(i: number): string | null;
  now: number;
}

export function cardNumber(n: number): string {
  return String(n).padStart(13, "0");
}

export async function seedCards(database: Database, seed: CardSeed): Promise<void> {
  const transactionSize = 50_000;
  for (let start = 0; start < seed.count; start += transactionSize) {
    const end = Math.min(seed.count, start + transactionSize);
    await database.transaction(async (trx) => {
      for (let i = start; i < end; i += CHUNK) {
        const indices = Array.from({ length: Math.min(CHUNK, end - i) }, (_, k) => i + k);
        const cards = await trx
          .insertInto("cards")
          .values(
            indices.map((k) => ({
              partner_id: seed.partnerId,
              program_id: seed.programId,
              number: cardNumber(seed.firstNumber + k),
              status: "active",
              level: seed.levelOf?.(k) ?? null,
              client_id: null,
              virtual: 0,
              created_at: seed.now,
              updated_at: seed.now,
            })),
          )
          .returning("id")
          .execute();
        const balances = indices.map((k) => seed.balanceOf(k));
        await trx
          .insertInto("points_accounts")
          .values(
            cards.map((c, j) => ({
              card_id: c.id,
              active: balances[j]!,
              pending: 0,
              held: 0,
              updated_at: seed.now,
            })),
          )
          .execute();
        const funded = cards.map((c, j) => ({ id: c.id, amount: balances[j]! })).filter((c) => c.amount > 0);
        if (funded.length === 0) continue;
        const lots = await trx
          .insertInto("points_lots")
          .values(
            funded.map((c) => ({
              account_id: c.id,
              state: "active",
              amount: c.amount,
              remaining: c.amount,
              active_from: seed.now,
              expires_at: null,
              created_at: seed.now,
            })),
          )
          .returning(["id", "account_id"])
          .execute();
        const amountOf = new Map(funded.map((c) => [c.id, c.amount]));
        await trx
          .insertInto("ledger_entries")
          .values(
            lots.map((l) => ({
              account_id: l.account_id,
              kind: "adjustment",
              active_delta: amountOf.get(l.account_id)!,
              pending_delta: 0,
              purchase_id: null,
              refund_id: null,
              lot_id: l.id,
              note: "opening balance",
              created_at: seed.now,
            })),
          )
          .execute();
      }
    });
  }
}
