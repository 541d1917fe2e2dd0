/**
 * PharmApi's sale semantics over the shared purchase engine. The facade (api/pharmapi) validates and
 * converts the protocol's JSON (rubles to kopecks, counts to thousandths, DataMatrix to GTIN) and formats
 * the answers; this service resolves the pharmacy and the card, calls the purchase commands and keeps the
 * facade's records:
 *
 * - get_discount is a calculate of a new purchase; each discounted line gets a transaction code mapped to
 *   its line id. A new get_discount of the same POS for the same card replaces that POS's earlier
 *   calculations that nothing was confirmed of: they are cancelled (releasing their limit holds) and their
 *   codes refused from then on, so a cashier who recalculates never meets their own earlier attempt. The
 *   replacement, the calculation and its codes are one soft transaction, the calculation's own;
 * - confirm_purchase and cancel_purchase are confirm and cancel naming the codes' lines: they alternate
 *   within the program's window from the calculation, the last successful call winning, and a repeat of
 *   the last one is a replay. A program may demand all codes of a calculation at once.
 *
 * Answers carry PharmApi's codes: top-level 1, 101, 5, 6, 106 and line codes from the discount program;
 * confirm and cancel failures use the codes in CONFIRM_CODES (our own: the protocol defines none).
 */
import type { Database } from "../../infra/db/database.js";
import { type Clock, DomainError, type Principal, randomHex } from "../../kernel/index.js";
import type { ClientService } from "../clients/index.js";
import type { CompiledDiscountProgram, DiscountProgramService } from "../discount-programs/index.js";
import type { CalculationScope, PurchaseService } from "../purchases/index.js";
import type { StoreDirectory, StoreRecord } from "../stores/index.js";
import type { PharmApiCaller } from "./credentials.js";
import {
  calculationsInForce,
  cancelledOnReplace,
  committedCalculationsInForce,
  completeRegistration,
  linesOfCodes,
  lockPosCard,
  markSuperseded,
  newTransactionCode,
  pendingRegistration,
  recordCalculation,
  recordRegistration,
  trustKeyAccepted,
} from "./state.js";

/** Top-level codes of get_discount (protocol) and of our own refusals (not in the protocol). */
export const TOP_CODES = {
  OK: 0,
  CARD_NOT_FOUND: 1,
  CARD_DISABLED: 101,
  PHONE_NOT_FOUND: 5,
  PARAMS_NOT_VALID: 6,
  UNKNOWN_BARCODES: 106,
  VALIDATION: 400,
  PHARMACY_NOT_FOUND: 20,
  PHARMACY_DISABLED: 21,
} as const;

/** Codes of confirm_purchase / cancel_purchase / register / confirm_code failures (ours). */
export const CONFIRM_CODES = {
  UNKNOWN_TRANSACTION: 201,
  WINDOW_CLOSED: 202,
  SUPERSEDED: 203,
  CARD_MISMATCH: 204,
  PARTIAL_SET: 205,
  LIMIT_EXHAUSTED: 206,
  TRUST_KEY: 207,
  REFUSED: 208,
  OTHER_PHARMACY: 209,
  REGISTRATION_OFF: 301,
  PHONE_TAKEN: 302,
  CARD_NOT_ATTACHABLE: 303,
  DELIVERY_FAILED: 304,
  TOO_MANY_CODES: 305,
  WRONG_CODE: 306,
  NO_PENDING_CODE: 307,
} as const;

/** How long a register waits for its confirm_code (the confirmations module's code lives shorter). */
const REGISTRATION_HORIZON_MS = 86_400_000;

export interface PosContext {
  caller: PharmApiCaller;
  posId: string;
  pharmacyId: string | null;
}

export interface DiscountLineRequest {
  /** The GTIN/EAN the line names (from qr_code when present); null: a line without a code. */
  barcode: string | null;
  /** Thousandths of a pack. */
  quantity: number;
  /** Kopecks per pack. */
  price: number;
}

export interface DiscountLineAnswer {
  code: number;
  message: string;
  name: string | null;
  discount: number;
  type: "percent" | "cash" | null;
  program: string | null;
  programName: string | null;
  transaction: string | null;
}

export interface DiscountAnswer {
  errorCode: number;
  message: string;
  description: string | null;
  lines: DiscountLineAnswer[];
}

export interface Outcome {
  errorCode: number;
  message: string;
  /** register with the partner's trust_key: the confirmation code, for confirm_code. */
  code?: string;
}

const DEFAULT_DESCRIPTION = "Скидка рассчитана по программе производителя";
/** How far back earlier calculations may still be in force (well beyond any confirm window). */
const SUPERSEDE_HORIZON_MS = 7 * 86_400_000;

const ok = (message: string): Outcome => ({ errorCode: 0, message });
const fail = (errorCode: number, message: string): Outcome => ({ errorCode, message });

export class PharmApiService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly stores: StoreDirectory,
    private readonly purchases: PurchaseService,
    private readonly discounts: DiscountProgramService,
    private readonly clients: ClientService,
  ) {}

  /** The pharmacy of a POS call: `pharmacy_id` when sent (it wins), else the store the POS id is bound to. */
  async pharmacy(ctx: PosContext): Promise<StoreRecord | Outcome> {
    const store =
      ctx.pharmacyId !== null
        ? await this.stores.byCode(ctx.caller.partnerId, ctx.pharmacyId)
        : await this.stores.byPosId(ctx.caller.partnerId, ctx.posId);
    if (!store)
      return fail(
        TOP_CODES.PHARMACY_NOT_FOUND,
        "Аптека не найдена: передайте pharmacy_id или загрузите список аптек с pos_ids",
      );
    if (!store.active)
      return fail(TOP_CODES.PHARMACY_DISABLED, "Аптека отключена и не обслуживает покупателей");
    return store;
  }

  private principal(ctx: PosContext, storeId: number): Principal {
    return {
      credentialId: 0,
      partnerId: ctx.caller.partnerId,
      storeId,
      login: `pharmapi:${ctx.caller.credentialId}`,
    };
  }

  /**
   * The cards in usable discount programs, active, of the clients registered with this phone (register
   * binds a phone to a card); the first is the one get_discount uses. Empty for an unknown phone.
   */
  private async discountCardsOfPhone(partnerId: number, phone: string): Promise<string[]> {
    if (phone === "") return [];
    const programs = new Set((await this.discounts.usablePrograms(partnerId)).map((p) => p.definition.code));
    const found: string[] = [];
    for (const client of await this.clients.findByContact(partnerId, { phone })) {
      for (const card of await this.clients.cards(partnerId, client.id))
        if (card.status === "active" && programs.has(card.programCode)) found.push(card.number);
    }
    return found;
  }

  /** The discount programs usable at this pharmacy (its partner's, offered ones; the store filter applied). */
  async programsAt(ctx: PosContext, store: StoreRecord): Promise<CompiledDiscountProgram[]> {
    const all = await this.discounts.usablePrograms(ctx.caller.partnerId);
    return all.filter(
      (p) =>
        (!p.definition.partners || p.definition.partners.includes(ctx.caller.partnerCode)) &&
        (!p.definition.stores || p.definition.stores.includes(store.code)),
    );
  }

  async getDiscount(
    ctx: PosContext,
    request: { cardNumber: string | null; phoneNumber: string | null; lines: DiscountLineRequest[] },
  ): Promise<DiscountAnswer> {
    const noLines = (errorCode: number, message: string): DiscountAnswer => ({
      errorCode,
      message,
      description: null,
      lines: [],
    });
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return noLines(store.errorCode, store.message);
    const cardNumber =
      request.cardNumber ??
      (await this.discountCardsOfPhone(ctx.caller.partnerId, request.phoneNumber ?? ""))[0] ??
      null;
    if (cardNumber === null)
      return noLines(
        TOP_CODES.PHONE_NOT_FOUND,
        "Телефон не зарегистрирован в программе: используйте номер карты",
      );
    const lookup = await this.discounts.cardOnFirstUse(ctx.caller.partnerId, cardNumber);
    if (lookup.kind === "unknown") return noLines(TOP_CODES.CARD_NOT_FOUND, "Карта не найдена");
    if (lookup.kind === "inactive") return noLines(TOP_CODES.CARD_DISABLED, "Карта недействительна");
    const card = lookup.card;
    if (card.status === "blocked") return noLines(TOP_CODES.CARD_DISABLED, "Карта заблокирована");
    const program = (await this.discounts.usablePrograms(ctx.caller.partnerId)).find(
      (p) => p.programId === card.programId,
    );
    if (!program) return noLines(TOP_CODES.CARD_NOT_FOUND, "Карта не участвует в программах скидок");
    const description = program.settings.description ?? DEFAULT_DESCRIPTION;

    const answers: DiscountLineAnswer[] = request.lines.map(() => ({
      code: 101,
      message: "Не указан штрихкод",
      name: null,
      discount: 0,
      type: null,
      program: null,
      programName: null,
      transaction: null,
    }));
    const coded = request.lines.flatMap((l, i) =>
      l.barcode
        ? [{ lineId: String(i + 1), barcode: l.barcode, quantity: l.quantity, price: l.price, index: i }]
        : [],
    );
    if (request.lines.length === 0)
      return { errorCode: 0, message: "Карта действительна", description, lines: [] };

    // One transaction: the earlier calculations this one replaces are cancelled (their holds released)
    // and superseded, the purchase is calculated with its holds reserved, and its codes are recorded. Soft,
    // like every calculation: a crash loses all of it or nothing, and the earlier codes then stay valid.
    const now = this.clock.now();
    const principal = this.principal(ctx, store.id);
    const replace = (scope: CalculationScope) =>
      this.supersede(scope, ctx, principal, store, card.number, now);
    if (coded.length === 0) {
      await this.purchases.softTransaction(replace);
      return { ...rollUp(answers, request.lines), description };
    }
    // Pricing runs before the transaction: the holds of the calculations it will replace do not count.
    const earlier = await committedCalculationsInForce(
      this.database,
      ctx.caller.partnerId,
      ctx.posId,
      card.number,
      now - SUPERSEDE_HORIZON_MS,
    );
    // Time first: new ids go to the end of the purchases' unique index instead of a random page of it.
    const purchaseId = `pharmapi-${now.toString(36).padStart(9, "0")}-${randomHex(12)}`;
    let codes = new Map<string, string>();
    const view = await this.purchases.calculate(
      principal,
      {
        purchaseId,
        posCode: ctx.posId,
        storeCode: store.code,
        cardNumber: card.number,
        lines: coded.map((l) => ({
          lineId: l.lineId,
          barcode: l.barcode,
          quantity: l.quantity,
          price: l.price,
        })),
      },
      {
        card,
        releasing: earlier.flatMap((c) => (cancelledOnReplace(c, store.id) ? [c.purchase.id] : [])),
        before: replace,
        after: async (scope, calculated) => {
          // Codes are drawn anew when the transaction is retried: only the committed ones are answered.
          codes = new Map();
          coded.forEach((l, k) => {
            const priced = calculated.lines[k]!;
            if (priced.discount > 0 && (priced.programLine?.code ?? 1) === 0)
              codes.set(l.lineId, newTransactionCode(now));
          });
          await recordCalculation(
            scope.trx,
            {
              partnerId: ctx.caller.partnerId,
              purchaseExternalId: purchaseId,
              programId: program.programId,
              storeId: store.id,
              posId: ctx.posId,
              cardNumber: card.number,
              codes,
            },
            now,
          );
        },
      },
    );
    coded.forEach((l, k) => {
      const priced = view.lines[k]!;
      const verdict = priced.programLine;
      const answer = answers[l.index]!;
      answer.code = verdict?.code ?? 1;
      answer.message = verdict?.message ?? "Товар не участвует в программе";
      answer.name = verdict?.name ?? null;
      answer.type = verdict?.type ?? null;
      if (answer.name !== null) {
        answer.program = program.definition.code;
        answer.programName = program.definition.name;
      }
      const transaction = codes.get(l.lineId);
      if (transaction !== undefined) {
        answer.discount = priced.discount;
        answer.transaction = transaction;
      } else if (answer.code === 0) {
        // A line the program accepts but that gets nothing (a zero price) is a line error for the POS.
        answer.code = 6;
        answer.message = "Скидка не предоставляется: цена уже не выше цены по программе";
      }
    });
    return { ...rollUp(answers, request.lines), description };
  }

  /**
   * In the new calculation's transaction: the earlier calculations of this POS for the card that nothing
   * was confirmed of are cancelled (their holds released) and superseded, so their codes are refused.
   */
  private async supersede(
    scope: CalculationScope,
    ctx: PosContext,
    principal: Principal,
    store: StoreRecord,
    cardNumber: string,
    now: number,
  ): Promise<void> {
    await lockPosCard(scope.trx, ctx.caller.partnerId, ctx.posId, cardNumber);
    const earlier = await calculationsInForce(
      scope.trx,
      ctx.caller.partnerId,
      ctx.posId,
      cardNumber,
      now - SUPERSEDE_HORIZON_MS,
    );
    for (const calc of earlier) {
      if (cancelledOnReplace(calc, store.id)) {
        await scope.cancel(principal, calc.purchaseExternalId);
        await markSuperseded(scope.trx, calc.id, now);
      } else if (calc.purchase?.storeId === store.id && calc.purchase.state === "expired") {
        // An expired one has nothing left to cancel; superseding it refuses its codes all the same.
        await markSuperseded(scope.trx, calc.id, now);
      }
    }
  }

  /** get_programs: the discount programs usable at the pharmacy. */
  async programs(ctx: PosContext): Promise<{ code: string; name: string }[] | Outcome> {
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return store;
    return (await this.programsAt(ctx, store)).map((p) => ({
      code: p.definition.code,
      name: p.definition.name,
    }));
  }

  /** get_products: the products of those programs (a product in two programs is listed once). */
  async products(ctx: PosContext): Promise<{ barcode: string; description: string }[] | Outcome> {
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return store;
    const seen = new Map<string, string>();
    for (const p of await this.programsAt(ctx, store))
      for (const item of p.definition.items) if (!seen.has(item.barcode)) seen.set(item.barcode, item.name);
    return [...seen].map(([barcode, description]) => ({ barcode, description }));
  }

  /**
   * register: issue the card to a customer and bind their phone, on the clients module's registration
   * (the program's registration settings: by default the phone confirmed with an SMS code that the POS
   * passes to confirm_code). A per-program option: a program without it answers the protocol's fixed
   * refusal, as every program of the public PharmApi service does. A `trust_key`, when sent, must be the
   * partner's: the pharmacy vouches for the phone, so no SMS is sent and the answer carries the `code` to
   * pass to confirm_code (the protocol's trusted registration).
   */
  async register(
    ctx: PosContext,
    request: { cardNumber: string; phoneNumber: string; trustKey: string | null },
  ): Promise<Outcome> {
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return store;
    const lookup = await this.discounts.cardOnFirstUse(ctx.caller.partnerId, request.cardNumber);
    if (lookup.kind === "unknown") return fail(TOP_CODES.CARD_NOT_FOUND, "Карта не найдена");
    if (lookup.kind === "inactive") return fail(TOP_CODES.CARD_DISABLED, "Карта недействительна");
    const program = (await this.programsAt(ctx, store)).find((p) => p.programId === lookup.card.programId);
    if (!program?.settings.registration) return registrationRefused();
    if (
      request.trustKey !== null &&
      !(await trustKeyAccepted(this.database.db, ctx.caller.partnerId, request.trustKey))
    )
      return fail(CONFIRM_CODES.TRUST_KEY, "Неверный trust_key");
    const trusted = request.trustKey !== null;
    try {
      const outcome = await this.clients.register(
        this.principal(ctx, store.id),
        {
          programCode: program.definition.code,
          phone: request.phoneNumber,
          cardNumber: request.cardNumber,
          // The pharmacist takes the customer's consent at the till before registering the card.
          consents: { personalData: true },
        },
        { handOverCode: trusted },
      );
      if (outcome.status === "registered") return ok("Карта зарегистрирована");
      await recordRegistration(
        this.database.db,
        ctx.caller.partnerId,
        ctx.posId,
        outcome.confirmation.confirmationId,
        this.clock.now(),
      );
      const code = outcome.confirmation.code;
      if (code !== undefined)
        return { ...ok("Код подтверждения в ответе: передайте его методом confirm_code"), code };
      return ok("Код подтверждения отправлен по SMS: передайте его методом confirm_code");
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return registrationFailure(error);
    }
  }

  /** confirm_code: the SMS code of this POS's latest register; a program without registration refuses. */
  async confirmCode(ctx: PosContext, code: string): Promise<Outcome> {
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return store;
    const now = this.clock.now();
    const pending = await pendingRegistration(
      this.database.db,
      ctx.caller.partnerId,
      ctx.posId,
      now - REGISTRATION_HORIZON_MS,
    );
    if (!pending) {
      const offered = (await this.programsAt(ctx, store)).some((p) => p.settings.registration);
      return offered
        ? fail(CONFIRM_CODES.NO_PENDING_CODE, "Нет регистрации, ожидающей кода: вызовите register")
        : registrationRefused();
    }
    try {
      await this.clients.confirmRegistration(this.principal(ctx, store.id), pending.confirmationId, code);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return registrationFailure(error);
    }
    await completeRegistration(this.database.db, pending.id, now);
    return ok("Карта зарегистрирована");
  }

  confirm(
    ctx: PosContext,
    request: { cardNumber: string | null; phoneNumber: string | null; codes: string[] },
  ) {
    return this.settle(ctx, "confirm", request);
  }

  async cancel(
    ctx: PosContext,
    request: { cardNumber: string | null; phoneNumber: string | null; codes: string[]; trustKey: string },
  ): Promise<Outcome> {
    if (!(await trustKeyAccepted(this.database.db, ctx.caller.partnerId, request.trustKey)))
      return fail(CONFIRM_CODES.TRUST_KEY, "Неверный trust_key");
    return this.settle(ctx, "cancel", request);
  }

  private async settle(
    ctx: PosContext,
    command: "confirm" | "cancel",
    request: { cardNumber: string | null; phoneNumber: string | null; codes: string[] },
  ): Promise<Outcome> {
    const store = await this.pharmacy(ctx);
    if (!("id" in store)) return store;
    const codes = [...new Set(request.codes)];
    const lines = await linesOfCodes(this.database.db, ctx.caller.partnerId, codes);
    const known = new Set(lines.map((l) => l.code));
    const unknown = codes.find((c) => !known.has(c));
    if (unknown !== undefined)
      return fail(CONFIRM_CODES.UNKNOWN_TRANSACTION, `Транзакция ${unknown} не найдена`);
    // By phone: the codes must be of a card of the client with this phone, as get_discount chose it.
    const cardsOfCaller =
      request.cardNumber !== null
        ? [request.cardNumber]
        : await this.discountCardsOfPhone(ctx.caller.partnerId, request.phoneNumber ?? "");
    if (lines.some((l) => !cardsOfCaller.includes(l.cardNumber)))
      return fail(CONFIRM_CODES.CARD_MISMATCH, "Номер карты не совпадает с указанным при расчёте скидки");
    if (lines.some((l) => l.storeId !== store.id))
      return fail(CONFIRM_CODES.OTHER_PHARMACY, "Транзакция рассчитана в другой аптеке");
    if (lines.some((l) => l.supersededAt !== null))
      return fail(
        CONFIRM_CODES.SUPERSEDED,
        "Расчёт заменён более поздним вызовом get_discount: подтвердите коды последнего расчёта",
      );
    const groups = new Map<number, typeof lines>();
    for (const l of lines) groups.set(l.calculationId, [...(groups.get(l.calculationId) ?? []), l]);
    const now = this.clock.now();
    const programs = new Map(
      (await this.discounts.usablePrograms(ctx.caller.partnerId)).map((p) => [p.programId, p]),
    );
    for (const group of groups.values()) {
      const first = group[0]!;
      const program = programs.get(first.programId);
      if (program?.settings.confirmAllTogether && group.length < first.codes)
        return fail(
          CONFIRM_CODES.PARTIAL_SET,
          "Программа требует подтверждать и отменять все коды расчёта вместе: сделайте новый расчёт get_discount",
        );
      const windowMs = (program?.settings.confirmWindowMinutes ?? 30) * 60_000;
      if (now > first.createdAt + windowMs) return windowClosed(program?.settings.confirmWindowMinutes ?? 30);
    }
    const principal = (storeId: number) => this.principal(ctx, storeId);
    for (const group of groups.values()) {
      const first = group[0]!;
      const lineIds = group.map((l) => l.lineId);
      try {
        if (command === "confirm")
          await this.purchases.confirm(principal(first.storeId), first.purchaseExternalId, {}, { lineIds });
        else await this.purchases.cancel(principal(first.storeId), first.purchaseExternalId, { lineIds });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return refusalOf(error, programs.get(first.programId)?.settings.confirmWindowMinutes ?? 30);
      }
    }
    return ok(command === "confirm" ? "Транзакция подтверждена" : "Транзакция отменена");
  }
}

function registrationFailure(error: DomainError): Outcome {
  switch (error.code) {
    case "CLIENT_ALREADY_EXISTS":
      return fail(CONFIRM_CODES.PHONE_TAKEN, "Этот телефон уже зарегистрирован в программе");
    case "CARD_NOT_FOUND":
    case "CARD_BLOCKED":
    case "CARD_NOT_FREE":
    case "CARD_PROGRAM_MISMATCH":
      return fail(
        CONFIRM_CODES.CARD_NOT_ATTACHABLE,
        "Карту нельзя привязать: она уже выдана или заблокирована",
      );
    case "INVALID_PHONE":
      return fail(TOP_CODES.VALIDATION, "Номер телефона указан некорректно");
    case "DELIVERY_CHANNEL_NOT_CONFIGURED":
    case "CODE_DELIVERY_FAILED":
      return fail(CONFIRM_CODES.DELIVERY_FAILED, "Не удалось отправить SMS с кодом: повторите позже");
    case "RATE_LIMITED":
      return fail(CONFIRM_CODES.TOO_MANY_CODES, "Слишком много запросов кода: повторите позже");
    case "CONFIRMATION_CODE_INVALID":
      return fail(CONFIRM_CODES.WRONG_CODE, "Неверный код подтверждения");
    case "CONFIRMATION_EXPIRED":
    case "CONFIRMATION_LOCKED":
    case "CONFIRMATION_NOT_FOUND":
      return fail(
        CONFIRM_CODES.NO_PENDING_CODE,
        "Код устарел или исчерпаны попытки: вызовите register снова",
      );
    default:
      return fail(CONFIRM_CODES.REFUSED, "Регистрация отклонена");
  }
}

function registrationRefused(): Outcome {
  return fail(CONFIRM_CODES.REGISTRATION_OFF, "Регистрация карт на кассе не используется в данной программе");
}

function windowClosed(minutes: number): Outcome {
  return fail(
    CONFIRM_CODES.WINDOW_CLOSED,
    `Время на подтверждение истекло (${minutes} минут с момента расчёта). Обратитесь в техподдержку`,
  );
}

function refusalOf(error: DomainError, windowMinutes: number): Outcome {
  switch (error.code) {
    case "CANCEL_WINDOW_CLOSED":
    case "PURCHASE_EXPIRED":
      return windowClosed(windowMinutes);
    case "DISCOUNT_LIMIT_EXHAUSTED":
      return fail(
        CONFIRM_CODES.LIMIT_EXHAUSTED,
        "Лимит по карте исчерпан другой покупкой: подтверждение невозможно",
      );
    default:
      return fail(CONFIRM_CODES.REFUSED, "Операция отклонена: сделайте новый расчёт get_discount");
  }
}

/** The top-level answer from the lines: 0 when any line got a discount, else 106 or 6 (the SDK's roll-up). */
function rollUp(
  answers: DiscountLineAnswer[],
  requested: readonly DiscountLineRequest[],
): { errorCode: number; message: string; lines: DiscountLineAnswer[] } {
  const parts = answers.map(
    (a, i) => `${a.name ?? requested[i]?.barcode ?? `Строка ${i + 1}`}: ${a.message}`,
  );
  const message = parts.join("; ");
  if (answers.some((a) => a.code === 0)) return { errorCode: 0, message, lines: answers };
  const unknownOnly = answers.every((a) => a.code === 1 || a.code === 101);
  return {
    errorCode: unknownOnly ? TOP_CODES.UNKNOWN_BARCODES : TOP_CODES.PARAMS_NOT_VALID,
    message,
    lines: answers,
  };
}
