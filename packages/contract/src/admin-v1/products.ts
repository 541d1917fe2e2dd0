/** Schemas of the partner's product catalogue as the cabinet lists it. */
import { Type } from "typebox";
import { ProductItem, ProductView } from "../pos-v1/products.js";
import { AdminText, ListQuery, Timestamp } from "./common.js";

export const AdminProductView = Type.Object({
  ...ProductView.properties,
  updatedAt: Timestamp,
});

/** `q` finds products whose SKU, barcode or name starts with it (case-insensitive). */
export const ProductListQuery = ListQuery(["sku", "name", "updatedAt"], {
  q: Type.Optional(AdminText(1, 100)),
});

/** One chunk of a CSV import: the cabinet sends a file in chunks and shows their progress. */
export const ProductImportBody = Type.Object(
  { items: Type.Array(ProductItem, { minItems: 1, maxItems: 1_000 }) },
  { additionalProperties: false },
);

export const ProductImportResult = Type.Object({
  created: Type.Integer({ description: "SKUs the catalogue did not have" }),
  updated: Type.Integer({ description: "SKUs whose product was replaced" }),
});
