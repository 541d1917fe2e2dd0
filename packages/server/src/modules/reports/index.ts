/** Reports: stock, sell-out and the PharmApi reconciliation for a period; writes nothing. */
export * from "./export.js";
export * from "./period.js";
export * from "./report-service.js";
