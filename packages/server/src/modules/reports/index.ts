/** Reports: stock, sell-out, the PharmApi reconciliation, sales and points movement for a period; writes nothing. */
export * from "./export.js";
export * from "./period.js";
export * from "./report-service.js";
