/**
 * The cashier's receipt as an explicit state machine (Artix's flow of external loyalty systems). Pure: a
 * state and an event give the next state or a refusal that names the rule; no I/O, no clock. The session
 * (`receipt-session.ts`) sends the requests and feeds their outcomes back as events.
 *
 * Modes: `goods` (lines, card, promo codes), `payment` (priced by the server, points may be spent),
 * `printing` (confirm-then-print order: the server confirmed, the fiscal receipt is being printed) and
 * `closed` (the fiscal receipt is printed). A request in flight is `pending`: until its outcome arrives
 * nothing else is accepted.
 *
 * The rules of seed 002: a card that fails to load is not added; an error before payment blocks payment
 * (remove the card to pay); a cashier message from calculate keeps goods mode, and proceeding again with
 * the same receipt goes on; an error going back to goods keeps payment mode; after the fiscal receipt the
 * confirm is the outbox's job. Seed 004's order (confirm, then print only on success) is `confirm-then-print`.
 */
import type { CashierMessage, ConfirmView, FiscalData, PurchaseView } from "./types.js";

export type SaleOrder = "print-then-confirm" | "confirm-then-print";
export const SALE_ORDERS: readonly SaleOrder[] = ["print-then-confirm", "confirm-then-print"];

export interface ReceiptLine {
  lineId: string;
  sku?: string;
  barcode?: string;
  /** For the screen and the printed receipt only. */
  name?: string;
  /** Thousandths of a unit. */
  quantity: number;
  /** Unit price, kopecks. */
  price: number;
}

export interface LoadedCard {
  number: string;
  /** The card group that made it a loyalty card. */
  group: string;
  programCode: string | null;
  status: string;
  level: string | null;
  balance: { active: number; pending: number; held: number; available: number };
  clientId: number | null;
  /** Coupons the loyalty system reported for the card (none yet in Kopilka's API). */
  coupons: readonly string[];
}

export interface Problem {
  code: string;
  message: string;
  retryable: boolean;
}

export type Mode = "goods" | "payment" | "printing" | "closed";
export type Pending = "card" | "calculate" | "points" | "cancel" | "submit";
/** Where the confirm of a closed receipt stands (the outbox delivers it). */
export type Delivery = "none" | "queued" | "confirmed" | "hanging" | "failed";

export interface ReceiptState {
  readonly order: SaleOrder;
  readonly mode: Mode;
  readonly pending: Pending | null;
  /** Bumped by each cancel: the next calculation is a new purchase on the server. */
  readonly attempt: number;
  readonly lines: readonly ReceiptLine[];
  readonly card: LoadedCard | null;
  readonly promoCodes: readonly string[];
  /** The server's last pricing, valid for the receipt whose fingerprint is `calculatedFor`. */
  readonly calculation: PurchaseView | null;
  readonly calculatedFor: string | null;
  /** Messages for the cashier, shown in goods mode; `noticeFor` is the receipt they were shown for. */
  readonly notice: readonly CashierMessage[];
  readonly noticeFor: string | null;
  /** Why payment is refused until the card is removed or a calculation succeeds. */
  readonly paymentBlocked: Problem | null;
  readonly lastProblem: Problem | null;
  readonly fiscal: FiscalData | null;
  /** confirm-then-print: the server's confirm, before the receipt is printed. */
  readonly confirmed: ConfirmView | null;
  readonly delivery: Delivery;
}

export type ReceiptEvent =
  | { type: "LINE_ADDED"; line: ReceiptLine }
  | { type: "LINE_REMOVED"; lineId: string }
  | { type: "QUANTITY_SET"; lineId: string; quantity: number }
  | { type: "CARD_REQUESTED" }
  | { type: "CARD_LOADED"; card: LoadedCard }
  | { type: "CARD_FAILED"; problem: Problem }
  | { type: "CARD_REMOVED" }
  | { type: "PROMO_ADDED"; code: string }
  | { type: "PROMO_REMOVED"; code: string }
  | { type: "CALCULATE_REQUESTED" }
  | { type: "CALCULATED"; view: PurchaseView; showMessages: boolean }
  | { type: "CALCULATE_FAILED"; problem: Problem }
  | { type: "PAYMENT_REQUESTED" }
  | { type: "POINTS_REQUESTED" }
  | { type: "POINTS_APPLIED"; view: PurchaseView }
  | { type: "POINTS_FAILED"; problem: Problem }
  | { type: "BACK_REQUESTED" }
  | { type: "BACK_DONE" }
  | { type: "BACK_FAILED"; problem: Problem }
  | { type: "SUBMIT_REQUESTED" }
  | { type: "SUBMITTED"; view: ConfirmView }
  | { type: "SUBMIT_FAILED"; problem: Problem }
  | { type: "FISCAL_PRINTED"; fiscal: FiscalData }
  | { type: "PRINT_FAILED" }
  | { type: "DELIVERY"; delivery: Exclude<Delivery, "none" | "queued"> };

export type Transition = { ok: true; state: ReceiptState } | { ok: false; reason: string };

export const MAX_PROMO_CODES = 10;

export function initialReceipt(order: SaleOrder): ReceiptState {
  return {
    order,
    mode: "goods",
    pending: null,
    attempt: 1,
    lines: [],
    card: null,
    promoCodes: [],
    calculation: null,
    calculatedFor: null,
    notice: [],
    noticeFor: null,
    paymentBlocked: null,
    lastProblem: null,
    fiscal: null,
    confirmed: null,
    delivery: "none",
  };
}

/** The receipt as the server prices it: lines, card and promo codes. */
export function fingerprint(state: Pick<ReceiptState, "lines" | "card" | "promoCodes">): string {
  return JSON.stringify([
    state.lines.map((l) => [l.lineId, l.sku ?? null, l.barcode ?? null, l.quantity, l.price]),
    state.card?.number ?? null,
    state.promoCodes,
  ]);
}

/** The loyalty system takes part: a loyalty card, or a promo code, is on the receipt. */
export function loyaltyInvolved(state: Pick<ReceiptState, "card" | "promoCodes">): boolean {
  return state.card !== null || state.promoCodes.length > 0;
}

const COMPLETES: Record<Pending, readonly ReceiptEvent["type"][]> = {
  card: ["CARD_LOADED", "CARD_FAILED"],
  calculate: ["CALCULATED", "CALCULATE_FAILED"],
  points: ["POINTS_APPLIED", "POINTS_FAILED"],
  cancel: ["BACK_DONE", "BACK_FAILED"],
  submit: ["SUBMITTED", "SUBMIT_FAILED"],
};

const refuse = (reason: string): Transition => ({ ok: false, reason });
const to = (state: ReceiptState, change: Partial<ReceiptState>): Transition => ({
  ok: true,
  state: { ...state, ...change },
});

function validLine(line: ReceiptLine): string | null {
  if (!line.lineId) return "a line needs a lineId";
  if (!line.sku && !line.barcode) return "a line needs a SKU or a barcode";
  if (!Number.isInteger(line.quantity) || line.quantity < 1) return "quantity is a positive integer";
  if (!Number.isInteger(line.price) || line.price < 0) return "price is a non-negative integer";
  return null;
}

/** Back in goods mode with the server's purchase gone (cancelled): the next calculation is a new one. */
function freshPurchase(state: ReceiptState): Partial<ReceiptState> {
  return {
    mode: "goods",
    pending: null,
    attempt: state.attempt + 1,
    calculation: null,
    calculatedFor: null,
    notice: [],
    noticeFor: null,
    confirmed: null,
  };
}

export function next(state: ReceiptState, event: ReceiptEvent): Transition {
  if (state.pending !== null) {
    if (!COMPLETES[state.pending].includes(event.type))
      return refuse(`waiting for the ${state.pending} answer`);
  } else if (Object.values(COMPLETES).some((types) => types.includes(event.type))) {
    return refuse(`${event.type} answers no request`);
  }
  const inGoods = state.mode === "goods";
  switch (event.type) {
    case "LINE_ADDED": {
      if (!inGoods) return refuse("lines change in goods mode only");
      const problem = validLine(event.line);
      if (problem) return refuse(problem);
      if (state.lines.some((l) => l.lineId === event.line.lineId)) return refuse("lineId already used");
      return to(state, { lines: [...state.lines, event.line], notice: [] });
    }
    case "LINE_REMOVED":
      if (!inGoods) return refuse("lines change in goods mode only");
      if (!state.lines.some((l) => l.lineId === event.lineId)) return refuse("no such line");
      return to(state, { lines: state.lines.filter((l) => l.lineId !== event.lineId), notice: [] });
    case "QUANTITY_SET":
      if (!inGoods) return refuse("lines change in goods mode only");
      if (!Number.isInteger(event.quantity) || event.quantity < 1)
        return refuse("quantity is a positive integer");
      if (!state.lines.some((l) => l.lineId === event.lineId)) return refuse("no such line");
      return to(state, {
        lines: state.lines.map((l) => (l.lineId === event.lineId ? { ...l, quantity: event.quantity } : l)),
        notice: [],
      });
    case "CARD_REQUESTED":
      if (!inGoods) return refuse("a card is added in goods mode");
      if (state.card) return refuse("the receipt already has a card");
      return to(state, { pending: "card" });
    case "CARD_LOADED":
      return to(state, { pending: null, card: event.card, lastProblem: null, notice: [] });
    case "CARD_FAILED":
      return to(state, { pending: null, lastProblem: event.problem });
    case "CARD_REMOVED":
      if (!inGoods) return refuse("a card is removed in goods mode");
      if (!state.card) return refuse("the receipt has no card");
      return to(state, { card: null, paymentBlocked: null, notice: [] });
    case "PROMO_ADDED":
      if (!inGoods) return refuse("promo codes are added in goods mode");
      if (!event.code.trim()) return refuse("an empty promo code");
      if (state.promoCodes.includes(event.code)) return refuse("promo code already on the receipt");
      if (state.promoCodes.length >= MAX_PROMO_CODES) return refuse("too many promo codes");
      return to(state, { promoCodes: [...state.promoCodes, event.code], notice: [] });
    case "PROMO_REMOVED":
      if (!inGoods) return refuse("promo codes are removed in goods mode");
      if (!state.promoCodes.includes(event.code)) return refuse("no such promo code");
      return to(state, {
        promoCodes: state.promoCodes.filter((c) => c !== event.code),
        paymentBlocked: null,
        notice: [],
      });
    case "CALCULATE_REQUESTED":
      if (!inGoods) return refuse("the receipt is priced from goods mode");
      if (state.lines.length === 0) return refuse("the receipt has no lines");
      if (!loyaltyInvolved(state)) return refuse("no loyalty card or promo code: nothing to price");
      return to(state, { pending: "calculate" });
    case "CALCULATED": {
      const fp = fingerprint(state);
      const show = event.showMessages && event.view.messages.length > 0 && state.noticeFor !== fp;
      return to(state, {
        pending: null,
        calculation: event.view,
        calculatedFor: fp,
        paymentBlocked: null,
        lastProblem: null,
        ...(show
          ? { mode: "goods", notice: event.view.messages, noticeFor: fp }
          : { mode: "payment", notice: [] }),
      });
    }
    case "CALCULATE_FAILED":
      return to(state, {
        pending: null,
        calculation: null,
        calculatedFor: null,
        paymentBlocked: event.problem,
        lastProblem: event.problem,
      });
    case "PAYMENT_REQUESTED":
      if (!inGoods) return refuse("payment starts from goods mode");
      if (state.lines.length === 0) return refuse("the receipt has no lines");
      if (!loyaltyInvolved(state))
        return to(state, { mode: "payment", calculation: null, calculatedFor: null, notice: [] });
      // The cashier read the message and proceeds with the receipt it was given for: no second request.
      if (
        state.paymentBlocked === null &&
        state.calculation !== null &&
        state.calculatedFor === fingerprint(state) &&
        state.noticeFor === state.calculatedFor
      )
        return to(state, { mode: "payment", notice: [] });
      return refuse("a loyalty receipt goes to payment through calculate");
    case "POINTS_REQUESTED":
      if (state.mode !== "payment") return refuse("points are spent in payment mode");
      if (!state.card || !state.calculation) return refuse("spending points needs a priced loyalty card");
      return to(state, { pending: "points" });
    case "POINTS_APPLIED":
      return to(state, { pending: null, calculation: event.view, lastProblem: null });
    case "POINTS_FAILED":
      return to(state, { pending: null, lastProblem: event.problem });
    case "BACK_REQUESTED":
      if (state.mode !== "payment") return refuse("back to goods from payment mode only");
      if (state.calculation === null) return to(state, { mode: "goods", notice: [] });
      return to(state, { pending: "cancel" });
    case "BACK_DONE":
      return to(state, { ...freshPurchase(state), lastProblem: null });
    case "BACK_FAILED":
      return to(state, { pending: null, lastProblem: event.problem });
    case "SUBMIT_REQUESTED":
      if (state.order !== "confirm-then-print") return refuse("this till prints first and confirms after");
      if (state.mode !== "payment") return refuse("the sale is sent from payment mode");
      if (state.calculation === null) return to(state, { mode: "printing" });
      return to(state, { pending: "submit" });
    case "SUBMITTED":
      return to(state, {
        pending: null,
        mode: "printing",
        confirmed: event.view,
        delivery: "confirmed",
        lastProblem: null,
      });
    case "SUBMIT_FAILED":
      return to(state, { pending: null, lastProblem: event.problem });
    case "FISCAL_PRINTED":
      if (state.order === "print-then-confirm") {
        if (state.mode !== "payment") return refuse("the fiscal receipt is printed from payment mode");
        return to(state, {
          mode: "closed",
          fiscal: event.fiscal,
          delivery: state.calculation ? "queued" : "none",
        });
      }
      if (state.mode !== "printing")
        return refuse("the fiscal receipt is printed after the server confirmed");
      return to(state, { mode: "closed", fiscal: event.fiscal });
    case "PRINT_FAILED":
      if (state.order !== "confirm-then-print" || state.mode !== "printing")
        return refuse("only a confirmed, unprinted sale can fail to print");
      return to(state, { ...freshPurchase(state), delivery: "none" });
    case "DELIVERY":
      if (state.mode !== "closed" || state.delivery === "none") return refuse("nothing is being delivered");
      return to(state, { delivery: event.delivery });
  }
}
