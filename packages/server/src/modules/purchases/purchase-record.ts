/** A purchase row as the service works with it, and the view every purchase endpoint answers with. */

import type { LineState, PurchaseState } from "@kopilka/contract";
import type { CashierMessage } from "../../core/engine/types.js";
import { type PricedLine, type PricedTotals, totalsOf } from "../../core/receipt.js";
import type { IssuePromoCodeInstruction } from "../../core/rules/types.js";
import type { Row } from "../../infra/db/schema.js";
import type { CardBalance } from "../points/index.js";
import { receiptOfText } from "./receipt-text.js";

export { PURCHASE_STATES, type PurchaseState } from "@kopilka/contract";

export interface StoredReceipt {
  storeCode: string;
  cardNumber: string | null;
  lines: PricedLine[];
  promoCodes: PromoCodesOfReceipt;
  messages: CashierMessage[];
  /** Personal promo codes a rule issues when the purchase is confirmed (`issue_promo_code`; cards only). */
  issueOnConfirm?: IssuePromoCodeInstruction[];
  /** Per-line states, kept once lines go their own ways (discount programs); absent: lines follow the purchase. */
  lineStates?: Record<string, LineState>;
}

/** Presented promo codes: applied, unknown, and refused with why (modules/promo-codes). */
export interface PromoCodesOfReceipt {
  applied: string[];
  unknown: string[];
  refused?: { code: string; reason: string; message: string }[];
}

/** Beside every answer of confirm, cancel and refund: where the purchase stands now. */
export interface CurrentState {
  state: PurchaseState;
}

export interface PurchaseView {
  purchaseId: string;
  state: PurchaseState;
  storeCode: string;
  posCode: string;
  cardNumber: string | null;
  expiresAt: string | null;
  confirmedAt: string | null;
  lines: PricedLine[];
  totals: PricedTotals;
  points: {
    paymentLimit: number;
    maxPayment: number;
    balance: CardBalance | null;
  };
  refunded: { amount: number; pointsReturned: number; accrualReversed: number };
  promoCodes: PromoCodesOfReceipt;
  messages: CashierMessage[];
  rulesVersion: string | null;
}

export function parseReceipt(row: Pick<Row<"purchases">, "receipt">): StoredReceipt {
  return receiptOfText(row.receipt);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** What a view shows of the row: a calculation written behind has no id yet. */
export type ViewedRow = Pick<
  Row<"purchases">,
  | "state"
  | "external_id"
  | "pos_code"
  | "expires_at"
  | "confirmed_at"
  | "points_limit"
  | "points_spent"
  | "refunded_amount"
  | "points_returned"
  | "accrual_reversed"
  | "rules_version"
>;

export function purchaseView(
  row: ViewedRow,
  receipt: StoredReceipt,
  balance: CardBalance | null,
): PurchaseView {
  const state = row.state as PurchaseState;
  const open = state === "calculated";
  // The points this purchase already holds are part of what it may use.
  const maxPayment =
    balance && open ? Math.min(row.points_limit, Math.max(0, balance.available + row.points_spent)) : 0;
  return {
    purchaseId: row.external_id,
    state,
    storeCode: receipt.storeCode,
    posCode: row.pos_code,
    cardNumber: receipt.cardNumber,
    expiresAt: open ? iso(row.expires_at) : null,
    confirmedAt: iso(row.confirmed_at),
    lines: receipt.lines,
    totals: totalsOf(receipt.lines),
    points: { paymentLimit: open ? row.points_limit : 0, maxPayment, balance },
    refunded: {
      amount: row.refunded_amount,
      pointsReturned: row.points_returned,
      accrualReversed: row.accrual_reversed,
    },
    promoCodes: receipt.promoCodes,
    messages: receipt.messages,
    rulesVersion: row.rules_version,
  };
}

/** The receipt's part for codes issued at confirm: only a card can own a personal code. */
export function issuedAtConfirm(
  card: { id: number } | null,
  instructions: readonly IssuePromoCodeInstruction[],
): Pick<StoredReceipt, "issueOnConfirm"> {
  return card && instructions.length > 0 ? { issueOnConfirm: [...instructions] } : {};
}
