/** Cards: lookup by number and bulk upsert from the accounting system; each card gets a points account. */
import type { CardStatus } from "../../core/engine/types.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { rawRows } from "../../infra/db/raw.js";
import type { Row } from "../../infra/db/schema.js";
import { openAccounts } from "../points/index.js";

export const CARD_STATUSES: readonly CardStatus[] = ["active", "blocked", "accrual_only"];

export interface Card {
  id: number;
  partnerId: number;
  programId: number;
  number: string;
  status: CardStatus;
  level: string | null;
  virtual: boolean;
}

export type CardRow = Pick<
  Row<"cards">,
  "id" | "partner_id" | "program_id" | "number" | "status" | "level" | "virtual"
>;

export function cardOf(row: CardRow): Card {
  return {
    id: row.id,
    partnerId: row.partner_id,
    programId: row.program_id,
    number: row.number,
    status: row.status as CardStatus,
    level: row.level,
    virtual: row.virtual === 1,
  };
}

const COMMITTED_CARD =
  "select id, partner_id, program_id, number, status, level, virtual from cards where partner_id = ? and number = ?";

/** The card as committed, outside any transaction: the hot path's lookup (a prepared point read). */
export async function committedCard(
  database: Database,
  partnerId: number,
  number: string,
): Promise<Card | null> {
  const rows = await database.prepareRead<CardRow>(COMMITTED_CARD)([partnerId, number]);
  return rows[0] ? cardOf(rows[0]) : null;
}

export async function findCard(db: Executor, partnerId: number, number: string): Promise<Card | null> {
  const row = await db
    .selectFrom("cards")
    .select(["id", "partner_id", "program_id", "number", "status", "level", "virtual"])
    .where("partner_id", "=", partnerId)
    .where("number", "=", number)
    .executeTakeFirst();
  return row ? cardOf(row) : null;
}

/** A card's status as it is now (it may have changed since the purchase was calculated). */
export async function cardStatus(db: Executor, cardId: number): Promise<CardStatus> {
  const [row] = await rawRows<{ status: string }>(db, "select status from cards where id = ?", [cardId]);
  if (!row) throw new Error(`no card ${cardId}`);
  return row.status as CardStatus;
}

export interface CardInput {
  number: string;
  status?: CardStatus;
  level?: string | null;
  virtual?: boolean;
  /** Opening active balance of a new card, hundredths, booked through the ledger; ignored for known cards. */
  balance?: number;
}

const CHUNK = 500;

/**
 * Creates new cards (empty accounts, or an opening balance booked through the ledger) and updates
 * status/level of known ones, in one transaction.
 * A known card keeps its program: moving a card between programs is not an upload's business.
 */
export async function upsertCards(
  database: Database,
  partnerId: number,
  programId: number,
  items: readonly CardInput[],
  now: number,
): Promise<{ created: number; updated: number }> {
  return database.transaction(async (trx) => {
    let created = 0;
    for (let i = 0; i < items.length; i += CHUNK) {
      const chunk = items.slice(i, i + CHUNK);
      const rows = await trx
        .insertInto("cards")
        .values(
          chunk.map((c) => ({
            partner_id: partnerId,
            program_id: programId,
            number: c.number,
            status: c.status ?? "active",
            level: c.level ?? null,
            client_id: null,
            virtual: c.virtual ? 1 : 0,
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["partner_id", "number"]).doUpdateSet((eb) => ({
            status: eb.ref("excluded.status"),
            level: eb.ref("excluded.level"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .returning(["id", "number", "created_at"])
        .execute();
      const balanceOf = new Map(chunk.map((c) => [c.number, c.balance ?? 0]));
      const fresh = rows.filter((r) => r.created_at === now);
      created += await openAccounts(
        trx,
        fresh.map((r) => ({ cardId: r.id, balance: balanceOf.get(r.number) ?? 0 })),
        now,
      );
    }
    return { created, updated: items.length - created };
  });
}

export interface NewCard {
  number: string;
  status: CardStatus;
  level: string | null;
  virtual: boolean;
}

/** Inserts new cards (no upsert) and returns their ids in order; for bulk loads into a known-empty range. */
export async function insertCards(
  trx: Trx,
  partnerId: number,
  programId: number,
  cards: readonly NewCard[],
  now: number,
): Promise<number[]> {
  const rows = await trx
    .insertInto("cards")
    .values(
      cards.map((c) => ({
        partner_id: partnerId,
        program_id: programId,
        number: c.number,
        status: c.status,
        level: c.level,
        client_id: null,
        virtual: c.virtual ? 1 : 0,
        created_at: now,
        updated_at: now,
      })),
    )
    .returning("id")
    .execute();
  return rows.map((r) => r.id);
}

export async function findCardIdByNumber(db: Executor, number: string): Promise<number | null> {
  const row = await db.selectFrom("cards").select("id").where("number", "=", number).executeTakeFirst();
  return row?.id ?? null;
}

/**
 * The card with this number, created (active, with an empty points account) if the partner has none yet:
 * cards of a discount program's range exist on first use. Two first uses at once create one card (the
 * unique number per partner decides; the loser reads the winner's).
 *
 * The creation commits softly (like a calculation): nothing durable can refer to the card before the next
 * durable commit, which writes it first (the log is written in order). A crash before that loses only the
 * card, and its next use creates it again.
 */
export async function ensureCard(
  database: Database,
  partnerId: number,
  programId: number,
  number: string,
  now: number,
): Promise<Card> {
  await database.transaction(
    async (trx) => {
      const rows = await trx
        .insertInto("cards")
        .values({
          partner_id: partnerId,
          program_id: programId,
          number,
          status: "active",
          level: null,
          client_id: null,
          virtual: 0,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(["partner_id", "number"]).doNothing())
        .returning("id")
        .execute();
      await openAccounts(
        trx,
        rows.map((r) => ({ cardId: r.id, balance: 0 })),
        now,
      );
    },
    { durable: false },
  );
  const card = await findCard(database.db, partnerId, number);
  if (!card) throw new Error(`card ${number.slice(-4)} vanished after its creation`);
  return card;
}
