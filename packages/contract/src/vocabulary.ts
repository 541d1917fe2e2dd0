/** The domain words every surface and client shares. */

export const PURCHASE_STATES = [
  "calculated",
  "confirmed",
  "cancelled",
  "expired",
  "hanging",
  "partially_refunded",
  "refunded",
] as const;
export type PurchaseState = (typeof PURCHASE_STATES)[number];

/**
 * State of one receipt line. Lines follow their purchase, except in discount programs, where each
 * discounted line has its own transaction code and may be confirmed or cancelled on its own.
 */
export const LINE_STATES = ["open", "confirmed", "cancelled"] as const;
export type LineState = (typeof LINE_STATES)[number];

/** Why a late confirm was kept for an operator instead of being applied. */
export const HANGING_REASONS = [
  "RECEIPT_MISMATCH",
  "POINTS_UNAVAILABLE",
  "RULES_VERSION_UNKNOWN",
  "CARD_UNUSABLE",
  "PROMO_CODE_UNAVAILABLE",
] as const;
export type HangingReason = (typeof HANGING_REASONS)[number];

/**
 * How a program treats the points a POS states on a refund. `proportional_minimum` (the default): at least
 * the proportional share of the returned goods is reversed and given back. `pos_may_state_lower`: the POS
 * may state less; every such refund is marked and reported.
 */
export const REFUND_POLICIES = ["proportional_minimum", "pos_may_state_lower"] as const;
export type RefundPolicy = (typeof REFUND_POLICIES)[number];

export const CARD_STATUSES = ["active", "blocked", "accrual_only"] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** The reports a partner downloads from the cabinet, the admin API or `kopilka report`. */
export const REPORT_KINDS = ["reconciliation", "stock", "sellout", "sales", "points"] as const;
