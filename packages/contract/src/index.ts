/**
 * The contract of Kopilka's APIs: TypeBox schemas of requests and answers, the shared vocabulary and the
 * error catalogue. The server validates and documents with them; the POS SDK and the cabinet are typed
 * by them, so a field renamed on the server breaks their build.
 */
export * from "./errors.js";
export * from "./pos-v1/auth.js";
export * from "./pos-v1/cards.js";
export * from "./pos-v1/products.js";
export * from "./pos-v1/programs.js";
export * from "./pos-v1/purchases.js";
export * from "./rules/index.js";
export * from "./schema-helpers.js";
export * from "./vocabulary.js";
