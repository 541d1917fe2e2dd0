/**
 * What the POS and the accounting system ask of cards: a card with its balance, its ledger, and batch
 * uploads. Protocol-neutral: each surface maps the results and the DomainErrors to its own answers.
 */
import type { CardStatus } from "@kopilka/contract";
import type { Database } from "../../infra/db/database.js";
import { rejectDuplicates } from "../../kernel/batches.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/principal.js";
import { requireUnboundCredential } from "../auth/index.js";
import {
  type CardBalance,
  type ExpiringPoints,
  expiringPoints,
  ledgerOf,
  readBalance,
} from "../points/index.js";
import { findProgramId, programCodeOf } from "../programs/index.js";
import { type Card, type CardInput, findCard, upsertCards } from "./cards.js";

export interface CardView {
  number: string;
  programCode: string;
  status: CardStatus;
  level: string | null;
  virtual: boolean;
  balance: CardBalance;
  /** Active points expiring within EXPIRING_WITHIN_DAYS. */
  expiring?: ExpiringPoints;
}

/** "Soon" for the card answer's expiring points. */
export const EXPIRING_WITHIN_DAYS = 30;

export interface LedgerEntryView {
  kind: string;
  activeDelta: number;
  pendingDelta: number;
  purchaseId: string | null;
  note: string | null;
  at: string;
}

export class CardService {
  constructor(private readonly database: Database) {}

  private async cardOf(partnerId: number, number: string): Promise<Card> {
    const card = await findCard(this.database.db, partnerId, number);
    if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
    return card;
  }

  async view(principal: Principal, number: string, now?: number): Promise<CardView & { id: number }> {
    const card = await this.cardOf(principal.partnerId, number);
    return {
      number: card.number,
      programCode: await programCodeOf(this.database.db, card.programId),
      status: card.status,
      level: card.level,
      virtual: card.virtual,
      balance: await readBalance(this.database.db, card.id),
      ...(now === undefined
        ? {}
        : { expiring: await expiringPoints(this.database.db, card.id, now, EXPIRING_WITHIN_DAYS) }),
      id: card.id,
    };
  }

  async ledger(principal: Principal, number: string, limit: number): Promise<LedgerEntryView[]> {
    const card = await this.cardOf(principal.partnerId, number);
    return ledgerOf(this.database.db, card.id, limit);
  }

  async upload(
    principal: Principal,
    programCode: string,
    items: readonly CardInput[],
    now: number,
  ): Promise<{ created: number; updated: number }> {
    requireUnboundCredential(principal);
    const programId = await findProgramId(this.database.db, principal.partnerId, programCode);
    if (programId === null) {
      throw new DomainError("PROGRAM_NOT_FOUND", `no program ${programCode}`, { field: "programCode" });
    }
    rejectDuplicates(items, (c) => c.number, "number");
    return upsertCards(this.database, principal.partnerId, programId, items, now);
  }
}
