/**
 * Schemas of the native pharmacy-data endpoints: the chain's store list with POS ids, each store's stock,
 * and sell-out lines. They write the same tables as the PharmApi uploads, in integers (kopecks,
 * thousandths) like the rest of `/v1`.
 */
import { Type } from "typebox";
import { allowControlCharacters, Nullable } from "../schema-helpers.js";

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" });
const PosId = Type.String({ minLength: 1, maxLength: 50, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" });
const Text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
/** A DataMatrix as the scanner read it: GS (U+001D) separators kept. */
const DataMatrix = allowControlCharacters(Type.String({ minLength: 1, maxLength: 200 }), "\u001d");
const Kopecks = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: `${description}, kopecks` });

export const StoreCard = Type.Object(
  {
    code: Code,
    address: Type.String({ minLength: 1, maxLength: 1000 }),
    name: Text(256),
    timezone: Type.Optional(
      Nullable(
        Type.String({
          minLength: 1,
          maxLength: 64,
          description: "IANA zone of a new store; default Europe/Moscow",
        }),
      ),
    ),
    brand: Text(1000),
    legalEntity: Text(1000),
    inn: Text(1000),
    region: Text(1000),
    city: Text(1000),
    gps: Text(1000),
    workTime: Text(1000),
    phones: Text(1000),
    posIds: Type.Optional(Type.Array(PosId, { maxItems: 1000 })),
    disabled: Type.Optional(
      Type.Boolean({ description: "Serves no customers (the store takes no purchases)" }),
    ),
    hidden: Type.Optional(Type.Boolean({ description: "Off the public map; still serves" })),
  },
  { additionalProperties: false },
);

export const StoreListUpload = Type.Object(
  {
    mode: Type.Union([Type.Literal("merge"), Type.Literal("replace")], {
      description:
        "merge: listed stores are written over whole; replace: also removes every store left out (inactive, POS ids unbound)",
    }),
    stores: Type.Array(StoreCard, { minItems: 1, maxItems: 20_000 }),
  },
  { additionalProperties: false },
);

export const StoreListResult = Type.Object({
  stores: Type.Integer({ description: "Distinct stores in the list (a repeated code: the last one wins)" }),
  created: Type.Integer(),
  updated: Type.Integer(),
  removed: Type.Integer(),
  posIds: Type.Integer({ description: "POS ids bound (one listed twice belongs to the last store)" }),
});

export const StoreCardView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  timezone: Type.String(),
  address: Nullable(Type.String()),
  brand: Nullable(Type.String()),
  legalEntity: Nullable(Type.String()),
  inn: Nullable(Type.String()),
  region: Nullable(Type.String()),
  city: Nullable(Type.String()),
  gps: Nullable(Type.String()),
  workTime: Nullable(Type.String()),
  phones: Nullable(Type.String()),
  posIds: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  hidden: Type.Boolean(),
  removed: Type.Boolean(),
});

export const StoreCodeParams = Type.Object({ storeCode: Code });

export const StockItem = Type.Object(
  {
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    qrCode: Type.Optional(DataMatrix),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    name: Type.String({ minLength: 1, maxLength: 512 }),
    price: Kopecks("Price per pack"),
    amount: Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: "Packs in stock, thousandths" }),
  },
  { additionalProperties: false },
);

export const StockUpload = Type.Object(
  {
    items: Type.Array(StockItem, {
      maxItems: 200_000,
      description: "The store's whole stock: it replaces every earlier row; a product left out has none",
    }),
  },
  { additionalProperties: false },
);

export const StockUploadResult = Type.Object({ rows: Type.Integer() });

export const StockView = Type.Object({
  items: Type.Array(
    Type.Object({
      barcode: Nullable(Type.String()),
      qrCode: Nullable(Type.String()),
      lot: Nullable(Type.String()),
      productCode: Type.String(),
      name: Type.String(),
      price: Type.Integer(),
      amount: Type.Integer(),
      uploadedAt: Type.String({ format: "date-time" }),
    }),
  ),
});

export const SelloutLineInput = Type.Object(
  {
    storeCode: Code,
    voucherId: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "The receipt in the chain's system",
    }),
    lineId: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "The receipt line; store + voucherId + lineId is unique within the calendar year",
    }),
    soldAt: Type.String({
      minLength: 16,
      maxLength: 40,
      description: "ISO 8601 with an offset, e.g. 2026-03-05T16:59:57+03:00",
    }),
    barcode: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    qrCode: Type.Optional(DataMatrix),
    name: Type.String({ minLength: 1, maxLength: 512 }),
    price: Kopecks("Price per pack before discount"),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: "Packs, thousandths" }),
    discount: Kopecks("Discount of the whole line"),
    sumToPay: Kopecks("price × quantity − discount"),
    cardNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: "^[0-9]+$" })),
    transaction: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "The program's code of the line; with cardNumber",
      }),
    ),
    fiscal: Type.Optional(
      Type.Object(
        {
          fn: Type.String({ minLength: 1, maxLength: 64 }),
          fd: Type.String({ minLength: 1, maxLength: 64 }),
          fpd: Type.String({ minLength: 1, maxLength: 64 }),
        },
        {
          additionalProperties: false,
          description: "Fiscal drive, document and attribute: all three or none",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SelloutUpload = Type.Object(
  { lines: Type.Array(SelloutLineInput, { minItems: 1, maxItems: 20_000 }) },
  { additionalProperties: false },
);

export const SelloutUploadResult = Type.Object({
  lines: Type.Integer({ description: "Lines written, new or over an earlier line with the same key" }),
});
