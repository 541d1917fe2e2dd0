/**
 * Cards and their holders: attaching a chosen free card to a client, issuing a random virtual card from
 * the program's range, listing a client's cards, and moving cards between clients (a merge).
 */
import { randomBytes, randomInt } from "node:crypto";
import type { CardStatus } from "@kopilka/contract";
import { type CardRange, numberInRange, rangeProblem, serialDigits } from "../../core/card-numbers.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { type CardBalance, openAccounts, readBalance } from "../points/index.js";

export interface HeldCard {
  id: number;
  number: string;
  programId: number;
  programCode: string;
  status: CardStatus;
  level: string | null;
  virtual: boolean;
  clientId: number | null;
  balance: CardBalance;
}

async function withBalances(
  db: Executor,
  rows: {
    id: number;
    number: string;
    program_id: number;
    code: string;
    status: string;
    level: string | null;
    virtual: number;
    client_id: number | null;
  }[],
): Promise<HeldCard[]> {
  const cards: HeldCard[] = [];
  for (const r of rows) {
    cards.push({
      id: r.id,
      number: r.number,
      programId: r.program_id,
      programCode: r.code,
      status: r.status as CardStatus,
      level: r.level,
      virtual: r.virtual === 1,
      clientId: r.client_id,
      balance: await readBalance(db, r.id),
    });
  }
  return cards;
}

function cardQuery(db: Executor) {
  return db
    .selectFrom("cards")
    .innerJoin("programs", "programs.id", "cards.program_id")
    .select([
      "cards.id",
      "cards.number",
      "cards.program_id",
      "programs.code",
      "cards.status",
      "cards.level",
      "cards.virtual",
      "cards.client_id",
    ]);
}

/** A client's cards, oldest first, with balances. */
export async function cardsOfClient(db: Executor, partnerId: number, clientId: number): Promise<HeldCard[]> {
  const rows = await cardQuery(db)
    .where("cards.partner_id", "=", partnerId)
    .where("cards.client_id", "=", clientId)
    .orderBy("cards.id")
    .execute();
  return withBalances(db, rows);
}

/** Cards found by the number printed or encoded in the barcode (the same text on Kopilka cards). */
export async function cardsByNumber(db: Executor, partnerId: number, number: string): Promise<HeldCard[]> {
  const rows = await cardQuery(db)
    .where("cards.partner_id", "=", partnerId)
    .where("cards.number", "=", number)
    .execute();
  return withBalances(db, rows);
}

/**
 * Attaches a free card of the program to a client, with the card row locked. Attaching a card the
 * client already holds changes nothing (a retry).
 */
export async function attachCard(
  database: Database,
  trx: Trx,
  partnerId: number,
  programId: number,
  clientId: number,
  number: string,
  now: number,
  field = "cardNumber",
): Promise<number> {
  const card = await database
    .forUpdate(
      trx
        .selectFrom("cards")
        .select(["id", "program_id", "client_id", "status"])
        .where("partner_id", "=", partnerId)
        .where("number", "=", number),
    )
    .executeTakeFirst();
  if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field });
  if (card.client_id === clientId) return card.id;
  if (card.program_id !== programId) {
    throw new DomainError("CARD_PROGRAM_MISMATCH", "the card belongs to another program", { field });
  }
  if (card.client_id !== null) {
    throw new DomainError("CARD_NOT_FREE", "the card is attached to another client", {
      field,
      reason: "attached to another client",
    });
  }
  if (card.status === "blocked") throw new DomainError("CARD_BLOCKED", "the card is blocked", { field });
  await trx
    .updateTable("cards")
    .set({ client_id: clientId, updated_at: now })
    .where("id", "=", card.id)
    .execute();
  return card.id;
}

/** Checks, without writing, that a card could be attached (before a code is sent for it). */
export async function checkAttachable(
  db: Executor,
  partnerId: number,
  programId: number,
  number: string,
  field = "cardNumber",
): Promise<void> {
  const card = await db
    .selectFrom("cards")
    .select(["program_id", "client_id", "status"])
    .where("partner_id", "=", partnerId)
    .where("number", "=", number)
    .executeTakeFirst();
  if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field });
  if (card.program_id !== programId) {
    throw new DomainError("CARD_PROGRAM_MISMATCH", "the card belongs to another program", { field });
  }
  if (card.client_id !== null) {
    throw new DomainError("CARD_NOT_FREE", "the card is attached to another client", {
      field,
      reason: "attached to another client",
    });
  }
  if (card.status === "blocked") throw new DomainError("CARD_BLOCKED", "the card is blocked", { field });
}

const VIRTUAL_ATTEMPTS = 20;

function randomSerial(digits: number): bigint {
  if (digits <= 15) return BigInt(randomInt(0, 10 ** digits));
  // More digits than randomInt covers: reduce 16 random bytes (the bias is below 2^-60).
  return BigInt(`0x${randomBytes(16).toString("hex")}`) % 10n ** BigInt(digits);
}

/**
 * A new virtual card with a random number from the range (check digit included) and an empty account.
 * Uniqueness rests on the (partner, number) key: a number taken meanwhile by anyone is simply drawn
 * again, so concurrent issues never collide.
 */
export async function issueVirtualCard(
  trx: Trx,
  partnerId: number,
  programId: number,
  range: CardRange | null,
  clientId: number | null,
  now: number,
): Promise<{ id: number; number: string }> {
  if (range === null) {
    throw new DomainError("CARD_RANGE_INVALID", "the program has no virtual card range", {
      reason: "the program has no virtual card range",
    });
  }
  const problem = rangeProblem(range);
  if (problem) throw new DomainError("CARD_RANGE_INVALID", problem, { reason: problem });
  const digits = serialDigits(range);
  for (let attempt = 0; attempt < VIRTUAL_ATTEMPTS; attempt++) {
    const number = numberInRange(range, randomSerial(digits));
    const row = await trx
      .insertInto("cards")
      .values({
        partner_id: partnerId,
        program_id: programId,
        number,
        status: "active",
        level: null,
        client_id: clientId,
        virtual: 1,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(["partner_id", "number"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (row) {
      await openAccounts(trx, [{ cardId: row.id, balance: 0 }], now);
      return { id: row.id, number };
    }
  }
  throw new DomainError("CARD_RANGE_CONFLICT", "no free number found in the virtual range", {
    reason: "the range is (nearly) exhausted",
  });
}

/** Moves every card of one client to another (a merge of duplicates). Returns how many moved. */
export async function moveCardsToClient(trx: Trx, fromClientId: number, toClientId: number, now: number) {
  const moved = await trx
    .updateTable("cards")
    .set({ client_id: toClientId, updated_at: now })
    .where("client_id", "=", fromClientId)
    .executeTakeFirst();
  return Number(moved.numUpdatedRows);
}
