/** Schemas of the product endpoints. */
import { Type } from "typebox";

export const OptionalText = (max: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

export const ProductItem = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    barcode: OptionalText(64),
    name: Type.String({ minLength: 1, maxLength: 512 }),
    category: OptionalText(128),
    brand: OptionalText(128),
    manufacturer: OptionalText(256),
    excludedFromPointsPayment: Type.Optional(Type.Boolean()),
    excludedFromAccrual: Type.Optional(Type.Boolean()),
    minPrice: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000_000, description: "kopecks per unit" }),
    ),
  },
  { additionalProperties: false },
);

export const ProductView = Type.Object({
  sku: Type.String(),
  barcode: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  brand: Type.Union([Type.String(), Type.Null()]),
  manufacturer: Type.Union([Type.String(), Type.Null()]),
  excludedFromPointsPayment: Type.Boolean(),
  excludedFromAccrual: Type.Boolean(),
  minPrice: Type.Integer(),
});
