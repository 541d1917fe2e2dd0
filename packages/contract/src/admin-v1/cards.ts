/** Schemas of the cabinet's cards: lists, a card with its balance, ledger and purchases, status, batches, adjustments. */
import { Type } from "typebox";
import { CardNumber, CardStatusSchema } from "../pos-v1/cards.js";
import { CheckDigitSchema } from "../pos-v1/clients.js";
import { Balance } from "../pos-v1/purchases.js";
import { Nullable } from "../schema-helpers.js";
import { AdminCode, AdminText, BooleanQuery, ListQuery, PartnerParams, Timestamp } from "./common.js";

export const CardParams = PartnerParams({ number: CardNumber });

export const CardListQuery = ListQuery(["number", "createdAt"], {
  number: Type.Optional(CardNumber),
  status: Type.Optional(CardStatusSchema),
  programCode: Type.Optional(AdminCode),
  virtual: Type.Optional(BooleanQuery),
  clientId: Type.Optional(Type.String({ pattern: "^[1-9][0-9]{0,14}$" })),
  phone: Type.Optional(
    Type.String({ minLength: 1, maxLength: 32, description: "The holder's phone, exact (keyed hash)" }),
  ),
  email: Type.Optional(
    Type.String({ minLength: 3, maxLength: 254, description: "The holder's e-mail, exact (keyed hash)" }),
  ),
});

export const AdminCardView = Type.Object({
  number: Type.String(),
  programCode: Type.String(),
  status: Type.String(),
  level: Nullable(Type.String()),
  virtual: Type.Boolean(),
  clientId: Nullable(Type.Integer()),
  replacedBy: Nullable(Type.String({ description: "The card that replaced this lost one" })),
  balance: Balance,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CardDetailQuery = Type.Object(
  {
    expiringWithinDays: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,3}$", description: "Horizon of expiringSoon, days (default 30)" }),
    ),
  },
  { additionalProperties: false },
);

export const AdminCardDetail = Type.Object({
  ...AdminCardView.properties,
  expiringSoon: Type.Object({
    amount: Type.Integer({ description: "Active points whose lots expire by `until`, hundredths" }),
    until: Timestamp,
  }),
});

export const LedgerListQuery = ListQuery(["id"], {});

export const LedgerEntryView = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  activeDelta: Type.Integer(),
  pendingDelta: Type.Integer(),
  purchaseId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  at: Timestamp,
});

export const CardReplaceBody = Type.Object(
  { newNumber: Type.Optional(Nullable(CardNumber)) },
  {
    additionalProperties: false,
    description: "A free, unused card of the same program; without it a virtual card is issued",
  },
);

export const CardReplacementView = Type.Object({
  oldNumber: Type.String(),
  newNumber: Type.String(),
  movedActive: Type.Integer(),
  movedPending: Type.Integer(),
  oldCard: AdminCardView,
  newCard: AdminCardView,
});

export const CardGenerateBody = Type.Object(
  {
    programCode: AdminCode,
    prefix: Type.String({ pattern: "^[0-9]{0,18}$", description: "Digits every number starts with" }),
    length: Type.Integer({ minimum: 2, maximum: 32, description: "Total digits, the check digit included" }),
    checkDigit: CheckDigitSchema,
    from: Type.Integer({ minimum: 0, description: "First serial of the batch inside the range" }),
    count: Type.Integer({ minimum: 1, maximum: 100_000, description: "At most 100,000 per request" }),
    virtual: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const CardBatchView = Type.Object({
  programCode: Type.String(),
  virtual: Type.Boolean(),
  count: Type.Integer(),
  first: Type.String(),
  last: Type.String(),
});

export const PointAdjustmentBody = Type.Object(
  {
    adjustmentId: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: "^[A-Za-z0-9._:-]+$",
      description: "Your id of this adjustment: a retry with it books nothing twice",
    }),
    amount: Type.Integer({
      minimum: -100_000_000_00,
      maximum: 100_000_000_00,
      not: { const: 0 },
      description: "Hundredths of a point: positive credits, negative debits (free points only, never held)",
    }),
    reason: AdminText(3, 500),
  },
  { additionalProperties: false },
);

export const PointAdjustmentView = Type.Object({
  cardNumber: Type.String(),
  adjustmentId: Type.String(),
  amount: Type.Integer(),
  reason: Type.String(),
  balance: Balance,
  at: Timestamp,
  replayed: Type.Boolean({ description: "True when this adjustment id had been booked before" }),
});
