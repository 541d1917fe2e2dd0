/** POS credentials and bearer tokens: the only code that writes pos_credentials and the token key. */
export { requireUnboundCredential } from "./access.js";
export { AuthService, type IssuedToken, resolveTokenKey } from "./auth-service.js";
export * from "./credentials.js";
