/**
 * The stats module's tables (migration 0010), added to the database's schema type from here so that the
 * module that alone writes them also declares them.
 */

/** Figures of the purchases of one UTC hour, store (0: all stores) and program (0: none), with or without card. */
export interface StatsHourlyTable {
  partner_id: number;
  store_id: number;
  /** Epoch ms of the hour's start. */
  hour: number;
  program_id: number;
  with_card: number;
  /** Confirmed purchases less the cancelled ones. */
  purchases: number;
  /** Kopecks after discount, net of refunds and cancels. */
  sales: number;
  /** Kopecks, net of the refunded share. */
  discount: number;
  /** Hundredths of a point, net of reversals and returns. */
  points_accrued: number;
  points_spent: number;
  refunds: number;
  /** Kopecks refunded (already taken off `sales`). */
  refunded: number;
}

/** Discount each rule gave, per hour, store (0: all) and program. */
export interface StatsRuleHourlyTable {
  partner_id: number;
  store_id: number;
  hour: number;
  program_id: number;
  rule_id: number;
  discount: number;
  lines: number;
}

/** Figures of the cards and clients, which belong to no store. */
export interface StatsProgramHourlyTable {
  partner_id: number;
  hour: number;
  program_id: number;
  points_expired: number;
  new_clients: number;
}

export interface StatsWatermarksTable {
  stream: string;
  /** The last source id rolled up. */
  position: number;
  /** When the stream last advanced (epoch ms). */
  updated_at: number;
}

declare module "../../infra/db/schema.js" {
  interface DatabaseSchema {
    stats_hourly: StatsHourlyTable;
    stats_rule_hourly: StatsRuleHourlyTable;
    stats_program_hourly: StatsProgramHourlyTable;
    stats_watermarks: StatsWatermarksTable;
  }
}
