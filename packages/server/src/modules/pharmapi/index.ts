/** The PharmApi facade's state: the only code that writes pharmapi_credentials, pharmapi_settings, pharmapi_calculations, pharmapi_transactions, pharmapi_registrations. */
export * from "./credentials.js";
export * from "./pharmapi-admin.js";
export * from "./pharmapi-service.js";
export {
  acceptAnyTrustKey,
  bindPosIds,
  issueTrustKey,
  trustKeyAccepted,
} from "./state.js";
export * from "./test-preset.js";
