/** The pricing engine's vocabulary. Amounts are kopecks, rates basis points (1% = 100), quantities thousandths. */

export interface ProductFacts {
  sku: string;
  category: string | null;
  brand: string | null;
  manufacturer: string | null;
  excludedFromPointsPayment: boolean;
  excludedFromAccrual: boolean;
  /** Lowest price per unit the line may reach after discounts and points (kopecks); 0 means none. */
  minPrice: number;
}

export interface ReceiptLine {
  lineId: string;
  /** null when the product is not in the catalogue: the line still counts, only unscoped rules apply. */
  product: ProductFacts | null;
  quantity: number;
  unitPrice: number;
  /** Line total before loyalty discounts. */
  amount: number;
}

/** Which products a rule touches; every list given must match, an empty scope matches every product. */
export interface ProductScope {
  skus?: string[];
  categories?: string[];
  brands?: string[];
  manufacturers?: string[];
}

interface RuleBase {
  id: number;
  name: string;
  scope: ProductScope;
  /** Card levels the rule is limited to; absent means any card (or none, for discounts). */
  levels?: string[];
  /** Promo code that switches the rule on; absent means always on. */
  promoCode?: string;
  /** Higher wins between rules that give the same amount. */
  priority: number;
}

export interface DiscountPercentRule extends RuleBase {
  kind: "discount_percent";
  percentBp: number;
}
export interface DiscountFixedRule extends RuleBase {
  kind: "discount_fixed";
  /** Kopecks off each whole unit, pro rata for fractional quantities. */
  amountPerUnit: number;
}
export interface AccrualPercentRule extends RuleBase {
  kind: "accrual_percent";
  percentBp: number;
}
export interface PointsPaymentLimitRule extends RuleBase {
  kind: "points_payment_limit";
  maxShareBp: number;
}

export type Rule = DiscountPercentRule | DiscountFixedRule | AccrualPercentRule | PointsPaymentLimitRule;
export type RuleKind = Rule["kind"];

export interface ProgramTerms {
  /** Largest share of the receipt (after discounts) payable with points. */
  maxPointsPaymentShareBp: number;
}

export type CardStatus = "active" | "blocked" | "accrual_only";

export interface CardFacts {
  status: CardStatus;
  level: string | null;
}

export interface EngineInput {
  lines: readonly ReceiptLine[];
  card: CardFacts | null;
  promoCodes: readonly string[];
}

export interface LineEvaluation {
  lineId: string;
  amount: number;
  discount: number;
  discountRuleId: number | null;
  /** amount - discount */
  total: number;
  accrualRateBp: number;
  accrualRuleId: number | null;
  /** The most this line may be paid with points. */
  pointsPaymentCap: number;
}

export interface CashierMessage {
  code: string;
  text: string;
}

export interface EngineResult {
  lines: LineEvaluation[];
  subtotal: number;
  discountTotal: number;
  total: number;
  /** The most the receipt may be paid with points, before the card's balance is considered. */
  pointsPaymentLimit: number;
  appliedPromoCodes: string[];
  unknownPromoCodes: string[];
  messages: CashierMessage[];
}

/** What a rule engine offers the purchase flow; implementations are pure and reusable across requests. */
export interface PricingEngine {
  /**
   * Names the algorithm and its revision (e.g. "basic-1"); with the program's id and version it tells
   * whether a purchase priced earlier can be priced again exactly. Absent means the first basic engine.
   */
  readonly id?: string;
  evaluate(input: EngineInput): EngineResult;
}
