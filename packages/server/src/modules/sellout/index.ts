/** Sell-out: the only code that writes sellout_lines. */
export * from "./sellout-service.js";
