/** Schemas of promo codes and their batches in the cabinet. */
import { Type } from "typebox";
import { AdminCode, AdminText, ListQuery, PageOf, Timestamp } from "./common.js";

const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);

/** A code as typed: letters, digits, `_` and `-`, surrounding spaces ignored; stored in upper case. */
export const PromoCodeText = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: "^ *[A-Za-z0-9][A-Za-z0-9_-]{0,31} *$",
});

const Terms = {
  maxUses: Type.Optional(
    Nullable(
      Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: "null: unlimited; 1: single use" }),
    ),
  ),
  maxUsesPerCard: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000 }))),
  validFrom: Type.Optional(Nullable(Timestamp)),
  validTo: Type.Optional(Nullable(Timestamp)),
  campaign: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$",
        description: "The key rules name in their promo_code condition; the code itself when absent",
      }),
    ),
  ),
  description: Type.Optional(Nullable(AdminText(1, 500))),
};

export const PromoCodeCreate = Type.Object(
  {
    code: PromoCodeText,
    cardNumber: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    ...Terms,
  },
  { additionalProperties: false },
);

export const PromoBatchCreate = Type.Object(
  {
    code: AdminCode,
    size: Type.Integer({ minimum: 1, maximum: 100_000 }),
    prefix: Type.Optional(Type.String({ maxLength: 8, pattern: "^[A-Za-z0-9]*$" })),
    length: Type.Optional(
      Type.Integer({ minimum: 6, maximum: 16, description: "random characters, default 10" }),
    ),
    ...Terms,
  },
  { additionalProperties: false },
);

export const PromoCodeView = Type.Object({
  code: Type.String(),
  batchCode: Type.Union([Type.String(), Type.Null()]),
  campaign: Type.Union([Type.String(), Type.Null()]),
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  maxUsesPerCard: Type.Union([Type.Integer(), Type.Null()]),
  validFrom: Type.Union([Timestamp, Type.Null()]),
  validTo: Type.Union([Timestamp, Type.Null()]),
  cardNumber: Type.Union([Type.String(), Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  disabled: Type.Boolean(),
  disabledAt: Type.Union([Timestamp, Type.Null()]),
  usesReserved: Type.Integer(),
  usesConsumed: Type.Integer(),
  usesLeft: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Timestamp,
});

export const PromoCodeDetail = Type.Intersect([
  PromoCodeView,
  Type.Object({
    uses: Type.Array(
      Type.Object({
        purchaseId: Type.String(),
        cardNumber: Type.Union([Type.String(), Type.Null()]),
        state: Type.String({ description: "reserved, consumed or released" }),
        at: Timestamp,
        updatedAt: Timestamp,
      }),
    ),
  }),
]);

export const PromoCodePage = PageOf(PromoCodeView);

export const PromoCodeListQuery = ListQuery(["code", "createdAt"], {
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: "^[A-Za-z0-9_ -]+$" })),
  batch: Type.Optional(AdminCode),
  campaign: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" })),
  state: Type.Optional(
    Type.Union([Type.Literal("active"), Type.Literal("disabled"), Type.Literal("exhausted")]),
  ),
  cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const PromoBatchView = Type.Object({
  code: Type.String(),
  size: Type.Integer(),
  prefix: Type.String(),
  length: Type.Integer(),
  campaign: Type.Union([Type.String(), Type.Null()]),
  maxUses: Type.Union([Type.Integer(), Type.Null()]),
  maxUsesPerCard: Type.Union([Type.Integer(), Type.Null()]),
  validFrom: Type.Union([Timestamp, Type.Null()]),
  validTo: Type.Union([Timestamp, Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  generatedInMs: Type.Integer({ description: "How long generating and storing the codes took" }),
  createdAt: Timestamp,
});

export const PromoBatchCreated = Type.Intersect([
  PromoBatchView,
  Type.Object({ replayed: Type.Boolean({ description: "true: the same request made this batch before" }) }),
]);

export const PromoBatchList = Type.Object({ items: Type.Array(PromoBatchView) });
