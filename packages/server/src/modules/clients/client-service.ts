/**
 * Clients of a partner: registration (with a confirmation code when the program asks for one),
 * identification by phone or e-mail, their cards, and what an operator does for them (view, edit,
 * merge duplicates, export, erase on request). Protocol-neutral: the POS surface and the admin surface
 * call the same functions; an admin route is one call here.
 *
 * A registration that needs a code creates nothing until the code is entered: the form waits,
 * encrypted, in the confirmation. So a failed delivery, or a code never entered, leaves no client
 * behind, and nobody can hold a stranger's phone as a login by registering it without the code.
 */
import type { Logger } from "pino";
import { normalizeEmail, normalizePhone } from "../../core/contacts.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import type { Page, PageQuery } from "../../infra/db/keyset.js";
import { maskEmail, maskPhone } from "../../infra/logger.js";
import type { PersonalDataCipher } from "../../infra/pii.js";
import type { Clock } from "../../kernel/clock.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/principal.js";
import {
  attachCard,
  cardsOfClient,
  checkAttachable,
  type HeldCard,
  issueVirtualCard,
  moveCardsToClient,
} from "../cards/index.js";
import type { ConfirmationService, PendingConfirmation } from "../confirmations/index.js";
import type { ChannelKind } from "../notifications/index.js";
import { ledgerOf } from "../points/index.js";
import {
  findProgramId,
  type ProgramCatalog,
  type RegistrationSettings,
  registrationSettings,
} from "../programs/index.js";
import {
  type ClientChange,
  type ClientListFilter,
  type ClientRow,
  clientPage,
  clientsAfter,
  findByContact,
  findClient,
  insertClient,
  isUniqueViolation,
  listClients,
  loginTaken,
  type SealedContacts,
  updateClient,
} from "./client-store.js";

export interface Consents {
  personalData: boolean;
  sms?: boolean;
  email?: boolean;
}

export interface RegistrationForm {
  programCode?: string;
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  /** YYYY-MM-DD */
  birthDate?: string | null;
  consents?: Consents;
  /** The card presented at registration, or a chosen free card of the program. */
  cardNumber?: string | null;
  externalId?: string | null;
}

/** A client as stored, with phone and e-mail in clear: for exports and roles that need them. */
export interface ClientRecord {
  id: number;
  status: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  birthDate: string | null;
  consents: Consents | null;
  confirmed: boolean;
  mergedInto: number | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export interface CardSummary {
  number: string;
  programCode: string;
  status: string;
  level: string | null;
  virtual: boolean;
  clientId: number | null;
  balance: HeldCard["balance"];
}

export type RegistrationOutcome =
  | { status: "registered"; client: ClientRecord; cards: CardSummary[]; confirmation: null }
  | {
      status: "confirmation_required";
      client: null;
      cards: [];
      /** `code` only for a registration asked with `handOverCode`. */
      confirmation: PendingConfirmation & { code?: string };
    };

export type IdentificationOutcome =
  | { status: "identified"; cards: CardSummary[]; confirmation: null }
  | { status: "confirmation_required"; cards: []; confirmation: PendingConfirmation };

/** The registration form as it waits in a confirmation: normalized, nothing secret beyond it. */
interface Draft {
  programId: number;
  loginKind: "phone" | "email";
  name: string | null;
  phone: string | null;
  email: string | null;
  birthDate: string | null;
  consents: Consents;
  cardNumber: string | null;
  externalId: string | null;
}

export function cardSummary(card: HeldCard): CardSummary {
  return {
    number: card.number,
    programCode: card.programCode,
    status: card.status,
    level: card.level,
    virtual: card.virtual,
    clientId: card.clientId,
    balance: card.balance,
  };
}

/** The same record with phone and e-mail masked, for lists and roles that do not need them. */
export function masked(record: ClientRecord): ClientRecord {
  return {
    ...record,
    phone: record.phone === null ? null : maskPhone(record.phone),
    email: record.email === null ? null : maskEmail(record.email),
  };
}

export interface ClientChangeRequest {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  birthDate?: string | null;
  consents?: Consents;
}

export class ClientService {
  constructor(
    private readonly database: Database,
    private readonly cipher: PersonalDataCipher,
    private readonly confirmations: ConfirmationService,
    private readonly programs: ProgramCatalog,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  // ---- settings --------------------------------------------------------------------------------

  /** The registration settings of a program, by default the partner's default (loyalty) program. */
  async settings(partnerId: number, programCode?: string): Promise<RegistrationSettings> {
    let programId: number | null;
    if (programCode !== undefined) {
      programId = await findProgramId(this.database.db, partnerId, programCode);
    } else {
      programId = (await this.programs.defaultFor(partnerId))?.program.id ?? null;
    }
    if (programId === null) {
      throw new DomainError(
        "PROGRAM_NOT_FOUND",
        programCode ? `no program ${programCode}` : "no default program",
        {
          field: "programCode",
        },
      );
    }
    return registrationSettings(this.database.db, programId);
  }

  // ---- registration ----------------------------------------------------------------------------

  /**
   * Registers a client, or starts the confirmation the program asks for. `handOverCode`: the code is
   * answered in `confirmation.code` rather than sent (a trusted caller checked the contact itself).
   */
  async register(
    principal: Principal,
    form: RegistrationForm,
    options: { handOverCode?: boolean } = {},
  ): Promise<RegistrationOutcome> {
    const settings = await this.settings(principal.partnerId, form.programCode);
    const draft = this.draftOf(settings, form);
    const login = this.loginOf(draft);
    if (await loginTaken(this.database.db, principal.partnerId, this.cipher.lookupHashes(login))) {
      throw new DomainError("CLIENT_ALREADY_EXISTS", "a client with this login exists", {
        field: draft.loginKind,
      });
    }
    if (draft.cardNumber !== null) {
      await checkAttachable(this.database.db, principal.partnerId, settings.programId, draft.cardNumber);
    }
    if (settings.confirmationMethod === "none") {
      const clientId = await this.database.transaction((trx) =>
        this.create(trx, principal.partnerId, draft, null),
      );
      this.logger.info({ partnerId: principal.partnerId, clientId }, "client registered");
      return {
        status: "registered",
        ...(await this.withCards(principal.partnerId, clientId)),
        confirmation: null,
      };
    }
    const channel: ChannelKind = settings.confirmationMethod === "phone" ? "sms" : "email";
    const destination = channel === "sms" ? draft.phone : draft.email;
    if (destination === null) {
      const field = channel === "sms" ? "phone" : "email";
      throw new DomainError("VALIDATION_FAILED", `${field} is required: the program confirms by it`, {
        field,
        reason: "required",
      });
    }
    const confirmation = await this.confirmations.start({
      partnerId: principal.partnerId,
      credentialId: principal.credentialId,
      purpose: "registration",
      subject: this.cipher.hash(login),
      payload: draft,
      channel,
      destination,
      deliver: options.handOverCode !== true,
      handOver: options.handOverCode === true,
    });
    return { status: "confirmation_required", client: null, cards: [], confirmation };
  }

  /** The code of a registration: creates the confirmed client (a retry answers the same client). */
  async confirmRegistration(
    principal: Principal,
    confirmationId: string,
    code: string,
  ): Promise<RegistrationOutcome> {
    const outcome = await this.database.transaction(async (trx) => {
      const check = await this.confirmations.check(
        trx,
        principal.partnerId,
        confirmationId,
        "registration",
        code,
      );
      if (!check.ok) return check;
      if (check.confirmed.result !== null)
        return { ok: true as const, clientId: Number(check.confirmed.result) };
      const draft = check.confirmed.payload as Draft;
      const clientId = await this.create(trx, principal.partnerId, draft, {
        at: this.clock.now(),
        contact: check.confirmed.channel === "sms" ? "phone" : "email",
      });
      await this.confirmations.complete(trx, check.confirmed.rowId, String(clientId));
      return { ok: true as const, clientId };
    });
    if (!outcome.ok) throw outcome.error;
    this.logger.info(
      { partnerId: principal.partnerId, clientId: outcome.clientId },
      "client registered and confirmed",
    );
    return {
      status: "registered",
      ...(await this.withCards(principal.partnerId, outcome.clientId)),
      confirmation: null,
    };
  }

  /** A new code for a pending registration or identification. */
  resendCode(principal: Principal, confirmationId: string): Promise<PendingConfirmation> {
    return this.confirmations.resend(principal.partnerId, principal.credentialId, confirmationId);
  }

  private draftOf(settings: RegistrationSettings, form: RegistrationForm): Draft {
    if (form.consents?.personalData !== true) {
      throw new DomainError("CONSENT_REQUIRED", "consent to personal data processing is required", {
        field: "consents.personalData",
      });
    }
    const phone = this.normalized("phone", form.phone);
    const email = this.normalized("email", form.email);
    const loginKind = settings.loginValue;
    if ((loginKind === "phone" ? phone : email) === null) {
      throw new DomainError("VALIDATION_FAILED", `${loginKind} is required: it is the program's login`, {
        field: loginKind,
        reason: "required",
      });
    }
    const cardNumber = form.cardNumber ?? null;
    if (settings.attachCardOnRegistration && cardNumber === null) {
      throw new DomainError(
        "VALIDATION_FAILED",
        "the program attaches the presented card: cardNumber is required",
        {
          field: "cardNumber",
          reason: "required",
        },
      );
    }
    return {
      programId: settings.programId,
      loginKind,
      name: form.name ?? null,
      phone,
      email,
      birthDate: form.birthDate ?? null,
      consents: {
        personalData: true,
        sms: form.consents.sms ?? false,
        email: form.consents.email ?? false,
      },
      cardNumber,
      externalId: form.externalId ?? null,
    };
  }

  private normalized(field: "phone" | "email", value: string | null | undefined): string | null {
    if (value === undefined || value === null || value.trim() === "") return null;
    const result = field === "phone" ? normalizePhone(value) : normalizeEmail(value);
    if (!result.ok) {
      throw new DomainError(field === "phone" ? "INVALID_PHONE" : "INVALID_EMAIL", result.reason, {
        field,
        reason: result.reason,
      });
    }
    return result.value;
  }

  private loginOf(draft: Pick<Draft, "loginKind" | "phone" | "email">): string {
    return `${draft.loginKind}:${draft.loginKind === "phone" ? draft.phone : draft.email}`;
  }

  private seal(draft: Pick<Draft, "loginKind" | "phone" | "email">): SealedContacts {
    return {
      loginKind: draft.loginKind,
      loginHash: this.cipher.hash(this.loginOf(draft)),
      phoneHash: draft.phone === null ? null : this.cipher.hash(`phone:${draft.phone}`),
      phoneEnc: draft.phone === null ? null : this.cipher.encrypt(draft.phone),
      emailHash: draft.email === null ? null : this.cipher.hash(`email:${draft.email}`),
      emailEnc: draft.email === null ? null : this.cipher.encrypt(draft.email),
    };
  }

  /** Creates the client and attaches the presented card, in the caller's transaction. */
  private async create(
    trx: Trx,
    partnerId: number,
    draft: Draft,
    confirmed: { at: number; contact: "phone" | "email" } | null,
  ): Promise<number> {
    const now = this.clock.now();
    const clientId = await insertClient(
      trx,
      {
        partnerId,
        programId: draft.programId,
        externalId: draft.externalId,
        name: draft.name,
        birthDate: draft.birthDate,
        consents: JSON.stringify(draft.consents),
        confirmedAt: confirmed?.at ?? null,
        confirmedContact: confirmed?.contact ?? null,
        ...this.seal(draft),
      },
      now,
    );
    if (clientId === null) {
      throw new DomainError("CLIENT_ALREADY_EXISTS", "a client with this login exists", {
        field: draft.loginKind,
      });
    }
    if (draft.cardNumber !== null) {
      await attachCard(this.database, trx, partnerId, draft.programId, clientId, draft.cardNumber, now);
    }
    return clientId;
  }

  /**
   * One client from a file import, in the caller's transaction: a login already registered is left as
   * it is ("existing"), so importing the same file twice changes nothing. Throws DomainError for a row
   * to reject.
   */
  async importRow(
    trx: Trx,
    partnerId: number,
    settings: RegistrationSettings,
    form: RegistrationForm,
  ): Promise<"created" | "existing"> {
    const draft = this.draftOf({ ...settings, attachCardOnRegistration: false }, form);
    if (await loginTaken(trx, partnerId, this.cipher.lookupHashes(this.loginOf(draft)))) return "existing";
    await this.create(trx, partnerId, draft, null);
    return "created";
  }

  // ---- cards -----------------------------------------------------------------------------------

  async cards(partnerId: number, clientId: number): Promise<CardSummary[]> {
    await this.row(this.database.db, partnerId, clientId);
    return (await cardsOfClient(this.database.db, partnerId, clientId)).map(cardSummary);
  }

  /**
   * Attaches a chosen free card of the client's program, or a random virtual one. A client who already
   * has a virtual card of the program gets that one again (a retried request issues nothing new).
   */
  async attachCard(
    principal: Principal,
    clientId: number,
    request: { cardNumber: string } | { virtual: true; programCode?: string },
  ): Promise<CardSummary[]> {
    const { partnerId } = principal;
    const client = await this.live(this.database.db, partnerId, clientId);
    const programCode = "programCode" in request ? request.programCode : undefined;
    const settings =
      programCode !== undefined || client.program_id === null
        ? await this.settings(partnerId, programCode)
        : await registrationSettings(this.database.db, client.program_id);
    const now = this.clock.now();
    await this.database.transaction(async (trx) => {
      if ("cardNumber" in request) {
        await attachCard(
          this.database,
          trx,
          partnerId,
          settings.programId,
          clientId,
          request.cardNumber,
          now,
        );
        return;
      }
      const held = await cardsOfClient(trx, partnerId, clientId);
      if (held.some((c) => c.virtual && c.programId === settings.programId && c.status !== "blocked")) return;
      await issueVirtualCard(trx, partnerId, settings.programId, settings.virtualCards, clientId, now);
    });
    return this.cards(partnerId, clientId);
  }

  // ---- identification --------------------------------------------------------------------------

  /**
   * Step 1 of identification by phone or e-mail. Without confirmation the cards come back at once.
   * With confirmation the answer is the same whether the contact is known or not: a confirmation id;
   * for an unknown contact nothing is sent and no code can match.
   */
  async identify(
    principal: Principal,
    request: { phone?: string | null; email?: string | null; programCode?: string },
  ): Promise<IdentificationOutcome> {
    const phone = this.normalized("phone", request.phone);
    const email = this.normalized("email", request.email);
    if ((phone === null) === (email === null)) {
      throw new DomainError("VALIDATION_FAILED", "give either a phone or an e-mail address", {
        field: "phone",
        reason: "exactly one of phone and email",
      });
    }
    const settings = await this.settings(principal.partnerId, request.programCode);
    const kind = phone !== null ? "phone" : "email";
    const value = (phone ?? email)!;
    const clients = await findByContact(
      this.database.db,
      principal.partnerId,
      kind === "phone" ? "phone_hash" : "email_hash",
      this.cipher.lookupHashes(`${kind}:${value}`),
    );
    if (settings.confirmationMethod === "none") {
      if (clients.length === 0)
        throw new DomainError("CLIENT_NOT_FOUND", "no client with this contact", { field: kind });
      return {
        status: "identified",
        cards: await this.cardsOfAll(
          principal.partnerId,
          clients.map((c) => c.id),
        ),
        confirmation: null,
      };
    }
    const confirmation = await this.confirmations.start({
      partnerId: principal.partnerId,
      credentialId: principal.credentialId,
      purpose: "identification",
      subject: clients.map((c) => c.id).join(","),
      channel: kind === "phone" ? "sms" : "email",
      destination: value,
      deliver: clients.length > 0,
    });
    return { status: "confirmation_required", cards: [], confirmation };
  }

  /** Step 2: the code entered, the client's cards. */
  async confirmIdentification(
    principal: Principal,
    confirmationId: string,
    code: string,
  ): Promise<IdentificationOutcome> {
    const outcome = await this.database.transaction(async (trx) => {
      const check = await this.confirmations.check(
        trx,
        principal.partnerId,
        confirmationId,
        "identification",
        code,
      );
      if (!check.ok) return check;
      if (check.confirmed.result === null)
        await this.confirmations.complete(trx, check.confirmed.rowId, "identified");
      return { ok: true as const, subject: check.confirmed.subject };
    });
    if (!outcome.ok) throw outcome.error;
    const ids = outcome.subject === "" ? [] : outcome.subject.split(",").map(Number);
    return {
      status: "identified",
      cards: await this.cardsOfAll(principal.partnerId, ids),
      confirmation: null,
    };
  }

  private async cardsOfAll(partnerId: number, clientIds: readonly number[]): Promise<CardSummary[]> {
    const cards: CardSummary[] = [];
    for (const id of clientIds)
      cards.push(...(await cardsOfClient(this.database.db, partnerId, id)).map(cardSummary));
    return cards;
  }

  // ---- operator services (admin API) -----------------------------------------------------------

  /** One client; phone and e-mail in clear only when `reveal` (the caller's role needs them). */
  async view(
    partnerId: number,
    clientId: number,
    options: { reveal?: boolean; db?: Executor } = {},
  ): Promise<ClientRecord> {
    const record = this.record(await this.row(options.db ?? this.database.db, partnerId, clientId));
    return options.reveal ? record : masked(record);
  }

  /**
   * A keyset page of clients (sorted by `id`, `name` or `createdAt`), filtered by a substring of the
   * name (`q`) and by status; masked unless `reveal`. Contacts are searched only exactly (findByContact).
   */
  async page(
    partnerId: number,
    filter: ClientListFilter,
    page: PageQuery,
    options: { reveal?: boolean } = {},
  ): Promise<Page<ClientRecord>> {
    const result = await clientPage(this.database.db, partnerId, filter, page);
    return {
      items: result.items.map((r) => (options.reveal ? this.record(r) : masked(this.record(r)))),
      nextCursor: result.nextCursor,
    };
  }

  /** A page of clients in id order, masked unless `reveal`. */
  async list(
    partnerId: number,
    page: { limit: number; offset: number },
    options: { reveal?: boolean } = {},
  ): Promise<ClientRecord[]> {
    const rows = await listClients(this.database.db, partnerId, page);
    return rows.map((r) => (options.reveal ? this.record(r) : masked(this.record(r))));
  }

  /** Exact search by a phone or an e-mail address (its keyed hash): the only search personal data allows. */
  async findByContact(
    partnerId: number,
    contact: { phone?: string; email?: string },
    options: { reveal?: boolean } = {},
  ): Promise<ClientRecord[]> {
    const kind = contact.phone !== undefined ? "phone" : "email";
    const value = this.normalized(kind, contact[kind])!;
    const rows = await findByContact(
      this.database.db,
      partnerId,
      kind === "phone" ? "phone_hash" : "email_hash",
      this.cipher.lookupHashes(`${kind}:${value}`),
    );
    return rows.map((r) => (options.reveal ? this.record(r) : masked(this.record(r))));
  }

  /** Changes a client's data; a new login that another client has is CLIENT_ALREADY_EXISTS. */
  async edit(partnerId: number, clientId: number, change: ClientChangeRequest): Promise<ClientRecord> {
    try {
      await this.database.transaction((trx) => this.editIn(trx, partnerId, clientId, change));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError("CLIENT_ALREADY_EXISTS", "another client has this login", { field: "login" });
      }
      throw error;
    }
    return this.view(partnerId, clientId, { reveal: true });
  }

  /**
   * The edit in the caller's transaction (the cabinet audits in the same one). A login another client
   * has surfaces as a unique violation for the caller to map (PostgreSQL aborts the transaction there).
   */
  async editIn(trx: Trx, partnerId: number, clientId: number, change: ClientChangeRequest): Promise<void> {
    const now = this.clock.now();
    const row = await this.live(trx, partnerId, clientId, true);
    const current = this.record(row);
    const contacts = {
      loginKind: (row.login_kind ?? "phone") as "phone" | "email",
      phone: change.phone !== undefined ? this.normalized("phone", change.phone) : current.phone,
      email: change.email !== undefined ? this.normalized("email", change.email) : current.email,
    };
    if ((contacts.loginKind === "phone" ? contacts.phone : contacts.email) === null) {
      throw new DomainError(
        "VALIDATION_FAILED",
        `${contacts.loginKind} is the client's login and cannot be removed`,
        {
          field: contacts.loginKind,
          reason: "required",
        },
      );
    }
    const sealed = this.seal(contacts);
    const update: ClientChange = {
      login_hash: sealed.loginHash,
      phone_hash: sealed.phoneHash,
      phone_enc: sealed.phoneEnc,
      email_hash: sealed.emailHash,
      email_enc: sealed.emailEnc,
      // A changed contact is no longer the one a code proved.
      ...(contacts.phone !== current.phone ? { phone_confirmed_at: null } : {}),
      ...(contacts.email !== current.email ? { email_confirmed_at: null } : {}),
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.birthDate !== undefined ? { birth_date: change.birthDate } : {}),
      ...(change.consents !== undefined ? { consents: JSON.stringify(change.consents) } : {}),
    };
    await updateClient(trx, clientId, update, now);
  }

  /**
   * Merges a duplicate into the client kept: the duplicate's cards move over, contacts the kept client
   * lacks are taken from it, and the duplicate is left as an empty record pointing at the kept one.
   */
  async merge(partnerId: number, keepId: number, duplicateId: number): Promise<ClientRecord> {
    await this.database.transaction((trx) => this.mergeIn(trx, partnerId, keepId, duplicateId));
    this.logger.info({ partnerId, keepId, duplicateId }, "clients merged");
    return this.view(partnerId, keepId, { reveal: true });
  }

  /** The merge in the caller's transaction; returns how many cards moved to the client kept. */
  async mergeIn(trx: Trx, partnerId: number, keepId: number, duplicateId: number): Promise<number> {
    if (keepId === duplicateId) {
      throw new DomainError("VALIDATION_FAILED", "a client cannot be merged into itself", {
        field: "duplicateId",
      });
    }
    const now = this.clock.now();
    // Both rows locked in id order: two merges of the same pair cannot deadlock.
    const [first, second] = keepId < duplicateId ? [keepId, duplicateId] : [duplicateId, keepId];
    const a = await this.live(trx, partnerId, first, true);
    const b = await this.live(trx, partnerId, second, true);
    const keep = first === keepId ? a : b;
    const duplicate = first === keepId ? b : a;
    const moved = await moveCardsToClient(trx, duplicate.id, keep.id, now);
    await updateClient(trx, duplicate.id, { ...ERASED, status: "merged", merged_into: keep.id }, now);
    const fill: ClientChange = {};
    if (keep.phone_enc === null && duplicate.phone_enc !== null) {
      fill.phone_enc = duplicate.phone_enc;
      fill.phone_hash = duplicate.phone_hash;
      fill.phone_confirmed_at = duplicate.phone_confirmed_at;
    }
    if (keep.email_enc === null && duplicate.email_enc !== null) {
      fill.email_enc = duplicate.email_enc;
      fill.email_hash = duplicate.email_hash;
      fill.email_confirmed_at = duplicate.email_confirmed_at;
    }
    if (keep.name === null && duplicate.name !== null) fill.name = duplicate.name;
    if (keep.birth_date === null && duplicate.birth_date !== null) fill.birth_date = duplicate.birth_date;
    if (Object.keys(fill).length > 0) await updateClient(trx, keep.id, fill, now);
    return moved;
  }

  /** Everything stored about a client, in clear, as one JSON document (a subject access request). */
  async export(partnerId: number, clientId: number) {
    const client = this.record(await this.row(this.database.db, partnerId, clientId));
    const cards = await cardsOfClient(this.database.db, partnerId, clientId);
    return {
      exportedAt: new Date(this.clock.now()).toISOString(),
      client,
      cards: await Promise.all(
        cards.map(async (c) => ({
          ...cardSummary(c),
          ledger: await ledgerOf(this.database.db, c.id, 10_000),
        })),
      ),
    };
  }

  /**
   * Erases a client's personal data on request (152-FZ): name, contacts, birth date and consents go;
   * the record stays, anonymous, so its cards, purchases and ledger stay whole. Repeating it is harmless.
   */
  async erase(partnerId: number, clientId: number): Promise<ClientRecord> {
    await this.database.transaction((trx) => this.eraseIn(trx, partnerId, clientId));
    this.logger.info({ partnerId, clientId }, "client data erased on request");
    return this.view(partnerId, clientId, { reveal: true });
  }

  /** The erasure in the caller's transaction; false when the client was erased already. */
  async eraseIn(trx: Trx, partnerId: number, clientId: number): Promise<boolean> {
    const now = this.clock.now();
    const row = await this.row(trx, partnerId, clientId, true);
    if (row.status === "anonymised") return false;
    const record = this.record(row);
    if (record.phone !== null) await this.confirmations.forgetDestination(trx, "sms", record.phone);
    if (record.email !== null) await this.confirmations.forgetDestination(trx, "email", record.email);
    await updateClient(trx, clientId, { ...ERASED, status: "anonymised", anonymised_at: now }, now);
    return true;
  }

  /**
   * Re-encrypts and re-hashes every client under the current key (after PII_KEY changed and the old
   * one was moved to PII_KEY_PREVIOUS). Safe to interrupt and run again. Returns how many changed.
   */
  async rekey(batch = 500): Promise<number> {
    let changed = 0;
    let after = 0;
    for (;;) {
      const rows = await clientsAfter(this.database.db, after, batch);
      if (rows.length === 0) return changed;
      after = rows[rows.length - 1]!.id;
      const stale = rows.filter(
        (r) =>
          (r.phone_enc !== null && !this.cipher.isCurrent(r.phone_enc)) ||
          (r.email_enc !== null && !this.cipher.isCurrent(r.email_enc)),
      );
      if (stale.length === 0) continue;
      await this.database.transaction(async (trx) => {
        for (const row of stale) {
          const record = this.record(row);
          const sealed = this.seal({
            loginKind: (row.login_kind ?? "phone") as "phone" | "email",
            phone: record.phone,
            email: record.email,
          });
          await updateClient(
            trx,
            row.id,
            {
              login_hash: row.login_hash === null ? null : sealed.loginHash,
              phone_hash: sealed.phoneHash,
              phone_enc: sealed.phoneEnc,
              email_hash: sealed.emailHash,
              email_enc: sealed.emailEnc,
            },
            row.updated_at ?? row.created_at,
          );
        }
      });
      changed += stale.length;
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The client (masked: this answers the till) and the client's cards. */
  private async withCards(partnerId: number, clientId: number) {
    const client = masked(this.record(await this.row(this.database.db, partnerId, clientId)));
    return { client, cards: (await cardsOfClient(this.database.db, partnerId, clientId)).map(cardSummary) };
  }

  private async row(db: Executor, partnerId: number, clientId: number, lock = false): Promise<ClientRow> {
    const row = lock
      ? await this.database
          .forUpdate(
            (db as Trx)
              .selectFrom("clients")
              .selectAll()
              .where("partner_id", "=", partnerId)
              .where("id", "=", clientId),
          )
          .executeTakeFirst()
      : await findClient(db, partnerId, clientId);
    if (!row) throw new DomainError("CLIENT_NOT_FOUND", "no such client", { field: "clientId" });
    return row;
  }

  /** A client that still exists as a person: not erased, not merged away. */
  private async live(db: Executor, partnerId: number, clientId: number, lock = false): Promise<ClientRow> {
    const row = await this.row(db, partnerId, clientId, lock);
    if (row.status === "anonymised" || row.status === "merged") {
      throw new DomainError("CLIENT_NOT_FOUND", `the client was ${row.status}`, {
        field: "clientId",
        status: row.status,
      });
    }
    return row;
  }

  private record(row: ClientRow): ClientRecord {
    return {
      id: row.id,
      status: row.status ?? "registered",
      name: row.name,
      phone: row.phone_enc ? this.cipher.decrypt(row.phone_enc) : null,
      email: row.email_enc ? this.cipher.decrypt(row.email_enc) : null,
      birthDate: row.birth_date,
      consents: row.consents === null ? null : (JSON.parse(row.consents) as Consents),
      confirmed: row.confirmed_at !== null,
      mergedInto: row.merged_into,
      externalId: row.external_id,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: row.updated_at === null ? null : new Date(row.updated_at).toISOString(),
    };
  }
}

const ERASED: ClientChange = {
  name: null,
  birth_date: null,
  consents: null,
  login_hash: null,
  phone_hash: null,
  phone_enc: null,
  email_hash: null,
  email_enc: null,
  phone_confirmed_at: null,
  email_confirmed_at: null,
  external_id: null,
};
