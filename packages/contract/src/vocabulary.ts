/** The domain words every surface and client shares. */

export const PURCHASE_STATES = [
  "calculated",
  "confirmed",
  "cancelled",
  "expired",
  "partially_refunded",
  "refunded",
] as const;
export type PurchaseState = (typeof PURCHASE_STATES)[number];

export const CARD_STATUSES = ["active", "blocked", "accrual_only"] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];
