/**
 * The API's shapes, taken from the contract's TypeBox schemas: a field renamed on the server changes these
 * types, and every use of the old name in the SDK (and in a till built on it) stops compiling.
 */
import type {
  AttachCardBody,
  BonusPaymentBody,
  CalculateBody,
  CancelViewSchema,
  CardList,
  CardSummaryView,
  CardView,
  ClientView,
  ConfirmationView,
  ConfirmBody,
  ConfirmViewSchema,
  HangingViewSchema,
  IdentificationResult,
  IdentifyBody,
  LedgerView,
  LevelUpgradeAnswer,
  PrintedReceipt,
  ProgramView,
  PromoCodeCheckAnswer,
  PromoCodeCheckBody,
  PurchaseDetailSchema,
  PurchaseViewSchema,
  RefundBody,
  RefundViewSchema,
  RegisterClientBody,
  RegistrationResult,
  SettingsView,
  TokenResponse,
} from "@kopilka/contract";
import type { Static } from "typebox";

export type TokenAnswer = Static<typeof TokenResponse>;
export type CalculateRequest = Static<typeof CalculateBody>;
export type ReceiptLineRequest = CalculateRequest["lines"][number];
export type BonusPaymentRequest = Static<typeof BonusPaymentBody>;
export type ConfirmRequest = Static<typeof ConfirmBody>;
export type FiscalData = NonNullable<ConfirmRequest["fiscal"]>;
export type PrintedReceiptData = Static<typeof PrintedReceipt>;
export type RefundRequest = Static<typeof RefundBody>;
export type PurchaseView = Static<typeof PurchaseViewSchema>;
export type PricedLineView = PurchaseView["lines"][number];
export type CashierMessage = PurchaseView["messages"][number];
export type ConfirmView = Static<typeof ConfirmViewSchema>;
export type HangingView = Static<typeof HangingViewSchema>;
export type CancelView = Static<typeof CancelViewSchema>;
export type RefundView = Static<typeof RefundViewSchema>;
export type PurchaseDetail = Static<typeof PurchaseDetailSchema>;
export type Card = Static<typeof CardView>;
export type CardSummary = Static<typeof CardSummaryView>;
export type CardListAnswer = Static<typeof CardList>;
export type LedgerAnswer = Static<typeof LedgerView>;
export type LedgerEntry = LedgerAnswer["entries"][number];
export type Program = Static<typeof ProgramView>;
export type Settings = Static<typeof SettingsView>;
export type RegisterClientRequest = Static<typeof RegisterClientBody>;
export type Registration = Static<typeof RegistrationResult>;
export type Identification = Static<typeof IdentificationResult>;
export type IdentifyRequest = Static<typeof IdentifyBody>;
export type Client = Static<typeof ClientView>;
export type Confirmation = Static<typeof ConfirmationView>;
export type AttachCardRequest = Static<typeof AttachCardBody>;
export type PromoCodeCheckRequest = Static<typeof PromoCodeCheckBody>;
export type PromoCodeCheck = Static<typeof PromoCodeCheckAnswer>;
export type LevelUpgrade = Static<typeof LevelUpgradeAnswer>;

/** What a confirm answered: applied (200), or kept hanging for an operator (202). */
export type ConfirmOutcome =
  | { kind: "confirmed"; view: ConfirmView; replayed: boolean }
  | { kind: "hanging"; view: HangingView; replayed: boolean };

/** An answer of an idempotent call; `replayed` when the server answered a repeat with the first answer. */
export interface Replayable<T> {
  view: T;
  replayed: boolean;
}
