/** The dashboard of a partner for a period, store and program, read from the server's hourly roll-up. */
import { Type } from "typebox";
import { Nullable } from "../schema-helpers.js";
import { AdminCode } from "./common.js";

const Day = (description: string) => Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description });

export const DashboardQuery = Type.Object(
  {
    from: Day("YYYY-MM-DD, the first local day"),
    to: Day("YYYY-MM-DD, the last local day (included)"),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "IANA zone of the days; default Europe/Moscow",
      }),
    ),
    storeCode: Type.Optional(AdminCode),
    programCode: Type.Optional(AdminCode),
  },
  { additionalProperties: false },
);

const Integer = (description: string) => Type.Integer({ description });

export const DashboardSales = Type.Object({
  purchases: Integer("confirmed purchases less cancelled ones"),
  sales: Integer("kopecks after discount, net of refunds"),
  discount: Integer("kopecks, net of the refunded share"),
  refunds: Integer("refunds made in the period"),
  refunded: Integer("kopecks refunded in the period (already taken off sales)"),
  averageReceipt: Integer("kopecks: sales ÷ purchases, rounded half away from zero; 0 without purchases"),
});

/**
 * A day's or an hour's figures: the totals (as before the split) and their part with a card; the part
 * without a card is the difference, exact in integers.
 */
const DashboardActivity = {
  purchases: Integer("purchases, with and without a card, less cancelled ones"),
  sales: Integer("kopecks after discount, net of refunds, with and without a card"),
  purchasesWithCard: Integer("the part of purchases made with a card"),
  salesWithCard: Integer("kopecks: the part of sales made with a card"),
};

export const DashboardView = Type.Object({
  period: Type.Object({ from: Type.String(), to: Type.String(), timezone: Type.String() }),
  storeCode: Nullable(Type.String()),
  programCode: Nullable(Type.String()),
  withCard: DashboardSales,
  withoutCard: DashboardSales,
  points: Type.Object({
    accrued: Integer("hundredths of a point, net of reversals"),
    spent: Integer("hundredths of a point, net of returns"),
    expired: Nullable(Integer("hundredths of a point; null for one store (expiry belongs to no store)")),
  }),
  activeCards: Integer("cards in status active now"),
  newClients: Nullable(Integer("clients registered in the period; null for one store")),
  hangingNow: Integer("purchases waiting for an operator now"),
  perDay: Type.Array(
    Type.Object({
      date: Type.String({ description: "YYYY-MM-DD, a local day of the period" }),
      ...DashboardActivity,
    }),
    { description: "each local day of the period, in order" },
  ),
  perHour: Type.Array(
    Type.Object({
      hour: Type.Integer({ minimum: 0, maximum: 23, description: "local hour of the day" }),
      ...DashboardActivity,
    }),
    { description: "the 24 local hours of the day, each summed over the period's days" },
  ),
  topRules: Type.Array(
    Type.Object({
      ruleId: Type.Integer(),
      name: Type.String(),
      discount: Type.Integer(),
      lines: Type.Integer(),
    }),
  ),
  updatedAt: Nullable(
    Type.String({ format: "date-time", description: "when the roll-up last took purchase events" }),
  ),
});
