/**
 * The rule engine's vocabulary. Money is kopecks, points hundredths of a point, quantities thousandths of
 * a unit, rates basis points (1 % = 100). Facts the engine cannot compute itself (the card's purchase
 * history, the client's attributes, the remaining daily accrual allowance) arrive in the input; the purchase
 * flow learns which history facts to load from `RuleEngine.requiredHistoryFacts()`.
 */
import type { CardStatus } from "../engine/types.js";

export interface RuleProduct {
  sku: string;
  category: string | null;
  brand: string | null;
  manufacturer: string | null;
  excludedFromPointsPayment: boolean;
  excludedFromAccrual: boolean;
  /** Lowest price per unit the line may reach after discounts (kopecks); 0 means none. */
  minPrice: number;
  /** Largest total discount on the product's lines (basis points); absent: the program's line maximum. */
  maxDiscountBp?: number;
}

export interface RuleLine {
  lineId: string;
  /** null when the product is not in the catalogue: only rules whose product sets hold every product apply. */
  product: RuleProduct | null;
  /** The barcode as scanned, if any (product sets may list barcodes). */
  barcode: string | null;
  quantity: number;
  unitPrice: number;
  /** Line total before discounts: lineAmount(unitPrice, quantity). */
  amount: number;
}

export interface RuleStore {
  code: string;
  partner: string;
  /** IANA zone, e.g. "Europe/Moscow"; time conditions fail with TIMEZONE_INVALID when it is unknown. */
  timeZone: string;
}

export interface RuleCard {
  status: CardStatus;
  level: string | null;
}

/** What the engine may know about the card's client; a missing fact fails the conditions that need it. */
export interface ClientFacts {
  /** "MM-DD" or "YYYY-MM-DD". */
  birthday?: string | null;
  registered?: boolean;
  phoneConfirmed?: boolean;
  emailConfirmed?: boolean;
  firstPurchase?: boolean;
}

export type HistoryMetric = "count" | "amount";
export type HistoryPeriodKind = "today" | "last_days" | "calendar_month";

/** A history fact the rules need: the card's confirmed purchases (this one excluded) in a period. */
export interface HistoryFactSpec {
  /** The key under which the value is expected in `RuleInput.history`, e.g. `count:last_days:30`. */
  key: string;
  metric: HistoryMetric;
  period: HistoryPeriodKind;
  /** For last_days. */
  days?: number;
}

export interface RuleInput {
  /** The instant of the calculation, epoch ms. */
  now: number;
  store: RuleStore | null;
  lines: readonly RuleLine[];
  card: RuleCard | null;
  client?: ClientFacts | null;
  /** Values by `HistoryFactSpec.key`: purchase counts, or amounts in kopecks. */
  history?: Readonly<Record<string, number>>;
  /** Codes as presented; the engine ignores case and surrounding spaces. Check their validity before. */
  promoCodes: readonly string[];
  /** Whether the receipt is paid partly with points; absent means no. */
  pointsPayment?: boolean;
  /** Points (hundredths) the card may still earn today under the anti-fraud cap; absent or null: no cap. */
  accrualAllowance?: number | null;
}

export interface RuleTerms {
  /** Default share of a line's price payable with points, where no rule sets another. */
  maxPointsPaymentShareBp: number;
  /** Largest total discount on a line, basis points of its amount. Default 10000. */
  maxLineDiscountBp?: number;
  /** Largest total discount on a receipt, basis points of its subtotal. Default 10000. */
  maxReceiptDiscountBp?: number;
  /** How percentage discounts round per line: half up (default) or down. */
  discountRounding?: "half_up" | "down";
}

/** Which rule gave what on a line. */
export interface Contribution {
  ruleId: number;
  version: number;
  kind: "discount" | "accrual";
  /** Kopecks of discount, or hundredths of points of accrual (with no points payment). */
  amount: number;
  /** Accrual only: the rate behind a percentage accrual, applied to what is paid with money; 0 for fixed. */
  rateBp: number;
}

export interface LineResult {
  lineId: string;
  amount: number;
  discount: number;
  /** amount - discount */
  total: number;
  /** Points (hundredths) the line earns when nothing is paid with points, after the daily cap. */
  accrual: number;
  /** The most of this line payable with points. */
  pointsPaymentCap: number;
  /** Discounts first, in the order the rules applied, then accruals; amounts sum to discount and accrual. */
  contributions: Contribution[];
}

export interface AppliedRule {
  ruleId: number;
  version: number;
  name: string;
  discount: number;
  accrual: number;
  /** The presented promo codes that switched the rule on (normalized): reserve these. */
  promoCodes: string[];
  /** Why the rule gave less than it asked for, if it did (e.g. CAPPED_BY_LINE_MAX). */
  notes: RuleReason[];
}

export interface RuleReason {
  code: string;
  text: string;
  /** The condition or effect at fault, e.g. `conditions[1]`. */
  path?: string;
  /** The rule that won, for LOST_IN_GROUP. */
  winnerRuleId?: number;
  group?: string;
}

export interface SkippedRule {
  ruleId: number;
  version: number;
  name: string;
  reason: RuleReason;
}

export interface CashierMessage {
  code: string;
  text: string;
  ruleId?: number;
}

/** Something the purchase flow must do when the purchase is confirmed. */
export interface IssuePromoCodeInstruction {
  type: "issue_promo_code";
  ruleId: number;
  version: number;
  campaign: string;
  validDays: number | null;
}

export interface Evaluation {
  lines: LineResult[];
  subtotal: number;
  discountTotal: number;
  total: number;
  accrualTotal: number;
  /** Sum of the lines' points caps: the most payable with points before the card's balance. */
  pointsPaymentLimit: number;
  /** Rules that gave something, in the order they applied, with their versions (record them). */
  appliedRules: AppliedRule[];
  /** Promo codes of applied rules, normalized. */
  appliedPromoCodes: string[];
  /** Presented codes that no rule of the program knows. */
  unknownPromoCodes: string[];
  messages: CashierMessage[];
  instructions: IssuePromoCodeInstruction[];
  /** Points (hundredths) the daily cap took away; 0 when it did not bite. */
  accrualTrimmed: number;
  /** Only with `explain`: every active rule that gave nothing, and why. */
  skippedRules?: SkippedRule[];
}

export interface EvaluateOptions {
  /** List the rules that did not apply and why (simulate); costs a scan of all rules. */
  explain?: boolean;
}

export interface RuleEngine {
  evaluate(input: RuleInput, options?: EvaluateOptions): Evaluation;
  /** The history facts the active rules read; load only these. */
  requiredHistoryFacts(): readonly HistoryFactSpec[];
  /** Whether a rule reads the client's attributes (birthday, registration, confirmations, first purchase). */
  needsClientFacts(): boolean;
  /** How many rules the candidate index hands this receipt (for metrics and benchmarks). */
  countCandidates(input: RuleInput): number;
  /** Normalized promo codes that any rule knows. */
  knownPromoCodes(): ReadonlySet<string>;
  readonly ruleCount: number;
}
