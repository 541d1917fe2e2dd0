/**
 * Fast bulk loading of cards with opening balances, shared by the demo data and the benchmark. Cards go
 * through the cards module and balances through the points module, so seeded accounts satisfy the same
 * ledger invariant as any other.
 */
import type { Database } from "../../infra/db/database.js";
import { insertCards } from "../cards/index.js";
import { openAccounts } from "../points/index.js";

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
        const ids = await insertCards(
          trx,
          seed.partnerId,
          seed.programId,
          indices.map((k) => ({
            number: cardNumber(seed.firstNumber + k),
            status: "active",
            level: seed.levelOf?.(k) ?? null,
            virtual: false,
          })),
          seed.now,
        );
        await openAccounts(
          trx,
          ids.map((cardId, j) => ({ cardId, balance: seed.balanceOf(indices[j]!) })),
          seed.now,
        );
      }
    });
  }
}
