/** Schemas of the cabinet's purchases: lists, one purchase with its history and refunds, hanging ones resolved. */
import { Type } from "typebox";
import { CardNumber } from "../pos-v1/cards.js";
import { Balance, ExternalId, PrintedReceipt, PurchaseDetailSchema } from "../pos-v1/purchases.js";
import { Nullable } from "../schema-helpers.js";
import { PURCHASE_STATES } from "../vocabulary.js";
import { AdminCode, AdminText, ListQuery, PartnerParams, Timestamp } from "./common.js";

export const AdminPurchaseParams = PartnerParams({ purchaseId: ExternalId });

export const PurchaseListQuery = ListQuery(["createdAt", "total"], {
  from: Type.Optional(Timestamp),
  to: Type.Optional(Timestamp),
  storeCode: Type.Optional(AdminCode),
  state: Type.Optional(Type.Union(PURCHASE_STATES.map((s) => Type.Literal(s)))),
  cardNumber: Type.Optional(CardNumber),
  programCode: Type.Optional(AdminCode),
  posCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "The till's code, exact" })),
});

export const ListedPurchaseView = Type.Object({
  purchaseId: Type.String(),
  partnerCode: Type.String({ description: "The partner whose store sold it" }),
  storeCode: Type.String(),
  posCode: Type.String(),
  programCode: Nullable(Type.String()),
  cardNumber: Nullable(Type.String()),
  state: Type.String({ enum: [...PURCHASE_STATES] }),
  hangingReason: Nullable(Type.String()),
  subtotal: Type.Integer(),
  discount: Type.Integer(),
  total: Type.Integer(),
  pointsSpent: Type.Integer(),
  pointsAccrued: Type.Integer(),
  refundedAmount: Type.Integer(),
  createdAt: Timestamp,
  confirmedAt: Nullable(Timestamp),
});

export const CardPurchasesQuery = ListQuery(["createdAt", "total"], {});

export const HangingQuery = Type.Object(
  { limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: "1 to 200, default 100" })) },
  { additionalProperties: false },
);

export const HangingList = Type.Object({
  items: Type.Array(
    Type.Object({
      purchaseId: Type.String(),
      storeCode: Type.String(),
      posCode: Type.String(),
      reason: Type.String(),
      total: Type.Integer(),
      since: Timestamp,
    }),
  ),
});

export const AdminPurchaseQuery = Type.Object(
  {
    partner: Type.Optional(
      Type.String({
        ...AdminCode,
        description: "The selling partner, for a purchase of a participant under a program this partner owns",
      }),
    ),
  },
  { additionalProperties: false },
);

export const AdminPurchaseDetail = Type.Object({
  ...PurchaseDetailSchema.properties,
  refunds: Type.Array(
    Type.Object({
      refundId: Type.String(),
      amount: Type.Integer(),
      pointsReturned: Type.Integer(),
      accrualReversed: Type.Integer(),
      belowProportional: Type.Boolean(),
      at: Timestamp,
    }),
  ),
});

export const ResolveHangingBody = Type.Union([
  Type.Object(
    {
      action: Type.Literal("cancel"),
      reason: AdminText(3, 500),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      action: Type.Literal("confirm"),
      reason: AdminText(3, 500),
      receipt: PrintedReceipt,
    },
    {
      additionalProperties: false,
      description:
        "Confirm with the receipt as printed (read from the fiscal document): it must match, figure for figure, the one the till's late confirm sent",
    },
  ),
]);

export const ResolveOutcomeView = Type.Object({
  purchaseId: Type.String(),
  action: Type.Union([Type.Literal("cancel"), Type.Literal("confirm")]),
  state: Type.String({ enum: [...PURCHASE_STATES] }),
  changed: Type.Boolean({ description: "False when the same decision had been taken before" }),
  pointsSpent: Type.Integer(),
  pointsAccrued: Type.Integer(),
  balance: Nullable(Balance),
});
