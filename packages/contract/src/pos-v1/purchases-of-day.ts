/**
 * A store's purchases of one local day, for the till's reconciliation: what the server holds for the
 * receipts the till printed that day, so that a confirm lost on the way can be found and sent again.
 */
import { Type } from "typebox";
import { Nullable } from "../schema-helpers.js";
import { PURCHASE_STATES } from "../vocabulary.js";

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" });

export const StorePurchasesParams = Type.Object({ storeCode: Code });

export const StorePurchasesQuery = Type.Object(
  {
    day: Type.String({
      pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
      description: "YYYY-MM-DD: a calendar day in the store's time zone (purchases calculated that day)",
    }),
    posCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this till's" })),
    limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$", description: "1 to 1000, default 500" })),
    cursor: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,16}$", description: "nextCursor of the previous page" }),
    ),
  },
  { additionalProperties: false },
);

export const StorePurchase = Type.Object({
  purchaseId: Type.String(),
  posCode: Type.String(),
  state: Type.String({ enum: [...PURCHASE_STATES] }),
  cardNumber: Nullable(Type.String()),
  subtotal: Type.Integer({ description: "Kopecks" }),
  discount: Type.Integer({ description: "Kopecks" }),
  total: Type.Integer({ description: "Kopecks" }),
  pointsSpent: Type.Integer({ description: "Hundredths of a point" }),
  pointsAccrued: Type.Integer({ description: "Hundredths of a point" }),
  refundedAmount: Type.Integer({ description: "Kopecks" }),
  createdAt: Type.String({ format: "date-time" }),
  confirmedAt: Nullable(Type.String({ format: "date-time" })),
});

export const StorePurchasesPage = Type.Object({
  storeCode: Type.String(),
  day: Type.String(),
  timezone: Type.String({ description: "The store's zone the day is counted in" }),
  from: Type.String({ format: "date-time", description: "The day's first instant" }),
  to: Type.String({ format: "date-time", description: "The next day's first instant" }),
  items: Type.Array(StorePurchase),
  nextCursor: Nullable(Type.String({ description: "Pass as cursor for the next page; null on the last" })),
});
