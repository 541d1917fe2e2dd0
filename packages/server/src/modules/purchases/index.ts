/** Purchases: the only code that writes purchases, purchase_events and refunds (through the repository). */

export { canonicalHash } from "./canonical-hash.js";
export * from "./counts.js";
export { countHanging } from "./purchase-queries.js";
export * from "./purchase-record.js";
export type { HangingPurchase, PurchaseEventListener, ReportedRefund } from "./purchase-repository.js";
export * from "./purchase-service.js";
export { linesOfReceiptText } from "./receipt-text.js";
export { type DiscountSaleLine, discountSaleLines } from "./reports.js";
export { type SimulateInput, simulate } from "./simulate.js";
export * from "./sold-purchases.js";
export type { StoreDayPage, StoreDayPurchase, StoreDayQuery } from "./store-day.js";
export * from "./sweeper.js";
