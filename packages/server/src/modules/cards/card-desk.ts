/**
 * Card services for the till and the operator: identification by number or barcode, block, unblock,
 * accrual-only, replacement of a lost card, and batches of new cards in a range.
 */
import type { CardStatus } from "@kopilka/contract";
import type { CardRange } from "../../core/card-numbers.js";
import type { Database } from "../../infra/db/database.js";
import type { Clock } from "../../kernel/clock.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/principal.js";
import { findProgramId, registrationSettings } from "../programs/index.js";
import { type GeneratedBatch, generateCards } from "./card-generation.js";
import { cardsByNumber, type HeldCard } from "./card-issuing.js";
import { type Replacement, replaceCard, setCardStatus } from "./card-lifecycle.js";
import { findCard } from "./cards.js";

export class CardDesk {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Cards with this number or barcode (zero or one), with their holder's id and balance. */
  find(principal: Principal, number: string): Promise<HeldCard[]> {
    return cardsByNumber(this.database.db, principal.partnerId, number);
  }

  async setStatus(partnerId: number, number: string, status: CardStatus): Promise<HeldCard> {
    await setCardStatus(this.database.db, partnerId, number, status, this.clock.now());
    return (await cardsByNumber(this.database.db, partnerId, number))[0]!;
  }

  /** Replaces a lost card by a chosen free card or, without one, a new virtual card of the program. */
  async replace(partnerId: number, number: string, newNumber: string | null): Promise<Replacement> {
    const old = await findCard(this.database.db, partnerId, number);
    if (!old) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
    const target =
      newNumber !== null
        ? { number: newNumber }
        : {
            virtual: true as const,
            range: (await registrationSettings(this.database.db, old.programId)).virtualCards,
          };
    return replaceCard(this.database, partnerId, number, target, this.clock.now());
  }

  /** A batch of new cards in a range of a program (the CLI and the admin API). */
  async generate(
    partnerId: number,
    programCode: string,
    batch: { range: CardRange; firstSerial: number; count: number; virtual: boolean },
    onProgress?: (done: number) => void,
  ): Promise<GeneratedBatch> {
    const programId = await findProgramId(this.database.db, partnerId, programCode);
    if (programId === null) {
      throw new DomainError("PROGRAM_NOT_FOUND", `no program ${programCode}`, { field: "programCode" });
    }
    return generateCards(this.database, { partnerId, programId, ...batch }, this.clock.now(), onProgress);
  }
}
