/**
 * One chunk of a card import from an accounting system, inside the caller's transaction: new cards are
 * created with their opening balances booked through the ledger; known cards get the status and level
 * the file gives (a column left empty keeps what the card has). A row naming a card of another program
 * is rejected with its line number.
 */
import type { CardStatus } from "@kopilka/contract";
import type { Trx } from "../../infra/db/database.js";
import { openAccounts } from "../points/index.js";

export interface ImportedCard {
  /** Line in the file, for the report. */
  line: number;
  number: string;
  status: CardStatus | null;
  level: string | null;
  virtual: boolean;
  /** Opening active balance, hundredths; only for a card that is new. */
  balance: number;
}

export interface RejectedRow {
  line: number;
  reason: string;
}

export interface ImportedChunk {
  created: number;
  updated: number;
  /** Known cards whose opening balance in the file was not applied (the ledger already has them). */
  balancesIgnored: number;
  rejected: RejectedRow[];
}

export async function importCardChunk(
  trx: Trx,
  partnerId: number,
  programId: number,
  rows: readonly ImportedCard[],
  now: number,
): Promise<ImportedChunk> {
  const result: ImportedChunk = { created: 0, updated: 0, balancesIgnored: 0, rejected: [] };
  if (rows.length === 0) return result;
  const known = new Map(
    (
      await trx
        .selectFrom("cards")
        .select(["id", "number", "program_id"])
        .where("partner_id", "=", partnerId)
        .where(
          "number",
          "in",
          rows.map((r) => r.number),
        )
        .execute()
    ).map((c) => [c.number, c]),
  );
  const fresh: ImportedCard[] = [];
  for (const row of rows) {
    const card = known.get(row.number);
    if (!card) {
      fresh.push(row);
      continue;
    }
    if (card.program_id !== programId) {
      result.rejected.push({ line: row.line, reason: `card ${row.number} belongs to another program` });
      continue;
    }
    if (row.balance > 0) result.balancesIgnored++;
    if (row.status !== null || row.level !== null) {
      await trx
        .updateTable("cards")
        .set({
          ...(row.status !== null ? { status: row.status } : {}),
          ...(row.level !== null ? { level: row.level } : {}),
          updated_at: now,
        })
        .where("id", "=", card.id)
        .execute();
    }
    result.updated++;
  }
  if (fresh.length > 0) {
    const inserted = await trx
      .insertInto("cards")
      .values(
        fresh.map((r) => ({
          partner_id: partnerId,
          program_id: programId,
          number: r.number,
          status: r.status ?? "active",
          level: r.level,
          client_id: null,
          virtual: r.virtual ? 1 : 0,
          created_at: now,
          updated_at: now,
        })),
      )
      .returning(["id", "number"])
      .execute();
    const balanceOf = new Map(fresh.map((r) => [r.number, r.balance]));
    await openAccounts(
      trx,
      inserted.map((c) => ({ cardId: c.id, balance: balanceOf.get(c.number) ?? 0 })),
      now,
      "opening balance (import)",
    );
    result.created += inserted.length;
  }
  return result;
}
