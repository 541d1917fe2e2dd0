/** Points accounts and their ledger: the only code that writes points_accounts, points_lots and ledger_entries. */
export * from "./account-store.js";
export { type MovedBalance, moveBalance } from "./balance-transfer.js";
export { type LedgerViolation, verifyLedger } from "./invariants.js";
