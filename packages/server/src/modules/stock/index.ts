/** Stock: the only code that writes stock_items and stock_uploads. */
export * from "./stock-service.js";
