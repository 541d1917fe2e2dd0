/**
 * Points accounts, their ledger and holds: the only code that writes points_accounts, points_lots,
 * ledger_entries and points_holds.
 */
export {
  type Account,
  type AccrualTerms,
  accrue,
  activateDueLots,
  balanceOf,
  type CardBalance,
  cardBalanceOf,
  committedBalance,
  credit,
  type EntryContext,
  type ExpiringPoints,
  expireLots,
  expiringPoints,
  ledgerOf,
  lockAccount,
  type OpeningBalance,
  openAccounts,
  readBalance,
  reverseAccrual,
} from "./account-store.js";
export * from "./adjustments.js";
export { type MovedBalance, moveBalance } from "./balance-transfer.js";
export * from "./holds.js";
export { type LedgerViolation, verifyLedger } from "./invariants.js";
export * from "./ledger-movements.js";
