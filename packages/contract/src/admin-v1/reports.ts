/**
 * Schemas of the report endpoints: stock, sell-out, the PharmApi reconciliation, sales and discounts (by
 * day, store and rule) and points movement, as JSON, Excel or CSV.
 */
import { Type } from "typebox";
import { Nullable } from "../schema-helpers.js";
import { AdminCode, PartnerParams } from "./common.js";

const ReportKind = Type.Union([
  Type.Literal("reconciliation"),
  Type.Literal("stock"),
  Type.Literal("sellout"),
  Type.Literal("sales"),
  Type.Literal("points"),
]);

export const ReportParams = PartnerParams({ kind: ReportKind });

const IsoDate = Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "YYYY-MM-DD" });

export const ReportQuery = Type.Object(
  {
    from: IsoDate,
    to: Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "YYYY-MM-DD, included" }),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "IANA zone of the days; default Europe/Moscow",
      }),
    ),
    storeCode: Type.Optional(AdminCode),
    format: Type.Optional(
      Type.Union([Type.Literal("json"), Type.Literal("xlsx"), Type.Literal("csv")], { default: "json" }),
    ),
    table: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 32,
        description: "CSV: which table (default the detailed one)",
      }),
    ),
  },
  { additionalProperties: false },
);

const Cell = Type.Union([Type.String(), Type.Number(), Type.Null()]);

export const ReportTableView = Type.Object({
  name: Type.String(),
  title: Type.String(),
  columns: Type.Array(
    Type.Object({
      key: Type.String(),
      header: Type.String(),
      kind: Type.Union([
        Type.Literal("text"),
        Type.Literal("kopecks"),
        Type.Literal("thousandths"),
        Type.Literal("integer"),
        Type.Literal("points"),
      ]),
    }),
  ),
  rows: Type.Array(Type.Record(Type.String(), Cell)),
  totals: Nullable(Type.Record(Type.String(), Cell)),
});

export const ReportView = Type.Object({
  kind: ReportKind,
  title: Type.String(),
  partnerCode: Type.String(),
  period: Type.Object({ from: Type.String(), to: Type.String(), timezone: Type.String() }),
  tables: Type.Array(ReportTableView),
});
