/**
 * The contract of Kopilka's APIs: TypeBox schemas of requests and answers, the shared vocabulary and the
 * error catalogue. The server validates and documents with them; the POS SDK and the cabinet are typed
 * by them, so a field renamed on the server breaks their build.
 */

export * from "./admin-v1/anti-fraud.js";
export * from "./admin-v1/audit.js";
export * from "./admin-v1/auth.js";
export * from "./admin-v1/cards.js";
export * from "./admin-v1/clients.js";
export * from "./admin-v1/common.js";
export * from "./admin-v1/credentials.js";
export * from "./admin-v1/dashboard.js";
export * from "./admin-v1/discount-programs.js";
export * from "./admin-v1/levels.js";
export * from "./admin-v1/partners.js";
export * from "./admin-v1/products.js";
export * from "./admin-v1/programs.js";
export * from "./admin-v1/promo-codes.js";
export * from "./admin-v1/purchases.js";
export * from "./admin-v1/registration.js";
export * from "./admin-v1/reports.js";
export * from "./admin-v1/rules.js";
export * from "./admin-v1/stores.js";
export * from "./admin-v1/users.js";
export * from "./decimal-text.js";
export * from "./error-messages.js";
export * from "./errors.js";
export * from "./permissions.js";
export * from "./pos-v1/auth.js";
export * from "./pos-v1/cards.js";
export * from "./pos-v1/clients.js";
export * from "./pos-v1/pharmacy-data.js";
export * from "./pos-v1/products.js";
export * from "./pos-v1/programs.js";
export * from "./pos-v1/promo-codes.js";
export * from "./pos-v1/purchases.js";
export * from "./pos-v1/purchases-of-day.js";
export * from "./rules/index.js";
export * from "./schema-helpers.js";
export * from "./vocabulary.js";
