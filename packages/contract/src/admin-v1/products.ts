/** Schemas of the partner's product catalogue as the cabinet lists it. */
import { Type } from "typebox";
import { ProductView } from "../pos-v1/products.js";
import { AdminText, ListQuery, Timestamp } from "./common.js";

export const AdminProductView = Type.Object({
  ...ProductView.properties,
  updatedAt: Timestamp,
});

/** `q` finds products whose SKU, barcode or name starts with it (case-insensitive). */
export const ProductListQuery = ListQuery(["sku", "name", "updatedAt"], {
  q: Type.Optional(AdminText(1, 100)),
});
