/**
 * Table shapes as Kysely sees them. Conventions shared by SQLite and PostgreSQL: ids are integers,
 * timestamps are epoch milliseconds, flags are 0/1 integers, structured values are JSON text.
 */
import type { Generated, Insertable, Selectable, Updateable } from "kysely";

export interface PartnersTable {
  id: Generated<number>;
  code: string;
  name: string;
  created_at: number;
}

export interface StoresTable {
  id: Generated<number>;
  partner_id: number;
  code: string;
  name: string;
  timezone: string;
  address: string | null;
  active: number;
  created_at: number;
  updated_at: number;
  /** Migration 0009: the pharmacy card (PharmApi `update_pharmacies`, `pl`, native `PUT /v1/stores`). */
  brand: string | null;
  legal_entity: string | null;
  inn: string | null;
  region: string | null;
  city: string | null;
  gps: string | null;
  work_time: string | null;
  phones: string | null;
  /** Off the public map, still serving. */
  hidden: Generated<number>;
  /** Left out of an upload in replace mode (also inactive); purchases keep referencing it. */
  removed_at: number | null;
}

export interface PosCredentialsTable {
  id: Generated<number>;
  partner_id: number;
  store_id: number | null;
  login: string;
  secret_hash: string;
  enabled: number;
  description: string | null;
  created_at: number;
  updated_at: number;
  /** Tokens issued before this moment stop working (added by 0002-admin). */
  secret_rotated_at: number | null;
}

export interface ServerSettingsTable {
  key: string;
  value: string;
}

export interface ProgramsTable {
  id: Generated<number>;
  partner_id: number;
  code: string;
  name: string;
  kind: string;
  active: number;
  hold_days: number;
  cancel_window_minutes: number;
  purchase_ttl_seconds: number;
  max_points_payment_share_bp: number;
  points_lifetime_days: number | null;
  /** Bumped on every change to the program or its rules, so processes refresh their compiled engines. */
  version: number;
  created_at: number;
  updated_at: number;
  /** proportional_minimum | pos_may_state_lower (migration 0003). */
  refund_policy: Generated<string>;
}

export interface RulesTable {
  id: Generated<number>;
  program_id: number;
  /** The current version's name, priority and validity, for lists. */
  name: string;
  priority: number;
  active: number;
  /** Migration 0005: the current version and its definition (JSON, `RuleDefinition`). */
  version: number;
  definition: string;
  valid_from: number | null;
  valid_to: number | null;
  created_at: number;
  updated_at: number;
}

export interface ProductsTable {
  id: Generated<number>;
  partner_id: number;
  sku: string;
  barcode: string | null;
  name: string;
  category: string | null;
  brand: string | null;
  manufacturer: string | null;
  excluded_from_points_payment: number;
  excluded_from_accrual: number;
  min_price: number;
  created_at: number;
  updated_at: number;
}

export interface ClientsTable {
  id: Generated<number>;
  partner_id: number;
  external_id: string | null;
  name: string | null;
  created_at: number;
  /** The columns below come with migration 0004 (clients and registration). */
  program_id: number | null;
  status: string | null;
  login_kind: string | null;
  /** Keyed hashes (HMAC-SHA256) of the normalized login, phone and e-mail, for exact search. */
  login_hash: string | null;
  phone_hash: string | null;
  phone_enc: string | null;
  email_hash: string | null;
  email_enc: string | null;
  birth_date: string | null;
  consents: string | null;
  merged_into: number | null;
  confirmed_at: number | null;
  anonymised_at: number | null;
  updated_at: number | null;
  /** Migration 0011: when the phone and the e-mail were proven by a code (null: not proven, or changed since). */
  phone_confirmed_at: number | null;
  email_confirmed_at: number | null;
}

export interface CardsTable {
  id: Generated<number>;
  partner_id: number;
  program_id: number;
  number: string;
  status: string;
  level: string | null;
  client_id: number | null;
  virtual: number;
  created_at: number;
  updated_at: number;
  /** Migration 0004: the card that replaced this one (lost card). */
  replaced_by: number | null;
}

export interface PointsAccountsTable {
  card_id: number;
  active: number;
  pending: number;
  held: number;
  updated_at: number;
}

export interface PointsLotsTable {
  id: Generated<number>;
  account_id: number;
  state: string;
  amount: number;
  remaining: number;
  active_from: number;
  expires_at: number | null;
  created_at: number;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  account_id: number;
  kind: string;
  active_delta: number;
  pending_delta: number;
  purchase_id: number | null;
  refund_id: number | null;
  lot_id: number | null;
  note: string | null;
  created_at: number;
}

export interface PurchasesTable {
  id: Generated<number>;
  partner_id: number;
  external_id: string;
  program_id: number | null;
  store_id: number;
  pos_code: string;
  card_id: number | null;
  state: string;
  request_hash: string;
  receipt: string;
  subtotal: number;
  discount_total: number;
  total: number;
  points_limit: number;
  points_spent: number;
  points_accrued: number;
  refunded_amount: number;
  points_returned: number;
  accrual_reversed: number;
  accrual_lot_id: number | null;
  fiscal: string | null;
  confirm_hash: string | null;
  confirm_response: string | null;
  /** Engine, program and program version that priced the purchase (migration 0003). */
  rules_version: string | null;
  /** Migration 0005: the rules that gave something, compactly: "id:version,id:version". */
  applied_rules: Generated<string | null>;
  cancel_response: string | null;
  hanging_reason: string | null;
  expires_at: number;
  confirmed_at: number | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface PurchaseEventsTable {
  id: Generated<number>;
  purchase_id: number;
  kind: string;
  data: string | null;
  created_at: number;
}

export interface RefundsTable {
  id: Generated<number>;
  purchase_id: number;
  external_id: string;
  request_hash: string;
  amount: number;
  points_returned: number;
  accrual_reversed: number;
  response: string;
  created_at: number;
  points_minimum: Generated<number>;
  accrual_minimum: Generated<number>;
  below_proportional: Generated<number>;
}

/** A bonus payment's reservation; resolves exactly once (migration 0003). */
export interface PointsHoldsTable {
  id: Generated<number>;
  account_id: number;
  purchase_id: number;
  amount: number;
  expires_at: number;
  /** null while open; then spent | released | expired. */
  resolution: string | null;
  resolved_at: number | null;
  created_at: number;
}

export interface DatabaseSchema {
  partners: PartnersTable;
  stores: StoresTable;
  pos_credentials: PosCredentialsTable;
  server_settings: ServerSettingsTable;
  programs: ProgramsTable & ProgramRegistrationColumns & ProgramRuleTerms & ProgramAntiFraudColumns;
  rules: RulesTable;
  products: ProductsTable;
  clients: ClientsTable;
  cards: CardsTable;
  points_accounts: PointsAccountsTable;
  points_lots: PointsLotsTable;
  ledger_entries: LedgerEntriesTable;
  purchases: PurchasesTable;
  purchase_events: PurchaseEventsTable;
  refunds: RefundsTable;
  points_holds: PointsHoldsTable;
  confirmations: ConfirmationsTable;
  confirmation_throttles: ConfirmationThrottlesTable;
  users: UsersTable;
  user_memberships: UserMembershipsTable;
  admin_sessions: AdminSessionsTable;
  throttle_counters: ThrottleCountersTable;
  audit_log: AuditLogTable;
  program_participants: ProgramParticipantsTable;
  points_adjustments: PointsAdjustmentsTable;
  promo_code_batches: PromoCodeBatchesTable;
  promo_codes: PromoCodesTable;
  promo_code_uses: PromoCodeUsesTable;
  card_levels: CardLevelsTable;
  level_settings: LevelSettingsTable;
  card_level_reviews: CardLevelReviewsTable;
  card_level_changes: CardLevelChangesTable;
  rule_versions: RuleVersionsTable;
  program_versions: ProgramVersionsTable;
  store_pos_ids: StorePosIdsTable;
  stock_items: StockItemsTable;
  stock_uploads: StockUploadsTable;
  sellout_lines: SelloutLinesTable;
  discount_programs: DiscountProgramsTable;
  discount_program_versions: DiscountProgramVersionsTable;
  discount_limit_locks: DiscountLimitLocksTable;
  discount_limit_holds: DiscountLimitHoldsTable;
  anti_fraud_locks: AntiFraudLocksTable;
  anti_fraud_usage: AntiFraudUsageTable;
  anti_fraud_hits: AntiFraudHitsTable;
  pharmapi_credentials: PharmApiCredentialsTable;
  pharmapi_settings: PharmApiSettingsTable;
  pharmapi_calculations: PharmApiCalculationsTable;
  pharmapi_transactions: PharmApiTransactionsTable;
  pharmapi_registrations: PharmApiRegistrationsTable;
}

// Admin surface (0002-admin): cabinet users, sessions, throttling, audit, program participants.

export interface UsersTable {
  id: Generated<number>;
  /** Lower-cased. */
  email: string;
  password_hash: string;
  platform_admin: number;
  enabled: number;
  must_change_password: number;
  created_at: number;
  updated_at: number;
}

export interface UserMembershipsTable {
  id: Generated<number>;
  user_id: number;
  partner_id: number;
  role: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface AdminSessionsTable {
  id: Generated<number>;
  /** SHA-256 of the session token; the token itself is never stored. */
  token_hash: string;
  /** SHA-256 of the CSRF token of a cookie session; null for bearer sessions. */
  csrf_hash: string | null;
  user_id: number;
  kind: string;
  address: string | null;
  created_at: number;
  last_seen_at: number;
  /** The absolute end; the idle end is last_seen_at plus the idle timeout. */
  expires_at: number;
  ended_at: number | null;
}

export interface ThrottleCountersTable {
  /** SHA-256 of the scope and the throttled name (login, e-mail, address). */
  key: string;
  failures: number;
  window_started_at: number;
  locked_until: number;
  updated_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  user_id: number | null;
  address: string | null;
  partner_id: number | null;
  entity_type: string;
  entity_id: string;
  action: string;
  before: string | null;
  after: string | null;
}

export interface ProgramParticipantsTable {
  program_id: number;
  partner_id: number;
  created_at: number;
}

/** Migration 0004: registration settings and the virtual card range of a program. */
export interface ProgramRegistrationColumns {
  login_value: Generated<string>;
  confirmation_method: Generated<string>;
  attach_card_on_registration: Generated<number>;
  virtual_card_prefix: string | null;
  virtual_card_length: Generated<number>;
  virtual_card_check: Generated<string>;
}

export interface ConfirmationsTable {
  id: Generated<number>;
  public_id: string;
  partner_id: number;
  credential_id: number | null;
  purpose: string;
  subject: string;
  payload: string | null;
  channel: string;
  destination_hash: string;
  destination_enc: string;
  deliver: number;
  code_hash: string | null;
  state: string;
  attempts: number;
  sends: number;
  result: string | null;
  expires_at: number;
  last_sent_at: number;
  created_at: number;
  updated_at: number;
}

export interface ConfirmationThrottlesTable {
  key: string;
  window_start: number;
  sent: number;
  last_sent_at: number;
}

/** Migration 0006: manual point adjustments, idempotent by the caller's adjustment id. */
export interface PointsAdjustmentsTable {
  id: Generated<number>;
  partner_id: number;
  external_id: string;
  account_id: number;
  /** Signed hundredths: a credit is positive, a debit negative. */
  amount: number;
  reason: string;
  request_hash: string;
  response: string;
  user_id: number | null;
  created_at: number;
}

// Promo codes and card levels (0007-promo-codes-levels).

export interface PromoCodeBatchesTable {
  id: Generated<number>;
  partner_id: number;
  program_id: number;
  code: string;
  size: number;
  prefix: string;
  length: number;
  campaign: string | null;
  max_uses: number | null;
  max_uses_per_card: number | null;
  valid_from: number | null;
  valid_to: number | null;
  description: string | null;
  /** Canonical hash of the request that made the batch: a repeat with the same body replays. */
  request_hash: string;
  generated_ms: number;
  created_at: number;
}

export interface PromoCodesTable {
  id: Generated<number>;
  partner_id: number;
  program_id: number;
  batch_id: number | null;
  /** Normalized: trimmed, upper case. */
  code: string;
  /** The key rules match (`promo_code` condition); null: the code itself. */
  campaign: string | null;
  /** null: unlimited. */
  max_uses: number | null;
  max_uses_per_card: number | null;
  valid_from: number | null;
  valid_to: number | null;
  /** A personal code: only this card may use it. */
  card_id: number | null;
  description: string | null;
  disabled_at: number | null;
  uses_reserved: Generated<number>;
  uses_consumed: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface PromoCodeUsesTable {
  id: Generated<number>;
  promo_code_id: number;
  purchase_id: number;
  card_id: number | null;
  /** reserved (by calculate) | consumed (by confirm) | released (cancel, expiry, recalculation). */
  state: string;
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export interface CardLevelsTable {
  id: Generated<number>;
  program_id: number;
  /** The value of cards.level. */
  code: string;
  name: string;
  /** Kopecks of purchases, or hundredths of points earned, per the program's level settings. */
  threshold: number;
  created_at: number;
  updated_at: number;
}

export interface LevelSettingsTable {
  program_id: number;
  /** purchase_amount | points_earned */
  basis: string;
  /** rolling_days | calendar_year */
  period_kind: string;
  period_days: number;
  /** none | period_end */
  downgrade: string;
  upgrade_at_confirm: number;
  updated_at: number;
}

export interface CardLevelReviewsTable {
  card_id: number;
  period_key: string;
  reviewed_at: number;
}

export interface CardLevelChangesTable {
  id: Generated<number>;
  card_id: number;
  from_level: string | null;
  to_level: string | null;
  /** confirm | request | downgrade */
  reason: string;
  base: number;
  purchase_id: number | null;
  created_at: number;
}

export type Row<T extends keyof DatabaseSchema> = Selectable<DatabaseSchema[T]>;
export type NewRow<T extends keyof DatabaseSchema> = Insertable<DatabaseSchema[T]>;
export type RowUpdate<T extends keyof DatabaseSchema> = Updateable<DatabaseSchema[T]>;

// Migration 0005: versioned rule definitions and the rule set of every program version.

export interface ProgramRuleTerms {
  /** half_up | down: how percentage discounts round per line. */
  discount_rounding: Generated<string>;
  max_line_discount_bp: Generated<number>;
  max_receipt_discount_bp: Generated<number>;
}

export interface RuleVersionsTable {
  rule_id: number;
  version: number;
  /** JSON `RuleDefinition`, immutable once written. */
  definition: string;
  created_at: number;
  user_id: number | null;
}

export interface ProgramVersionsTable {
  program_id: number;
  version: number;
  /** JSON [[ruleId, version], …]: the active rule versions of this program version. */
  rules: string;
  /** JSON `StoredTerms`: the pricing terms of this program version. */
  terms: string;
  created_at: number;
}

// Manufacturer discount programs and the PharmApi facade (0008-discount-programs).

export interface DiscountProgramsTable {
  program_id: number;
  /** The program version (programs.version) this definition belongs to. */
  version: number;
  /** JSON `DiscountProgramDefinition` without code and version (those come from the program). */
  definition: string;
  /** JSON `CardRange[]`. */
  card_ranges: string;
  /** JSON `DiscountProgramSettings`. */
  settings: string;
  updated_at: number;
}

export interface DiscountProgramVersionsTable {
  program_id: number;
  version: number;
  definition: string;
  card_ranges: string;
  settings: string;
  user_id: number | null;
  created_at: number;
}

export interface DiscountLimitLocksTable {
  program_id: number;
  card_number: string;
  touched_at: number;
}

export interface DiscountLimitHoldsTable {
  id: Generated<number>;
  program_id: number;
  /** Limits count per card number, so a card used at two chains of the program shares one quota. */
  card_number: string;
  limit_id: string;
  purchase_id: number;
  line_id: string;
  packs: number;
  /** reserved (calculate) | consumed (confirm) | released (cancel, expiry, recalculation). */
  state: string;
  /** The instant the packs count at, for period limits: the calculation, then the confirm. */
  counted_at: number;
  /** The store's zone: calendar periods of a re-taken hold are counted in it. */
  time_zone: string;
  /** A reservation lapses with its purchase. */
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export interface PharmApiCredentialsTable {
  id: Generated<number>;
  partner_id: number;
  /** SHA-256 of the Authorization-Token (a random value with 192 bits, so a plain hash suffices). */
  token_hash: string;
  /** The token's first characters, for lists. */
  token_hint: string;
  /** scrypt of the Authorization-Secret. */
  secret_hash: string;
  description: string | null;
  enabled: number;
  created_at: number;
  updated_at: number;
  secret_rotated_at: number | null;
}

export interface PharmApiSettingsTable {
  partner_id: number;
  /** scrypt of the partner's trust key (cancel_purchase, register); null: none issued. */
  trust_key_hash: string | null;
  /** 1: any non-empty trust key is accepted (the public test server's behaviour, for the test preset). */
  trust_any: number;
  updated_at: number;
}

export interface PharmApiCalculationsTable {
  id: Generated<number>;
  partner_id: number;
  /** The purchase (purchases.external_id of the partner) that get_discount calculated. */
  purchase_external_id: string;
  program_id: number;
  store_id: number;
  pos_id: string;
  card_number: string;
  /** How many transaction codes it answered (the "all together" policy compares against it). */
  codes: number;
  /** A newer get_discount of the same POS and card replaced it: its codes are refused. */
  superseded_at: number | null;
  created_at: number;
}

export interface PharmApiTransactionsTable {
  /** 32 lowercase hex characters, as the protocol's examples. */
  code: string;
  partner_id: number;
  calculation_id: number;
  line_id: string;
  created_at: number;
}

export interface PharmApiRegistrationsTable {
  id: Generated<number>;
  partner_id: number;
  pos_id: string;
  /** The confirmations module's public id of the registration's code. */
  confirmation_id: string;
  completed_at: number | null;
  created_at: number;
}

// Migration 0009: pharmacy data uploaded by chains (POS ids, stock, sell-out).

/** A POS id of a store, as the chain's uploads bind it (PharmApi `pos_ids`). */
export interface StorePosIdsTable {
  id: Generated<number>;
  partner_id: number;
  pos_id: string;
  store_id: number;
  updated_at: number;
}

/** A store's stock as last uploaded: one row per barcode + qr_code + lot ('' when absent). */
export interface StockItemsTable {
  id: Generated<number>;
  partner_id: number;
  store_id: number;
  barcode: string;
  qr_code: string;
  lot: string;
  /** The product as reports group it: the barcode, else the GTIN read from the DataMatrix, else the code. */
  product_code: string;
  name: string;
  /** Kopecks per pack. */
  price: number;
  /** Thousandths of a pack. */
  amount: number;
  uploaded_at: number;
}

export interface StockUploadsTable {
  id: Generated<number>;
  partner_id: number;
  store_id: number;
  /** pharmapi | pos-v1 */
  source: string;
  rows: number;
  /** Thousandths of a pack. */
  total_amount: number;
  /** Kopecks: the sum of price × amount over the rows, each rounded half up. */
  total_value: number;
  uploaded_at: number;
}

/** A sold receipt line as the chain reported it; (store, year, voucher, order) is its idempotency key. */
export interface SelloutLinesTable {
  id: Generated<number>;
  partner_id: number;
  store_id: number;
  year: number;
  voucher_id: string;
  order_id: string;
  sold_at: number;
  sold_local: string;
  utc_offset_minutes: number;
  barcode: string | null;
  qr_code: string | null;
  product_code: string;
  name: string;
  /** Kopecks per pack. */
  price: number;
  /** Thousandths of a pack. */
  count: number;
  /** Kopecks for the whole line. */
  discount: number;
  sum_to_pay: number;
  card_number: string | null;
  transaction_code: string | null;
  fn: string | null;
  fd: string | null;
  fpd: string | null;
  /** pharmapi | pos-v1 */
  source: string;
  created_at: number;
  updated_at: number;
}

// Migration 0012: anti-fraud caps per program (modules/anti-fraud).

export interface ProgramAntiFraudColumns {
  /** JSON `AntiFraudCaps`; null: no caps. */
  anti_fraud: string | null;
}

export interface AntiFraudLocksTable {
  program_id: number;
  /** card | credential */
  subject_kind: string;
  subject_id: number;
  touched_at: number;
}

export interface AntiFraudUsageTable {
  id: Generated<number>;
  program_id: number;
  purchase_id: number;
  /** spent (points, per card) | accrual (points, per card) | refund (1 per refund or cancel, per credential). */
  metric: string;
  subject_kind: string;
  /** The card's id, or the POS credential's id. */
  subject_id: number;
  amount: number;
  /** reserved (calculate, bonus payment) | consumed (confirm; refunds at once) | released. */
  state: string;
  /** The local day number (days since 1970-01-01) in the store's time zone when it was reserved. */
  day: number;
  /** A reservation lapses with its purchase. */
  expires_at: number;
  created_at: number;
  updated_at: number;
}

export interface AntiFraudHitsTable {
  id: Generated<number>;
  /** The selling partner whose till hit the cap. */
  partner_id: number;
  program_id: number;
  /** The setting's name, e.g. maxPointsSpentPerCardPerDay. */
  cap: string;
  subject_kind: string;
  subject_id: number;
  day: number;
  hits: number;
  last_at: number;
}
