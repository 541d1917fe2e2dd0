/** Promo codes: the only code that writes promo_codes, promo_code_batches and promo_code_uses. */
export * from "./promo-code-service.js";
export * from "./reservations.js";
