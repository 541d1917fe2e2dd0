/** Schemas of the card endpoints. */
import { Type } from "typebox";
import { CARD_STATUSES } from "../vocabulary.js";
import { Balance } from "./purchases.js";

export const CardNumber = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9-]+$" });
export const CardStatusSchema = Type.Union([...CARD_STATUSES].map((s) => Type.Literal(s)));

export const CardView = Type.Object({
  number: Type.String(),
  programCode: Type.String(),
  status: Type.String(),
  level: Type.Union([Type.String(), Type.Null()]),
  virtual: Type.Boolean(),
  balance: Balance,
  expiring: Type.Optional(
    Type.Object(
      {
        withinDays: Type.Integer(),
        amount: Type.Integer({ description: "Active points (hundredths) that expire within withinDays" }),
        lots: Type.Array(
          Type.Object({ amount: Type.Integer(), expiresAt: Type.String({ format: "date-time" }) }),
          { description: "Soonest first, at most 10" },
        ),
      },
      { description: "Active points about to expire, from the card's lots" },
    ),
  ),
  promoCodes: Type.Optional(
    Type.Array(
      Type.Object({
        code: Type.String(),
        campaign: Type.Union([Type.String(), Type.Null()]),
        description: Type.Union([Type.String(), Type.Null()]),
        validFrom: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
        validTo: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
        usesLeft: Type.Union([Type.Integer(), Type.Null()]),
      }),
      { description: "The card's personal promo codes it can still use (coupons to offer at the card step)" },
    ),
  ),
});

export const CardBatch = Type.Object(
  {
    programCode: Type.String({ minLength: 1, maxLength: 64 }),
    items: Type.Array(
      Type.Object(
        {
          number: CardNumber,
          status: Type.Optional(CardStatusSchema),
          level: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          virtual: Type.Optional(Type.Boolean()),
          balance: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: 100_000_000_00,
              description: "Opening balance of a new card, hundredths of a point, booked through the ledger",
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

export const LedgerQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: "1 to 500, default 50" })) },
  { additionalProperties: false },
);

export const LedgerView = Type.Object({
  entries: Type.Array(
    Type.Object({
      kind: Type.String(),
      activeDelta: Type.Integer(),
      pendingDelta: Type.Integer(),
      purchaseId: Type.Union([Type.String(), Type.Null()]),
      note: Type.Union([Type.String(), Type.Null()]),
      at: Type.String({ format: "date-time" }),
    }),
  ),
});
