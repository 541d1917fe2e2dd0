/** Confirmation codes: the only code that writes confirmations and confirmation_throttles. */
export * from "./confirmation-service.js";
