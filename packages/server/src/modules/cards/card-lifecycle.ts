/**
 * A card's life after issue: block, unblock, accrual-only, and replacement of a lost card, whose
 * balance, level, holder and history move to the new card while the old one is blocked.
 */
import type { CardStatus } from "@kopilka/contract";
import type { CardRange } from "../../core/card-numbers.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import { DomainError } from "../../kernel/errors.js";
import { moveBalance } from "../points/index.js";
import { issueVirtualCard } from "./card-issuing.js";

export async function setCardStatus(
  db: Executor,
  partnerId: number,
  number: string,
  status: CardStatus,
  now: number,
): Promise<void> {
  const result = await db
    .updateTable("cards")
    .set({ status, updated_at: now })
    .where("partner_id", "=", partnerId)
    .where("number", "=", number)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
  }
}

export type ReplacementTarget = { number: string } | { virtual: true; range: CardRange | null };

export interface Replacement {
  oldNumber: string;
  newNumber: string;
  movedActive: number;
  movedPending: number;
}

/**
 * Replaces a lost card in one transaction: the new card (a chosen free, empty card of the same
 * program, or a new virtual one) takes the level and the holder; the balance moves through the
 * ledger; the old card is blocked and remembers its replacement, so its history stays reachable.
 * Replacing an already replaced card answers the first replacement again.
 */
export function replaceCard(
  database: Database,
  partnerId: number,
  oldNumber: string,
  target: ReplacementTarget,
  now: number,
): Promise<Replacement> {
  return database.transaction((trx) => replaceCardIn(database, trx, partnerId, oldNumber, target, now));
}

/** The replacement in the caller's transaction (the cabinet records its audit entry in the same one). */
export async function replaceCardIn(
  database: Database,
  trx: Trx,
  partnerId: number,
  oldNumber: string,
  target: ReplacementTarget,
  now: number,
): Promise<Replacement> {
  const old = await database
    .forUpdate(
      trx
        .selectFrom("cards")
        .select(["id", "program_id", "client_id", "level", "status", "replaced_by"])
        .where("partner_id", "=", partnerId)
        .where("number", "=", oldNumber),
    )
    .executeTakeFirst();
  if (!old) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
  if (old.replaced_by !== null) {
    const replacement = await trx
      .selectFrom("cards")
      .select("number")
      .where("id", "=", old.replaced_by)
      .executeTakeFirstOrThrow();
    if ("number" in target && target.number !== replacement.number) {
      throw new DomainError("CARD_BLOCKED", "the card was already replaced by another card", {
        field: "number",
        replacedBy: replacement.number,
      });
    }
    return { oldNumber, newNumber: replacement.number, movedActive: 0, movedPending: 0 };
  }
  let newId: number;
  let newNumber: string;
  if ("number" in target) {
    if (target.number === oldNumber) {
      throw new DomainError("VALIDATION_FAILED", "a card cannot replace itself", { field: "newNumber" });
    }
    const fresh = await database
      .forUpdate(
        trx
          .selectFrom("cards")
          .select(["id", "program_id", "client_id", "status", "replaced_by"])
          .where("partner_id", "=", partnerId)
          .where("number", "=", target.number),
      )
      .executeTakeFirst();
    if (!fresh) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "newNumber" });
    if (fresh.program_id !== old.program_id) {
      throw new DomainError("CARD_PROGRAM_MISMATCH", "the new card belongs to another program", {
        field: "newNumber",
      });
    }
    if (fresh.client_id !== null || fresh.replaced_by !== null || fresh.status === "blocked") {
      throw new DomainError("CARD_NOT_FREE", "the new card is attached, blocked or replaced", {
        field: "newNumber",
        reason: "attached to a client, blocked or replaced",
      });
    }
    const history = await trx
      .selectFrom("ledger_entries")
      .select("id")
      .where("account_id", "=", fresh.id)
      .limit(1)
      .executeTakeFirst();
    if (history) {
      throw new DomainError("CARD_NOT_FREE", "the new card already has a history", {
        field: "newNumber",
        reason: "the card already has points or history",
      });
    }
    newId = fresh.id;
    newNumber = target.number;
  } else {
    const issued = await issueVirtualCard(trx, partnerId, old.program_id, target.range, null, now);
    newId = issued.id;
    newNumber = issued.number;
  }
  const moved = await moveBalance(database, trx, old.id, newId, now, {
    debit: `moved to replacement card ${newNumber}`,
    credit: `moved from lost card ${oldNumber}`,
  });
  await trx
    .updateTable("cards")
    .set({
      client_id: old.client_id,
      level: old.level,
      status: old.status === "blocked" ? "active" : old.status,
      updated_at: now,
    })
    .where("id", "=", newId)
    .execute();
  await trx
    .updateTable("cards")
    .set({ status: "blocked", replaced_by: newId, updated_at: now })
    .where("id", "=", old.id)
    .execute();
  return { oldNumber, newNumber, movedActive: moved.active, movedPending: moved.pending };
}
