/**
 * One receipt at the till: the state machine of `receipt-machine.ts` driven by the server's answers. Each
 * step returns where the receipt stands and, when a step did not go through, why (a `Problem` with the
 * server's code and the message in the configured language, or the rule that refused the step).
 *
 * Calls before the fiscal receipt are synchronous (their error keeps the mode, as seed 002 says); the
 * confirm after it goes through the outbox, which keeps it until the server answers.
 */
import { errorMessage, type Language } from "@kopilka/contract";
import { type CardGroup, cardGroupOf } from "./card-groups.js";
import type { KopilkaClient } from "./client.js";
import { isKopilkaError, isRetryable, ServerRejectedError } from "./errors.js";
import type { Outbox, OutboxItem } from "./outbox.js";
import {
  fingerprint,
  initialReceipt,
  type LoadedCard,
  loyaltyInvolved,
  next,
  type Problem,
  type ReceiptEvent,
  type ReceiptLine,
  type ReceiptState,
  type SaleOrder,
} from "./receipt-machine.js";
import type {
  CalculateRequest,
  CashierMessage,
  ConfirmOutcome,
  ConfirmView,
  FiscalData,
  LevelUpgrade,
  PrintedReceiptData,
  PromoCodeCheck,
  PurchaseView,
} from "./types.js";

export interface SessionConfig {
  storeCode: string;
  posCode: string;
  /** `print-then-confirm` (seed 002, Artix) or `confirm-then-print` (seed 004). */
  order: SaleOrder;
  /** loyalty.ini `[LoyaltySystem] allowMessagesToCashier`: false hides the messages and the flow goes on. */
  allowMessagesToCashier: boolean;
  /** Which cards are loyalty cards, and of which program. */
  cardGroups: readonly CardGroup[];
  /** The name of this loyalty system in the card groups (default `kopilka`). */
  loyaltySystem?: string;
  /** Also load the card's holder (one more call) when a card is added. */
  loadClient?: boolean;
  /** How long `afterFiscal` waits for the confirm before leaving it to the outbox (default 10 s). */
  confirmWaitMs?: number;
  /** Ask the server to move the card up a level with each confirm, when its base allows (seed 004). */
  upgradeLevelAtConfirm?: boolean;
}

export type PromoCheckStep =
  | { ok: true; state: ReceiptState; check: PromoCodeCheck }
  | { ok: false; state: ReceiptState; problem: Problem; check?: PromoCodeCheck };

export type StepResult =
  | { ok: true; state: ReceiptState }
  | { ok: false; state: ReceiptState; problem: Problem; refused?: string };

export interface PaymentStep {
  ok: boolean;
  state: ReceiptState;
  /** Messages the cashier must read before proceeding again (the till stays in goods mode). */
  messages: readonly CashierMessage[];
  problem?: Problem;
}

export interface FiscalStep {
  ok: boolean;
  state: ReceiptState;
  /** The outbox item carrying the confirm (absent for a receipt without loyalty). */
  item?: OutboxItem;
  /** The confirm's answer when it landed within the wait. */
  confirmed?: ConfirmView;
  problem?: Problem;
}

/** A failure as the cashier's screen shows it. */
export function problemOf(error: unknown, language: Language = "ru"): Problem {
  if (error instanceof ServerRejectedError)
    return { code: error.code, message: error.message, retryable: false };
  if (isKopilkaError(error)) {
    const code =
      "code" in error && typeof error.code === "string"
        ? error.code
        : error.kind === "unreachable"
          ? "UNREACHABLE"
          : error.kind === "outcome-unknown"
            ? "NO_ANSWER"
            : "UNAVAILABLE";
    return { code, message: error.message, retryable: isRetryable(error) };
  }
  return {
    code: "INTERNAL_ERROR",
    message: language === "en" ? "Unexpected error" : "Непредвиденная ошибка",
    retryable: false,
  };
}

const refused = (state: ReceiptState, reason: string): StepResult & { ok: false } => ({
  ok: false,
  state,
  refused: reason,
  problem: { code: "STEP_REFUSED", message: reason, retryable: false },
});

export class ReceiptSession {
  private current: ReceiptState;
  private readonly language: Language;

  constructor(
    private readonly client: KopilkaClient,
    private readonly outbox: Outbox,
    private readonly config: SessionConfig,
    /** The till's receipt id, unique for the partner: store, POS and receipt number, e.g. `MSK01-1-000042`. */
    readonly receiptId: string,
  ) {
    this.current = initialReceipt(config.order);
    this.language = client.language;
  }

  get state(): ReceiptState {
    return this.current;
  }

  /** The server's purchase id of this receipt now (each cancel starts a new one). */
  get purchaseId(): string {
    return `${this.receiptId}.${this.current.attempt}`;
  }

  // ── goods mode ───────────────────────────────────────────────────────────────────────────────────────

  addLine(line: ReceiptLine): StepResult {
    return this.step({ type: "LINE_ADDED", line });
  }

  removeLine(lineId: string): StepResult {
    return this.step({ type: "LINE_REMOVED", lineId });
  }

  setQuantity(lineId: string, quantity: number): StepResult {
    return this.step({ type: "QUANTITY_SET", lineId, quantity });
  }

  /**
   * Adds a card: its group says whether it is a loyalty card; the server tells its status, balance and
   * holder. On any error (unknown, blocked, another program, the server unreachable) the card is not
   * added; `problem.retryable` tells the cashier whether trying again may help; the sale goes on without it.
   */
  async addCard(number: string): Promise<StepResult> {
    const group = cardGroupOf(number, this.config.cardGroups);
    if (!group || group.loyaltySystem !== (this.config.loyaltySystem ?? "kopilka")) {
      return {
        ok: false,
        state: this.current,
        problem: {
          code: "NOT_A_LOYALTY_CARD",
          message:
            this.language === "en"
              ? "This card belongs to no loyalty card group"
              : "Карта не относится ни к одной группе карт лояльности",
          retryable: false,
        },
      };
    }
    const started = this.step({ type: "CARD_REQUESTED" });
    if (!started.ok) return started;
    try {
      const card = await this.client.card(number);
      const local = (code: "CARD_BLOCKED" | "CARD_PROGRAM_MISMATCH"): Problem => ({
        code,
        message: errorMessage(code, {}, this.language),
        retryable: false,
      });
      if (card.status === "blocked") return this.failCard(local("CARD_BLOCKED"));
      if (group.programCode && card.programCode !== group.programCode)
        return this.failCard(local("CARD_PROGRAM_MISMATCH"));
      let clientId: number | null = null;
      if (this.config.loadClient) {
        const found = await this.client.findCards(card.number);
        clientId = found.cards.find((c) => c.number === card.number)?.clientId ?? null;
      }
      const loaded: LoadedCard = {
        number: card.number,
        group: group.name,
        programCode: card.programCode,
        status: card.status,
        level: card.level,
        balance: card.balance,
        clientId,
        coupons: [],
      };
      return this.step({ type: "CARD_LOADED", card: loaded });
    } catch (error) {
      return this.failCard(problemOf(error, this.language));
    }
  }

  removeCard(): StepResult {
    return this.step({ type: "CARD_REMOVED" });
  }

  /** Adds a promo code; the server tells at `beforePayment` whether it applied (`promoCodes.unknown`). */
  addPromoCode(code: string): StepResult {
    return this.step({ type: "PROMO_ADDED", code: code.trim() });
  }

  /**
   * Asks the server about the code for this card and these lines first, and adds it only when it is
   * usable: the cashier hears at once why a code does not work (expired, used up, not for these goods)
   * instead of after payment. The check reserves nothing; calculate does.
   */
  async checkPromoCode(code: string): Promise<PromoCheckStep> {
    const state = this.current;
    if (state.mode !== "goods")
      return {
        ok: false,
        state,
        problem: { code: "STEP_REFUSED", message: "promo codes are added in goods mode", retryable: false },
      };
    try {
      const check = await this.client.checkPromoCode({
        code: code.trim(),
        ...(state.card ? { cardNumber: state.card.number } : {}),
        ...(state.lines.length
          ? {
              receipt: {
                storeCode: this.config.storeCode,
                lines: state.lines.map(({ lineId, sku, barcode, quantity, price }) => ({
                  lineId,
                  ...(sku ? { sku } : {}),
                  ...(barcode ? { barcode } : {}),
                  quantity,
                  price,
                })),
              },
            }
          : {}),
      });
      if (!check.valid)
        return {
          ok: false,
          state,
          check,
          problem: { code: check.reason, message: check.message, retryable: false },
        };
      const added = this.addPromoCode(check.code);
      return added.ok ? { ok: true, state: added.state, check } : { ...added, check };
    } catch (error) {
      return { ok: false, state, problem: problemOf(error, this.language) };
    }
  }

  /** The receipt's card against the levels: check, or with `apply` move it up now when it qualifies. */
  async levelUpgrade(
    apply: boolean,
  ): Promise<{ ok: true; upgrade: LevelUpgrade } | { ok: false; problem: Problem }> {
    const card = this.current.card;
    if (!card)
      return {
        ok: false,
        problem: { code: "STEP_REFUSED", message: "no card on the receipt", retryable: false },
      };
    try {
      return { ok: true, upgrade: await this.client.levelUpgrade(card.number, apply) };
    } catch (error) {
      return { ok: false, problem: problemOf(error, this.language) };
    }
  }

  removePromoCode(code: string): StepResult {
    return this.step({ type: "PROMO_REMOVED", code });
  }

  /**
   * Before payment: the server prices the receipt and the discounts apply. A message for the cashier keeps
   * goods mode (when messages are allowed): proceeding again with the same receipt goes to payment without
   * a second request. An error blocks payment until the card is removed (or a retry succeeds). Without a
   * loyalty card or promo code the server is not asked.
   */
  async beforePayment(): Promise<PaymentStep> {
    if (!loyaltyInvolved(this.current) || this.proceedsAfterNotice()) {
      const r = this.step({ type: "PAYMENT_REQUESTED" });
      if (r.ok) return { ok: true, state: r.state, messages: [] };
      return { ok: false, state: r.state, messages: [], problem: r.problem };
    }
    const started = this.step({ type: "CALCULATE_REQUESTED" });
    if (!started.ok) return { ok: false, state: started.state, messages: [], problem: started.problem };
    try {
      const view = await this.client.calculate(this.calculateRequest());
      const r = this.step({
        type: "CALCULATED",
        view,
        showMessages: this.config.allowMessagesToCashier,
      });
      return { ok: true, state: r.state, messages: r.state.notice };
    } catch (error) {
      const problem = problemOf(error, this.language);
      const r = this.step({ type: "CALCULATE_FAILED", problem });
      return { ok: false, state: r.state, messages: [], problem };
    }
  }

  /** The most points this receipt may be paid with now (0 without a priced loyalty card). */
  maxPointsPayment(): number {
    return this.current.card && this.current.calculation ? this.current.calculation.points.maxPayment : 0;
  }

  /**
   * Pays `amount` (hundredths of a point) with points: the server spreads it over the lines and holds it;
   * the receipt's lines take its spread as discounts. 0 takes a payment back. On error nothing changes.
   */
  async spendPoints(amount: number): Promise<StepResult> {
    const started = this.step({ type: "POINTS_REQUESTED" });
    if (!started.ok) return started;
    try {
      const view = await this.client.bonusPayment(this.purchaseId, amount);
      return this.step({ type: "POINTS_APPLIED", view });
    } catch (error) {
      const problem = problemOf(error, this.language);
      const r = this.step({ type: "POINTS_FAILED", problem });
      return { ok: false, state: r.state, problem };
    }
  }

  /**
   * Back to goods mode: the server cancels the purchase (releasing held points). Synchronous: if the cancel
   * fails, the till stays in payment mode (seed 002), and the cashier tries again.
   */
  async backToGoods(): Promise<StepResult> {
    const started = this.step({ type: "BACK_REQUESTED" });
    if (!started.ok || started.state.pending !== "cancel") return started;
    try {
      await this.client.cancel(this.purchaseId);
      return this.step({ type: "BACK_DONE" });
    } catch (error) {
      const problem = problemOf(error, this.language);
      const r = this.step({ type: "BACK_FAILED", problem });
      return { ok: false, state: r.state, problem };
    }
  }

  // ── print, then confirm (seed 002) ───────────────────────────────────────────────────────────────────

  /**
   * The fiscal receipt is printed: the confirm, with the fiscal data and the receipt as printed, is written
   * to the outbox and sent. It waits up to `confirmWaitMs` for the answer (to show the balance); if none
   * came, the outbox keeps trying and the receipt is closed anyway.
   */
  async afterFiscal(fiscal: FiscalData, receiptNumber?: string): Promise<FiscalStep> {
    const state = this.current;
    const check = next(state, { type: "FISCAL_PRINTED", fiscal });
    if (!check.ok || state.order !== "print-then-confirm") {
      const reason = check.ok ? "this till confirms before printing: use afterPrint" : check.reason;
      return { ok: false, state, problem: { code: "STEP_REFUSED", message: reason, retryable: false } };
    }
    let item: OutboxItem | undefined;
    if (state.calculation) {
      item = this.outbox.enqueue({
        kind: "confirm",
        purchaseId: this.purchaseId,
        body: {
          fiscal,
          ...(receiptNumber ? { receiptNumber } : {}),
          receipt: this.printedReceipt(),
          ...(this.config.upgradeLevelAtConfirm ? { upgradeLevel: true } : {}),
        },
      });
    }
    this.current = check.state;
    if (!item) return { ok: true, state: this.current };
    item = await this.outbox.settle(item.id, this.config.confirmWaitMs ?? this.client.timeoutOf("confirm"));
    return this.delivered(item);
  }

  /** The outbox reported on this receipt's confirm (e.g. it landed later): the state follows. */
  delivered(item: OutboxItem): FiscalStep {
    const delivery =
      item.status === "delivered"
        ? "confirmed"
        : item.status === "hanging"
          ? "hanging"
          : item.status === "pending"
            ? null
            : "failed";
    if (delivery) {
      const r = next(this.current, { type: "DELIVERY", delivery });
      if (r.ok) this.current = r.state;
    }
    return {
      ok: item.status !== "failed" && item.status !== "abandoned",
      state: this.current,
      item,
      ...(item.status === "delivered" ? { confirmed: item.answer as ConfirmView } : {}),
      ...(item.lastError && item.status !== "delivered"
        ? { problem: { code: item.lastError.split(":")[0]!, message: item.lastError, retryable: true } }
        : {}),
    };
  }

  // ── confirm, then print (seed 004) ───────────────────────────────────────────────────────────────────

  /**
   * Sends the sale to the server; print only when it succeeds. A retryable failure is tried again within
   * the confirm timeout (the call is idempotent); if it still fails the till stays in payment mode: submit
   * again, or go back to goods (which cancels, whether or not the confirm had landed).
   */
  async submit(receiptNumber?: string): Promise<StepResult & { confirmed?: ConfirmView }> {
    const started = this.step({ type: "SUBMIT_REQUESTED" });
    if (!started.ok || started.state.pending !== "submit") return started;
    const body = {
      ...(receiptNumber ? { receiptNumber } : {}),
      receipt: this.printedReceipt(),
      ...(this.config.upgradeLevelAtConfirm ? { upgradeLevel: true } : {}),
    };
    const until = Date.now() + this.client.timeoutOf("confirm");
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3 && Date.now() < until; attempt++) {
      try {
        const outcome: ConfirmOutcome = await this.client.confirm(this.purchaseId, body);
        if (outcome.kind === "hanging") {
          const problem = {
            code: outcome.view.hanging.reason,
            message: outcome.view.hanging.message,
            retryable: false,
          };
          const r = this.step({ type: "SUBMIT_FAILED", problem });
          return { ok: false, state: r.state, problem };
        }
        const r = this.step({ type: "SUBMITTED", view: outcome.view });
        return { ...r, confirmed: outcome.view };
      } catch (error) {
        lastError = error;
        if (!isRetryable(error)) break;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    const problem = problemOf(lastError, this.language);
    const r = this.step({ type: "SUBMIT_FAILED", problem });
    return { ok: false, state: r.state, problem };
  }

  /** The fiscal receipt of a confirmed sale is printed: the receipt is closed. */
  afterPrint(fiscal: FiscalData): StepResult {
    if (this.current.order !== "confirm-then-print")
      return refused(this.current, "this till prints first: use afterFiscal");
    return this.step({ type: "FISCAL_PRINTED", fiscal });
  }

  /**
   * The printer failed after the server confirmed: the confirmed purchase is cancelled through the outbox
   * (it must land, and the cashier must not wait for it) and the till is back in goods mode.
   */
  printFailed(): StepResult & { item?: OutboxItem } {
    const purchaseId = this.purchaseId;
    const hadPurchase = this.current.confirmed !== null;
    const r = this.step({ type: "PRINT_FAILED" });
    if (!r.ok || !hadPurchase) return r;
    const item = this.outbox.enqueue({ kind: "cancel", purchaseId });
    void this.outbox.deliver(item.id).catch(() => {});
    return { ...r, item };
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────────

  /** The calculate request of the receipt as it stands. */
  calculateRequest(): CalculateRequest {
    const s = this.current;
    return {
      purchaseId: this.purchaseId,
      storeCode: this.config.storeCode,
      posCode: this.config.posCode,
      ...(s.card ? { cardNumber: s.card.number } : {}),
      ...(s.promoCodes.length ? { promoCodes: [...s.promoCodes] } : {}),
      lines: s.lines.map((l) => ({
        lineId: l.lineId,
        ...(l.sku ? { sku: l.sku } : {}),
        ...(l.barcode ? { barcode: l.barcode } : {}),
        quantity: l.quantity,
        price: l.price,
      })),
    };
  }

  /** The receipt as printed, from the server's last pricing (with the points payment spread). */
  printedReceipt(): PrintedReceiptData {
    const view = this.current.calculation;
    if (!view) throw new Error("the receipt has no server pricing");
    return printedReceiptOf(view, this.config, this.current.card?.number, this.current.promoCodes);
  }

  private proceedsAfterNotice(): boolean {
    const s = this.current;
    return (
      s.mode === "goods" &&
      s.pending === null &&
      s.paymentBlocked === null &&
      s.calculation !== null &&
      s.noticeFor !== null &&
      s.calculatedFor === fingerprint(s) &&
      s.noticeFor === s.calculatedFor
    );
  }

  private failCard(problem: Problem): StepResult {
    const r = this.step({ type: "CARD_FAILED", problem });
    return { ok: false, state: r.state, problem };
  }

  private step(event: ReceiptEvent): StepResult {
    const r = next(this.current, event);
    if (!r.ok) return refused(this.current, r.reason);
    this.current = r.state;
    return { ok: true, state: r.state };
  }
}

export function printedReceiptOf(
  view: PurchaseView,
  where: { storeCode: string; posCode: string },
  cardNumber: string | undefined,
  promoCodes: readonly string[],
): PrintedReceiptData {
  return {
    ...(view.rulesVersion ? { rulesVersion: view.rulesVersion } : {}),
    storeCode: where.storeCode,
    posCode: where.posCode,
    ...(cardNumber ? { cardNumber } : {}),
    ...(promoCodes.length ? { promoCodes: [...promoCodes] } : {}),
    lines: view.lines.map((l) => ({
      lineId: l.lineId,
      ...(l.sku !== null ? { sku: l.sku } : {}),
      ...(l.barcode !== null ? { barcode: l.barcode } : {}),
      quantity: l.quantity,
      price: l.unitPrice,
      amount: l.amount,
      discount: l.discount,
      pointsPaid: l.pointsPaid,
      accrual: l.accrual,
    })),
    pointsSpent: view.totals.pointsPaid,
    pointsAccrued: view.totals.accrual,
  };
}
