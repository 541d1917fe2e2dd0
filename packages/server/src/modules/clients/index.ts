/** Clients: the only code that writes the clients table. */
export * from "./client-service.js";
export { holderOfCard, isUniqueViolation } from "./client-store.js";
