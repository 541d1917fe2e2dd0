/**
 * `@kopilka/pos-sdk`: everything a till needs to work with Kopilka safely. See docs/pos-integration.md.
 */
export * from "./card-groups.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./outbox.js";
export * from "./phone.js";
export * from "./receipt-machine.js";
export * from "./receipt-session.js";
export * from "./refund-session.js";
export * from "./registration.js";
export type * from "./types.js";
