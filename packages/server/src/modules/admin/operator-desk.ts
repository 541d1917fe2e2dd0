/**
 * The operator's desk in the cabinet: clients, cards, manual point adjustments, registration settings of
 * a program, and purchases (hanging ones resolved by hand). Like AdminService it writes no table itself:
 * each change goes through the owning module in one transaction with its audit entry.
 *
 * Personal data: phone and e-mail are shown in clear only when the caller's role needs them (`reveal`,
 * decided by the surface from the permission table); the audit log never keeps them in clear, whatever
 * the role, so a dump of the log reveals no more than a dump of the clients table.
 */
import type { CardStatus } from "@kopilka/contract";
import type { CardRange } from "../../core/card-numbers.js";
import type { PrintedReceipt } from "../../core/printed-receipt.js";
import type { Database, Executor } from "../../infra/db/database.js";
import type { Page, PageQuery } from "../../infra/db/keyset.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import type { Actor } from "../audit/index.js";
import {
  cardByNumber,
  generateCardsIn,
  type ListedCard,
  listCards,
  replaceCardIn,
  setCardStatus,
} from "../cards/index.js";
import type { ClientChangeRequest, ClientService } from "../clients/index.js";
import { getPartnerByCode } from "../partners/index.js";
import { adjustPoints, expiringPoints, type LedgerPageEntry, ledgerPage } from "../points/index.js";
import {
  findProgram,
  findProgramId,
  programRelation,
  type RegistrationSettings,
  type RegistrationSettingsChange,
  registrationSettings,
  updateRegistrationSettings,
} from "../programs/index.js";
import { canonicalHash, type PurchaseFilter, type PurchaseService } from "../purchases/index.js";
import { audited, recordChanges } from "./audited.js";
import type { PartnerRef } from "./views.js";

/** The most cards one request of the cabinet may generate (the command line takes up to a million). */
export const MAX_CABINET_BATCH = 100_000;
/** How far ahead "soon to expire" looks unless the caller says. */
export const DEFAULT_EXPIRING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface ClientListFilter {
  q?: string;
  status?: string;
  phone?: string;
  email?: string;
}

export interface CardListFilter {
  number?: string;
  status?: CardStatus;
  programCode?: string;
  virtual?: boolean;
  clientId?: number;
  phone?: string;
  email?: string;
}

export interface Adjustment {
  adjustmentId: string;
  /** Signed hundredths. */
  amount: number;
  reason: string;
}

function cardView(card: ListedCard) {
  const { id: _id, programId: _programId, ...view } = card;
  return view;
}

function settingsView(s: RegistrationSettings) {
  return {
    programCode: s.programCode,
    loginValue: s.loginValue,
    confirmationMethod: s.confirmationMethod,
    attachCardOnRegistration: s.attachCardOnRegistration,
    virtualCards: s.virtualCards,
  };
}

export class OperatorDesk {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly clients: ClientService,
    private readonly purchases: PurchaseService,
  ) {}

  private get db(): Executor {
    return this.database.db;
  }

  // ---- clients ----------------------------------------------------------------------------------

  /**
   * A page of clients: by a substring of the name, or found exactly by a phone or an e-mail address
   * (their keyed hash: contacts are never searched by a part).
   */
  async listClients(partner: PartnerRef, filter: ClientListFilter, page: PageQuery, reveal: boolean) {
    if (filter.phone !== undefined || filter.email !== undefined) {
      const contact = filter.phone !== undefined ? { phone: filter.phone } : { email: filter.email! };
      const found = await this.clients.findByContact(partner.id, contact, { reveal });
      return { items: found, nextCursor: null };
    }
    return this.clients.page(partner.id, { q: filter.q, status: filter.status }, page, { reveal });
  }

  async getClient(partner: PartnerRef, clientId: number, reveal: boolean) {
    const client = await this.clients.view(partner.id, clientId, { reveal });
    return { ...client, cards: await this.clients.cards(partner.id, clientId) };
  }

  async editClient(
    actor: Actor,
    partner: PartnerRef,
    clientId: number,
    change: ClientChangeRequest,
    reveal: boolean,
  ) {
    await audited(
      this.database,
      this.clock,
      actor,
      async (trx) => {
        const before = await this.clients.view(partner.id, clientId, { db: trx });
        await this.clients.editIn(trx, partner.id, clientId, change);
        const after = await this.clients.view(partner.id, clientId, { db: trx });
        return { result: null, audit: this.clientEntry(partner, clientId, "update", before, after) };
      },
      { code: "CLIENT_ALREADY_EXISTS", field: "login", message: "another client has this login" },
    );
    return this.clients.view(partner.id, clientId, { reveal });
  }

  /** Merges `duplicateId` into `keepId`: the client kept survives, the duplicate's cards (and so their history) move. */
  async mergeClients(
    actor: Actor,
    partner: PartnerRef,
    keepId: number,
    duplicateId: number,
    reveal: boolean,
  ) {
    const moved = await audited(this.database, this.clock, actor, async (trx) => {
      const keepBefore = await this.clients.view(partner.id, keepId, { db: trx });
      const duplicateBefore = await this.clients.view(partner.id, duplicateId, { db: trx });
      const cardsMoved = await this.clients.mergeIn(trx, partner.id, keepId, duplicateId);
      const keepAfter = await this.clients.view(partner.id, keepId, { db: trx });
      const duplicateAfter = await this.clients.view(partner.id, duplicateId, { db: trx });
      return {
        result: cardsMoved,
        audit: this.clientEntry(
          partner,
          keepId,
          "merge",
          { kept: keepBefore, duplicate: duplicateBefore },
          { kept: keepAfter, duplicate: duplicateAfter, cardsMoved },
        ),
      };
    });
    return {
      client: await this.getClient(partner, keepId, reveal),
      mergedClientId: duplicateId,
      cardsMoved: moved,
    };
  }

  /** Everything stored about a client, in clear (a subject access request); the export itself is audited. */
  async exportClient(actor: Actor, partner: PartnerRef, clientId: number) {
    const data = await this.clients.export(partner.id, clientId);
    await audited(this.database, this.clock, actor, async () => ({
      result: null,
      audit: {
        partnerId: partner.id,
        entityType: "client",
        entityId: clientId,
        action: "export",
        before: null,
        after: { exportedAt: data.exportedAt, cards: data.cards.map((c) => c.number) },
      },
    }));
    return data;
  }

  /** Erases the person (152-FZ): the record stays, anonymous, with its cards, purchases and ledger. */
  async eraseClient(actor: Actor, partner: PartnerRef, clientId: number) {
    await audited(this.database, this.clock, actor, async (trx) => {
      const before = await this.clients.view(partner.id, clientId, { db: trx });
      await this.clients.eraseIn(trx, partner.id, clientId);
      const after = await this.clients.view(partner.id, clientId, { db: trx });
      return { result: null, audit: this.clientEntry(partner, clientId, "erase", before, after) };
    });
    return this.clients.view(partner.id, clientId, { reveal: true });
  }

  private clientEntry(
    partner: PartnerRef,
    clientId: number,
    action: string,
    before: unknown,
    after: unknown,
  ) {
    return { partnerId: partner.id, entityType: "client", entityId: clientId, action, before, after };
  }

  // ---- cards ------------------------------------------------------------------------------------

  async listCards(partner: PartnerRef, filter: CardListFilter, page: PageQuery) {
    let clientIds: number[] | undefined;
    if (filter.phone !== undefined || filter.email !== undefined) {
      const contact = filter.phone !== undefined ? { phone: filter.phone } : { email: filter.email! };
      clientIds = (await this.clients.findByContact(partner.id, contact)).map((c) => c.id);
    }
    if (filter.clientId !== undefined)
      clientIds = (clientIds ?? [filter.clientId]).filter((id) => id === filter.clientId);
    const result = await listCards(
      this.db,
      partner.id,
      {
        ...(filter.number !== undefined ? { number: filter.number } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        ...(filter.programCode !== undefined ? { programCode: filter.programCode } : {}),
        ...(filter.virtual !== undefined ? { virtual: filter.virtual } : {}),
        ...(clientIds !== undefined ? { clientIds } : {}),
      },
      page,
    );
    return { items: result.items.map(cardView), nextCursor: result.nextCursor };
  }

  private async card(db: Executor, partner: PartnerRef, number: string): Promise<ListedCard> {
    const card = await cardByNumber(db, partner.id, number);
    if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "number" });
    return card;
  }

  /** A card with its balance and the active points that expire within `expiringWithinDays`. */
  async getCard(partner: PartnerRef, number: string, expiringWithinDays = DEFAULT_EXPIRING_DAYS) {
    const card = await this.card(this.db, partner, number);
    const now = this.clock.now();
    const expiring = await expiringPoints(this.db, card.id, now, expiringWithinDays);
    return {
      ...cardView(card),
      expiringSoon: {
        amount: expiring.amount,
        until: new Date(now + expiringWithinDays * DAY_MS).toISOString(),
      },
    };
  }

  async cardLedger(partner: PartnerRef, number: string, page: PageQuery): Promise<Page<LedgerPageEntry>> {
    const card = await this.card(this.db, partner, number);
    return ledgerPage(this.db, card.id, page);
  }

  async cardPurchases(partner: PartnerRef, number: string, page: PageQuery) {
    const card = await this.card(this.db, partner, number);
    return this.purchases.ofCard(partner.id, card.id, page);
  }

  async setCardStatus(actor: Actor, partner: PartnerRef, number: string, status: CardStatus) {
    const action = status === "active" ? "unblock" : status === "blocked" ? "block" : "accrual-only";
    return audited(this.database, this.clock, actor, async (trx, now) => {
      const before = await this.card(trx, partner, number);
      if (before.status !== status) await setCardStatus(trx, partner.id, number, status, now);
      const after = await this.card(trx, partner, number);
      return {
        result: cardView(after),
        audit: this.cardEntry(partner, number, action, { status: before.status }, { status: after.status }),
      };
    });
  }

  /** Replaces a lost card by a chosen free card or a new virtual one (the card desk's replacement). */
  async replaceCard(actor: Actor, partner: PartnerRef, number: string, newNumber: string | null) {
    return audited(this.database, this.clock, actor, async (trx, now) => {
      const before = await this.card(trx, partner, number);
      const target =
        newNumber !== null
          ? { number: newNumber }
          : {
              virtual: true as const,
              range: (await registrationSettings(trx, before.programId)).virtualCards,
            };
      const replacement = await replaceCardIn(this.database, trx, partner.id, number, target, now);
      const after = await this.card(trx, partner, number);
      const fresh = await this.card(trx, partner, replacement.newNumber);
      return {
        result: { ...replacement, oldCard: cardView(after), newCard: cardView(fresh) },
        audit: this.cardEntry(
          partner,
          number,
          "replace",
          { status: before.status, replacedBy: before.replacedBy, balance: before.balance },
          {
            status: after.status,
            replacedBy: after.replacedBy,
            balance: after.balance,
            newCard: cardView(fresh),
          },
        ),
      };
    });
  }

  private programIdOf(db: Executor, partner: PartnerRef, programCode: string) {
    return findProgramId(db, partner.id, programCode);
  }

  async generateCards(
    actor: Actor,
    partner: PartnerRef,
    request: { programCode: string; range: CardRange; from: number; count: number; virtual: boolean },
  ) {
    if (request.count > MAX_CABINET_BATCH) {
      throw new DomainError("VALIDATION_FAILED", `count must be 1 to ${MAX_CABINET_BATCH}`, {
        field: "count",
        reason: `at most ${MAX_CABINET_BATCH} per request; the command line takes more`,
      });
    }
    return audited(this.database, this.clock, actor, async (trx, now) => {
      const programId = await this.programIdOf(trx, partner, request.programCode);
      if (programId === null) {
        throw new DomainError("PROGRAM_NOT_FOUND", `no program ${request.programCode}`, {
          field: "programCode",
        });
      }
      const batch = await generateCardsIn(
        trx,
        {
          partnerId: partner.id,
          programId,
          range: request.range,
          firstSerial: request.from,
          count: request.count,
          virtual: request.virtual,
        },
        now,
      );
      const result = { programCode: request.programCode, virtual: request.virtual, ...batch };
      return {
        result,
        audit: {
          partnerId: partner.id,
          entityType: "card-batch",
          entityId: `${batch.first}..${batch.last}`,
          action: "generate",
          before: null,
          after: { ...result, range: request.range },
        },
      };
    });
  }

  /**
   * A manual credit or debit with a reason, booked through the ledger; idempotent by `adjustmentId`
   * (a repeat answers the first booking and writes no second audit entry).
   */
  async adjustPoints(actor: Actor, partner: PartnerRef, number: string, adjustment: Adjustment) {
    const requestHash = canonicalHash({ number, ...adjustment });
    return audited(this.database, this.clock, actor, async (trx, now) => {
      const card = await this.card(trx, partner, number);
      const program = await findProgram(trx, partner.id, card.programCode);
      const { result, replayed } = await adjustPoints(
        this.database,
        trx,
        {
          partnerId: partner.id,
          cardId: card.id,
          adjustmentId: adjustment.adjustmentId,
          amount: adjustment.amount,
          reason: adjustment.reason,
          userId: actor.userId,
          lifetimeDays: program?.points_lifetime_days ?? null,
          requestHash,
        },
        now,
      );
      return {
        result: { cardNumber: number, ...result, replayed },
        audit: replayed
          ? null
          : this.cardEntry(
              partner,
              number,
              adjustment.amount > 0 ? "credit-points" : "debit-points",
              { balance: card.balance },
              { balance: result.balance, ...adjustment },
            ),
      };
    });
  }

  private cardEntry(partner: PartnerRef, number: string, action: string, before: unknown, after: unknown) {
    return { partnerId: partner.id, entityType: "card", entityId: number, action, before, after };
  }

  // ---- registration settings ----------------------------------------------------------------------

  /** A program's registration settings: its owner's and its participants' to read. */
  async getRegistration(partner: PartnerRef, programCode: string) {
    return settingsView(
      await registrationSettings(this.db, await this.visibleProgramId(partner, programCode)),
    );
  }

  private async visibleProgramId(partner: PartnerRef, programCode: string): Promise<number> {
    const own = await findProgramId(this.db, partner.id, programCode);
    if (own !== null) return own;
    // A program offered to the partner: its code is the owner's; any offered program with the code will do.
    const offered = await this.db
      .selectFrom("program_participants as pp")
      .innerJoin("programs as g", "g.id", "pp.program_id")
      .select("g.id")
      .where("pp.partner_id", "=", partner.id)
      .where("g.code", "=", programCode)
      .executeTakeFirst();
    if (offered && (await programRelation(this.db, partner.id, offered.id)) === "participant")
      return offered.id;
    throw new DomainError("PROGRAM_NOT_FOUND", `no program ${programCode}`, { field: "programCode" });
  }

  /** Changes them (the program's owner only); the change bumps the program's version. */
  async updateRegistration(
    actor: Actor,
    partner: PartnerRef,
    programCode: string,
    change: RegistrationSettingsChange,
  ) {
    return audited(this.database, this.clock, actor, async (trx, now) => {
      const program = await findProgram(trx, partner.id, programCode);
      if (!program) {
        throw new DomainError("PROGRAM_NOT_FOUND", `${partner.code} owns no program ${programCode}`, {
          field: "programCode",
        });
      }
      const before = settingsView(await registrationSettings(trx, program.id));
      await updateRegistrationSettings(trx, program.id, change, now);
      const after = settingsView(await registrationSettings(trx, program.id));
      return {
        result: after,
        audit: {
          partnerId: partner.id,
          entityType: "program",
          entityId: programCode,
          action: "update-registration",
          before,
          after,
        },
      };
    });
  }

  // ---- purchases --------------------------------------------------------------------------------

  listPurchases(partner: PartnerRef, filter: PurchaseFilter, page: PageQuery) {
    return this.purchases.list(partner.id, filter, page);
  }

  /** Hanging purchases of the partner's stores, oldest first: what waits for an operator. */
  async hangingPurchases(partner: PartnerRef, limit: number) {
    const rows = await this.purchases.hanging(partner.id, limit);
    const stores = await this.db
      .selectFrom("stores")
      .select(["id", "code"])
      .where("partner_id", "=", partner.id)
      .execute();
    const codeOf = new Map(stores.map((s) => [s.id, s.code]));
    return {
      items: rows.map(({ storeId, ...r }) => ({ ...r, storeCode: codeOf.get(storeId) ?? "" })),
    };
  }

  /** One purchase; `sellerCode` names another partner's purchase under a program this partner owns. */
  async getPurchase(partner: PartnerRef, purchaseId: string, sellerCode?: string) {
    let sellerId = partner.id;
    if (sellerCode !== undefined && sellerCode !== partner.code) {
      const seller = await getPartnerByCode(this.db, sellerCode);
      if (!seller) throw new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });
      sellerId = seller.id;
    }
    return this.purchases.detail(partner.id, sellerId, purchaseId);
  }

  /** Cancels a hanging purchase of the partner's stores, or confirms it with the receipt its till printed. */
  async resolvePurchase(
    actor: Actor,
    partner: PartnerRef,
    purchaseId: string,
    resolution:
      | { action: "cancel"; reason: string }
      | { action: "confirm"; reason: string; receipt: PrintedReceipt },
  ) {
    return this.purchases.resolve(
      partner.id,
      purchaseId,
      resolution,
      actor.userId,
      async (trx, before, after) => {
        await recordChanges(
          trx,
          actor,
          {
            partnerId: partner.id,
            entityType: "purchase",
            entityId: purchaseId,
            action: `resolve-${resolution.action}`,
            before,
            after: { ...after, reason: resolution.reason },
          },
          this.clock.now(),
        );
      },
    );
  }
}
