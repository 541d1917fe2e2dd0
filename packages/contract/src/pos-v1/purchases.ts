/** Request and response schemas of the purchase endpoints; they also generate the OpenAPI document. */
import { Type } from "typebox";
import { Nullable, NullableScalar } from "../schema-helpers.js";
import { PURCHASE_STATES } from "../vocabulary.js";

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

const Fiscal = Type.Object(
  {
    fn: Type.Optional(Type.String({ maxLength: 32 })),
    fd: Type.Optional(Type.String({ maxLength: 32 })),
    fpd: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);

export const ConfirmBody = Type.Object(
  { fiscal: Type.Optional(Fiscal), receiptNumber: Type.Optional(Type.String({ maxLength: 64 })) },
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

const PricedLine = Type.Object({
  lineId: Type.String(),
  sku: NullableScalar(Type.String()),
  barcode: NullableScalar(Type.String()),
  productKnown: Type.Boolean(),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  amount: Type.Integer(),
  discount: Type.Integer(),
  discountRuleId: NullableScalar(Type.Integer()),
  total: Type.Integer({ description: "amount - discount" }),
  accrualRateBp: Type.Integer(),
  accrualRuleId: NullableScalar(Type.Integer()),
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
  promoCodes: Type.Object({ applied: Type.Array(Type.String()), unknown: Type.Array(Type.String()) }),
  messages: Type.Array(Message, { description: "For the cashier's screen" }),
});

const viewProps = PurchaseViewSchema.properties;

export const ConfirmViewSchema = Type.Object({
  ...viewProps,
  receipt: Type.Object(
    { accrued: Type.Integer(), spent: Type.Integer(), balance: Nullable(Balance) },
    { description: "What the fiscal receipt prints" },
  ),
});

export const CancelViewSchema = Type.Object({
  ...viewProps,
  pointsReleased: Type.Integer(),
  pointsReturned: Type.Integer(),
  accrualReversed: Type.Integer(),
});

export const PurchaseDetailSchema = Type.Object({
  ...viewProps,
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
});
