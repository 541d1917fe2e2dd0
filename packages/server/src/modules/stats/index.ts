/**
 * Stats: the dashboard's hourly roll-up (`stats_*` tables, written only here) from purchase events, the
 * ledger and clients past a watermark, by a background job; and the dashboard read from it.
 */
export * from "./dashboard.js";
export * from "./job.js";
export * from "./rollup.js";
export * from "./stats-service.js";
