/**
 * The registries of rule condition and effect types. Each type is data: a name, titles for the cabinet and
 * a TypeBox schema of its parameters. The admin API validates with the schemas and the cabinet generates
 * its editor forms from them, so a new type added here appears in the editor without new UI code. The
 * evaluation functions live in the server's core (`core/rules/`), keyed by the same names.
 *
 * Units everywhere: money in kopecks, points in hundredths of a point, quantities in thousandths of a
 * unit, rates and shares in basis points (1 % = 100).
 */
import { type Static, type TSchema, Type } from "typebox";

const Code = Type.String({
  minLength: 1,
  maxLength: 100,
  description: "an identifier as the chain spells it",
});
const Codes = (description: string) => Type.Array(Code, { minItems: 1, maxItems: 10_000, description });
const Kopecks = (description: string, minimum = 0) => Type.Integer({ minimum, description });
const BasisPoints = (description: string, minimum = 0, maximum = 10_000) =>
  Type.Integer({ minimum, maximum, description });

export const LocalDate = Type.String({
  pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  description: "a local date, YYYY-MM-DD",
});
export const LocalTimeOfDay = Type.String({
  pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
  description: "a local time of day, HH:MM (24:00 is the end of the day)",
});

/**
 * A set of products. By default (`match: "any"`) a product belongs to the set when any list names it
 * (its SKU, the line's barcode, its category, brand or manufacturer); with `match: "all"` every list
 * given must name it. A set with no list holds every product, including lines of unknown products.
 */
export const ProductSet = Type.Object(
  {
    skus: Type.Optional(Codes("SKUs")),
    barcodes: Type.Optional(Codes("barcodes (EAN-13 or GTIN-14) as scanned")),
    categories: Type.Optional(Codes("category codes")),
    brands: Type.Optional(Codes("brands")),
    manufacturers: Type.Optional(Codes("manufacturers")),
    match: Type.Optional(Type.Enum(["any", "all"], { description: "any list (default) or all lists" })),
  },
  { additionalProperties: false },
);
export type ProductSet = Static<typeof ProductSet>;

const Target = Type.Optional({
  ...ProductSet,
  description:
    "the lines the effect applies to; absent: the lines that match the rule's product conditions (all lines if it has none)",
});

const PERIODS = ["today", "last_days", "calendar_month"] as const;
export type HistoryPeriod = (typeof PERIODS)[number];

export interface TypeEntry<S extends TSchema = TSchema> {
  title: { en: string; ru: string };
  description: string;
  params: S;
  /**
   * Effects only: works on the receipt as a whole (a receipt discount, N + M), so it cannot compete line by
   * line in a per-line exclusive group. `accrual_fixed` per receipt is receipt-level too.
   */
  receiptLevel?: boolean;
}

const entry = <S extends TSchema>(e: TypeEntry<S>): TypeEntry<S> => e;
const params = <P extends Parameters<typeof Type.Object>[0]>(properties: P) =>
  Type.Object(properties, { additionalProperties: false });

export const CONDITION_TYPES = {
  partners: entry({
    title: { en: "Partners", ru: "Партнёры" },
    description: "the receipt comes from a store of one of these partners (chains)",
    params: params({ partners: Codes("partner codes") }),
  }),
  stores: entry({
    title: { en: "Stores", ru: "Магазины" },
    description: "the receipt comes from one of these stores",
    params: params({ stores: Codes("store codes") }),
  }),
  date_range: entry({
    title: { en: "Dates", ru: "Даты" },
    description: "the store's local date is within the range (both ends included)",
    params: params({ from: Type.Optional(LocalDate), to: Type.Optional(LocalDate) }),
  }),
  weekdays: entry({
    title: { en: "Weekdays", ru: "Дни недели" },
    description: "the store's local weekday is one of these (1 = Monday … 7 = Sunday)",
    params: params({
      days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
        minItems: 1,
        maxItems: 7,
        uniqueItems: true,
      }),
    }),
  }),
  time_of_day: entry({
    title: { en: "Hours", ru: "Часы" },
    description:
      "the store's local time is from `from` (included) to `to` (excluded); a range past midnight wraps",
    params: params({ from: LocalTimeOfDay, to: LocalTimeOfDay }),
  }),
  card_levels: entry({
    title: { en: "Card levels", ru: "Уровни карты" },
    description: "a card of one of these levels is presented",
    params: params({ levels: Codes("level codes") }),
  }),
  card_statuses: entry({
    title: { en: "Card status", ru: "Статус карты" },
    description: "a card in one of these statuses is presented",
    params: params({
      statuses: Type.Array(Type.Enum(["active", "blocked", "accrual_only"]), {
        minItems: 1,
        uniqueItems: true,
      }),
    }),
  }),
  birthday: entry({
    title: { en: "Birthday", ru: "День рождения" },
    description: "the client's birthday is at most daysBefore days ahead or daysAfter days past (local date)",
    params: params({
      daysBefore: Type.Integer({ minimum: 0, maximum: 183 }),
      daysAfter: Type.Integer({ minimum: 0, maximum: 183 }),
    }),
  }),
  client_attribute: entry({
    title: { en: "Client", ru: "Клиент" },
    description: "a fact about the card's client has the given value",
    params: params({
      attribute: Type.Enum(["registered", "phone_confirmed", "email_confirmed", "first_purchase"]),
      value: Type.Boolean(),
    }),
  }),
  receipt_total: entry({
    title: { en: "Receipt total", ru: "Сумма чека" },
    description: "the receipt's total before discounts is at least `min`",
    params: params({ min: Kopecks("kopecks", 1) }),
  }),
  products: entry({
    title: { en: "Products", ru: "Товары" },
    description:
      "the receipt holds products of the set, in total at least minQuantity (thousandths) and minAmount (kopecks)",
    params: params({
      set: ProductSet,
      minQuantity: Type.Optional(Type.Integer({ minimum: 0, description: "thousandths of a unit" })),
      minAmount: Type.Optional(Kopecks("kopecks")),
    }),
  }),
  purchase_history: entry({
    title: { en: "Purchase history", ru: "История покупок" },
    description:
      "the number or amount of the card's confirmed purchases in the period (this one excluded) is within [min, max]",
    params: params({
      metric: Type.Enum(["count", "amount"]),
      period: Type.Enum([...PERIODS]),
      days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_660, description: "for last_days" })),
      min: Type.Optional(Type.Integer({ minimum: 0 })),
      max: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
  }),
  promo_code: entry({
    title: { en: "Promo code", ru: "Промокод" },
    description: "one of these promo codes is presented (case and surrounding spaces ignored)",
    params: params({ codes: Codes("promo codes") }),
  }),
  points_payment: entry({
    title: { en: "Payment with points", ru: "Оплата баллами" },
    description: "the receipt is (present: true) or is not (false) paid partly with points",
    params: params({ present: Type.Boolean() }),
  }),
} as const;

export const EFFECT_TYPES = {
  line_discount_percent: entry({
    title: { en: "Discount, %", ru: "Скидка, %" },
    description: "a percentage off each target line's price before discounts",
    params: params({ percentBp: BasisPoints("basis points", 1), products: Target }),
  }),
  line_discount_amount: entry({
    title: { en: "Discount, amount", ru: "Скидка, сумма" },
    description: "a fixed amount off each target unit (pro rata for fractions) or each target line",
    params: params({
      amount: Kopecks("kopecks", 1),
      per: Type.Enum(["unit", "line"]),
      products: Target,
    }),
  }),
  line_fixed_price: entry({
    title: { en: "Fixed price", ru: "Фиксированная цена" },
    description: "target lines cost this unit price (no discount when the price is already lower)",
    params: params({ price: Kopecks("kopecks per unit"), products: Target }),
  }),
  receipt_discount: entry({
    title: { en: "Receipt discount", ru: "Скидка на чек" },
    description:
      "an amount off the receipt, spread over the target lines by their amounts (largest remainder, ties by line id)",
    params: params({ amount: Kopecks("kopecks", 1), products: Target }),
    receiptLevel: true,
  }),
  n_plus_m: entry({
    title: { en: "N + M", ru: "N + M" },
    description:
      "of every buy + free whole units of target products, the `free` cheapest are free (ties by line id)",
    params: params({
      buy: Type.Integer({ minimum: 1, maximum: 100 }),
      free: Type.Integer({ minimum: 1, maximum: 100 }),
      products: Target,
    }),
    receiptLevel: true,
  }),
  accrual_percent: entry({
    title: { en: "Accrual, %", ru: "Начисление, %" },
    description: "points as a percentage of what the customer pays with money for the target lines",
    params: params({ percentBp: BasisPoints("basis points", 1), products: Target }),
  }),
  accrual_fixed: entry({
    title: { en: "Accrual, fixed", ru: "Начисление, фиксированное" },
    description:
      "fixed points per receipt (spread over the target lines by their totals), per target line, or per unit",
    params: params({
      points: Type.Integer({ minimum: 1, description: "hundredths of a point" }),
      per: Type.Enum(["receipt", "line", "unit"]),
      products: Target,
    }),
  }),
  accrual_multiplier: entry({
    title: { en: "Accrual multiplier", ru: "Множитель начисления" },
    description: "multiplies the base percentage accrual of the target lines (20000 = ×2)",
    params: params({
      factorBp: Type.Integer({ minimum: 10_001, maximum: 100_000, description: "10000 = ×1" }),
      products: Target,
    }),
  }),
  points_payment_share: entry({
    title: { en: "Share payable with points", ru: "Доля оплаты баллами" },
    description:
      "the most of each target line's price payable with points (the lowest applicable share wins)",
    params: params({ maxShareBp: BasisPoints("basis points"), products: Target }),
  }),
  points_payment_exclusion: entry({
    title: { en: "No payment with points", ru: "Без оплаты баллами" },
    description: "target lines cannot be paid with points",
    params: params({ products: Target }),
  }),
  cashier_message: entry({
    title: { en: "Cashier message", ru: "Сообщение кассиру" },
    description:
      "a message for the cashier; {ruleDiscount}, {ruleAccrual}, {receiptDiscount}, {receiptAccrual} and {toPay} are substituted",
    params: params({ template: Type.String({ minLength: 1, maxLength: 500 }) }),
  }),
  issue_promo_code: entry({
    title: { en: "Issue a promo code", ru: "Выдать промокод" },
    description: "the confirmed purchase issues the card a promo code of this campaign for its next purchase",
    params: params({
      campaign: Code,
      validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_660 })),
    }),
  }),
} as const;

export type ConditionType = keyof typeof CONDITION_TYPES;
export type EffectType = keyof typeof EFFECT_TYPES;
export type ConditionParams<K extends ConditionType> = Static<(typeof CONDITION_TYPES)[K]["params"]>;
export type EffectParams<K extends EffectType> = Static<(typeof EFFECT_TYPES)[K]["params"]>;

export type LeafCondition = { [K in ConditionType]: { type: K; params: ConditionParams<K> } }[ConditionType];
/** At least one of the nested conditions holds. */
export interface AnyCondition {
  type: "any";
  conditions: Condition[];
}
export type Condition = LeafCondition | AnyCondition;
export type Effect = { [K in EffectType]: { type: K; params: EffectParams<K> } }[EffectType];

export const RECEIPT_LEVEL_EFFECTS: readonly EffectType[] = (
  Object.keys(EFFECT_TYPES) as EffectType[]
).filter((k) => (EFFECT_TYPES[k] as TypeEntry).receiptLevel === true);
