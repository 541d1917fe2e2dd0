/** The till's promo code check and the card level upgrade. */
import { Type } from "typebox";

export const PromoCodeCheckBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    receipt: Type.Optional(
      Type.Object(
        {
          storeCode: Type.String({ minLength: 1, maxLength: 64 }),
          lines: Type.Array(
            Type.Object(
              {
                lineId: Type.String({ minLength: 1, maxLength: 64 }),
                sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                quantity: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
                price: Type.Integer({ minimum: 0, maximum: 10_000_000_000 }),
                amount: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000 })),
              },
              { additionalProperties: false },
            ),
            { minItems: 1, maxItems: 500 },
          ),
        },
        { additionalProperties: false, description: "With a receipt the check also asks the rules" },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PromoCodeCheckAnswer = Type.Object({
  code: Type.String({ description: "As stored: trimmed, upper case" }),
  valid: Type.Boolean(),
  reason: Type.String({
    description:
      "VALID, UNKNOWN, DISABLED, NOT_YET_VALID, EXPIRED, EXHAUSTED, USED_BY_CARD, WRONG_PROGRAM, WRONG_CARD, CARD_REQUIRED, NOT_APPLICABLE",
  }),
  message: Type.String({ description: "For the cashier, in Russian" }),
  validFrom: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  validTo: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
  usesLeft: Type.Union([Type.Integer(), Type.Null()]),
  personal: Type.Boolean(),
});

export const LevelUpgradeBody = Type.Object(
  { apply: Type.Optional(Type.Boolean({ description: "true: move the card up now when it qualifies" })) },
  { additionalProperties: false },
);

const LevelRef = Type.Object({ code: Type.String(), name: Type.String(), threshold: Type.Integer() });

export const LevelUpgradeAnswer = Type.Object({
  number: Type.String(),
  level: Type.Union([Type.String(), Type.Null()], { description: "The card's level after this call" }),
  previousLevel: Type.Union([Type.String(), Type.Null()]),
  eligible: Type.Union([LevelRef, Type.Null()], { description: "The highest level the base reaches" }),
  upgradeAvailable: Type.Boolean({ description: "eligible is above the card's level" }),
  upgraded: Type.Boolean(),
  base: Type.Integer({ description: "kopecks or hundredths of points over the period" }),
  next: Type.Union([Type.Intersect([LevelRef, Type.Object({ missing: Type.Integer() })]), Type.Null()]),
  message: Type.String({ description: "For the cashier, in Russian" }),
});
