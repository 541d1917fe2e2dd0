/** Request and response schemas of the purchase endpoints; they also generate the OpenAPI document. */
import { Type } from "typebox";
import { Nullable, NullableScalar } from "../schema-helpers.js";
import { HANGING_REASONS, LINE_STATES, PURCHASE_STATES } from "../vocabulary.js";

export const ExternalId = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._:/-]+$" });

const Line = Type.Object(
  {
    lineId: Type.String({ minLength: 1, maxLength: 64, description: "Unique within the receipt" }),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    quantity: Type.Integer({
      minimum: 1,
      maximum: 10_000_000,
      description: "Thousandths of a unit: 1500 = 1.5",
    }),
    price: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: "Unit price, kopecks" }),
    amount: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000_000_000,
        description: "Line total before loyalty discounts, kopecks; defaults to price × quantity",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CalculateBody = Type.Object(
  {
    purchaseId: ExternalId,
    storeCode: Type.String({ minLength: 1, maxLength: 64 }),
    posCode: Type.String({ minLength: 1, maxLength: 64 }),
    cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    promoCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 })),
    lines: Type.Array(Line, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);

export const BonusPaymentBody = Type.Object(
  {
    amount: Type.Integer({
      minimum: 0,
      maximum: 10_000_000_000,
      description: "Points to spend, hundredths (= kopecks)",
    }),
  },
  { additionalProperties: false },
);

/** Requisites of the Russian fiscal document (ФН, ФД, ФПД), digits only. */
const Fiscal = Type.Object(
  {
    fn: Type.Optional(
      Type.String({ pattern: "^[0-9]{16}$", description: "Fiscal drive number (ФН): exactly 16 digits" }),
    ),
    fd: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,10}$", description: "Fiscal document number (ФД): up to 10 digits" }),
    ),
    fpd: Type.Optional(
      Type.String({
        pattern: "^[0-9]{1,10}$",
        description: "Fiscal sign of the document (ФПД): up to 10 digits",
      }),
    ),
  },
  { additionalProperties: false },
);

const Points = Type.Integer({ minimum: 0, maximum: 10_000_000_000 });

const PrintedLine = Type.Object(
  {
    lineId: Type.String({ minLength: 1, maxLength: 64 }),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
    price: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
    amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000 })),
    discount: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: "As printed, kopecks" }),
    pointsPaid: Points,
    accrual: Points,
  },
  { additionalProperties: false },
);

/**
 * The receipt as the till printed it. A confirm that carries it can still be accepted after the purchase
 * expired, or when the server lost the calculated purchase, provided it matches what the server calculated.
 */
export const PrintedReceipt = Type.Object(
  {
    rulesVersion: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        pattern: "^[A-Za-z0-9._:/-]+$",
        description: "rulesVersion of the calculate answer; needed when the server lost the purchase",
      }),
    ),
    storeCode: Type.String({ minLength: 1, maxLength: 64 }),
    posCode: Type.String({ minLength: 1, maxLength: 64 }),
    cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    promoCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 10 })),
    lines: Type.Array(PrintedLine, { minItems: 1, maxItems: 500 }),
    pointsSpent: Points,
    pointsAccrued: Points,
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object(
  {
    fiscal: Type.Optional(Fiscal),
    receiptNumber: Type.Optional(Type.String({ maxLength: 64 })),
    receipt: Type.Optional(PrintedReceipt),
    upgradeLevel: Type.Optional(
      Type.Boolean({
        description: "Move the card to the highest level its base reaches after this purchase",
      }),
    ),
  },
  { additionalProperties: false },
);

export const RefundBody = Type.Object(
  {
    refundId: ExternalId,
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          {
            lineId: Type.String({ minLength: 1, maxLength: 64 }),
            quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 500 },
      ),
    ),
    pointsToReturn: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000 })),
    accrualToReverse: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000 })),
  },
  { additionalProperties: false },
);

export const PurchaseParams = Type.Object({ purchaseId: ExternalId });

export const Balance = Type.Object({
  active: Type.Integer(),
  pending: Type.Integer(),
  held: Type.Integer(),
  available: Type.Integer(),
});

const Message = Type.Object({ code: Type.String(), text: Type.String() });

const RuleAmount = Type.Object({
  ruleId: Type.Integer(),
  version: Type.Integer(),
  amount: Type.Integer(),
});
const RuleAccrual = Type.Object({
  ruleId: Type.Integer(),
  version: Type.Integer(),
  amount: Type.Integer(),
  rateBp: Type.Integer(),
});

const PricedLine = Type.Object({
  lineId: Type.String(),
  sku: NullableScalar(Type.String()),
  barcode: NullableScalar(Type.String()),
  productKnown: Type.Boolean(),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  amount: Type.Integer(),
  discount: Type.Integer(),
  discountRuleId: NullableScalar(Type.Integer({ description: "the rule of the largest discount" })),
  discounts: Type.Optional(
    Type.Array(RuleAmount, {
      description:
        "each rule's discount on the line, with its version (absent on purchases priced before rule versions)",
    }),
  ),
  total: Type.Integer({ description: "amount - discount" }),
  accrualRateBp: Type.Integer({ description: "the sum of the percentage accrual rates" }),
  accrualRuleId: NullableScalar(Type.Integer({ description: "the rule of the highest accrual rate" })),
  accruals: Type.Optional(
    Type.Array(RuleAccrual, {
      description:
        "each rule's accrual on the line with no points payment, with its version; rateBp > 0 applies to what is paid with money, 0 is fixed points",
    }),
  ),
  pointsPaymentCap: Type.Integer(),
  pointsPaid: Type.Integer(),
  accrual: Type.Integer(),
  refundedQuantity: Type.Integer(),
  refundedAmount: Type.Integer(),
  pointsReturned: Type.Integer(),
  accrualReversed: Type.Integer(),
});

export const PurchaseViewSchema = Type.Object({
  purchaseId: Type.String(),
  state: Type.String({ enum: [...PURCHASE_STATES] }),
  storeCode: Type.String(),
  posCode: Type.String(),
  cardNumber: NullableScalar(Type.String()),
  expiresAt: NullableScalar(Type.String({ format: "date-time" })),
  confirmedAt: NullableScalar(Type.String({ format: "date-time" })),
  lines: Type.Array(PricedLine),
  totals: Type.Object({
    subtotal: Type.Integer(),
    discount: Type.Integer(),
    total: Type.Integer(),
    pointsPaid: Type.Integer(),
    toPay: Type.Integer(),
    accrual: Type.Integer(),
  }),
  points: Type.Object({
    paymentLimit: Type.Integer({ description: "Most the receipt may be paid with points by the rules" }),
    maxPayment: Type.Integer({ description: "paymentLimit bounded by the card's available points" }),
    balance: Nullable(Balance),
  }),
  refunded: Type.Object({
    amount: Type.Integer(),
    pointsReturned: Type.Integer(),
    accrualReversed: Type.Integer(),
  }),
  promoCodes: Type.Object({
    applied: Type.Array(Type.String()),
    unknown: Type.Array(Type.String()),
    refused: Type.Optional(
      Type.Array(
        Type.Object({
          code: Type.String(),
          reason: Type.String({
            description: "EXHAUSTED, EXPIRED, USED_BY_CARD, … (see /v1/promo-codes/check)",
          }),
          message: Type.String({ description: "For the cashier, in Russian" }),
        }),
        { description: "Presented codes that were not applied, and why" },
      ),
    ),
  }),
  messages: Type.Array(Message, { description: "For the cashier's screen" }),
  rulesVersion: NullableScalar(
    Type.String({ description: "The rules this purchase was priced with; a late confirm may echo it" }),
  ),
});

/** Beside a replayed answer: where the purchase stands now (a replay never pretends nothing happened since). */
const Current = Type.Object(
  { state: Type.String({ enum: [...PURCHASE_STATES] }) },
  { description: "The purchase's state now; differs from `state` when a replay answers after a change" },
);

const viewProps = PurchaseViewSchema.properties;

export const ConfirmViewSchema = Type.Object({
  ...viewProps,
  receipt: Type.Object(
    { accrued: Type.Integer(), spent: Type.Integer(), balance: Nullable(Balance) },
    { description: "What the fiscal receipt prints" },
  ),
  late: Type.Boolean({
    description: "Accepted after the purchase expired or was lost, from the printed receipt",
  }),
  level: Type.Optional(
    Type.Object(
      {
        from: Nullable(Type.String()),
        to: Nullable(Type.String()),
        name: Type.String(),
        message: Type.String({ description: "For the receipt, in Russian" }),
      },
      {
        description: "The card moved up a level with this purchase (upgradeLevel, or the program's setting)",
      },
    ),
  ),
  issuedPromoCodes: Type.Optional(
    Type.Array(
      Type.Object({
        code: Type.String(),
        campaign: Type.String(),
        validTo: Nullable(Type.String({ format: "date-time" })),
        message: Type.String({ description: "For the receipt, in Russian; also among `messages`" }),
      }),
      {
        description:
          "Personal single-use codes this purchase earned for the card (a rule's issue_promo_code effect): print them",
      },
    ),
  ),
  current: Current,
});

export const HangingViewSchema = Type.Object(
  {
    purchaseId: Type.String(),
    state: Type.Literal("hanging"),
    late: Type.Boolean(),
    hanging: Type.Object({
      reason: Type.String({ enum: [...HANGING_REASONS] }),
      message: Type.String(),
    }),
    current: Current,
  },
  { description: "A confirm kept for an operator: nothing was applied and nothing is lost" },
);

export const CancelViewSchema = Type.Object({
  ...viewProps,
  pointsReleased: Type.Integer(),
  pointsReturned: Type.Integer(),
  accrualReversed: Type.Integer(),
  current: Current,
});

export const PurchaseDetailSchema = Type.Object({
  ...viewProps,
  lineStates: Type.Array(
    Type.Object({ lineId: Type.String(), state: Type.String({ enum: [...LINE_STATES] }) }),
    {
      description:
        "Each line's own state (lines of discount programs are confirmed and cancelled one by one)",
    },
  ),
  hangingReason: NullableScalar(
    Type.String({ description: "Why a late confirm waits for an operator (state hanging)" }),
  ),
  history: Type.Array(
    Type.Object({ kind: Type.String(), at: Type.String({ format: "date-time" }), data: Type.Unknown() }),
  ),
});

export const RefundViewSchema = Type.Object({
  refundId: Type.String(),
  purchaseId: Type.String(),
  state: Type.String(),
  amount: Type.Integer(),
  pointsReturned: Type.Integer(),
  accrualReversed: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      lineId: Type.String(),
      quantity: Type.Integer(),
      amount: Type.Integer(),
      pointsReturned: Type.Integer(),
      accrualReversed: Type.Integer(),
    }),
  ),
  balance: Nullable(Balance),
  belowProportional: Type.Boolean({
    description: "The POS stated less than the proportional share (the program allows it); reported",
  }),
  current: Current,
});
