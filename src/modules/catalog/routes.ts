import { Type } from "typebox";
import type { Clock } from "../../app/context.js";
import { ApiError, errorResponses } from "../../http/errors.js";
import { type Api, principalOf } from "../../http/types.js";
import type { Database } from "../../infra/db/database.js";
import { requireUnboundCredential } from "../stores/access.js";
import { getProduct, upsertProducts } from "./products.js";

const OptionalText = (max: number) =>
  Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

const ProductItem = Type.Object(
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

const ProductView = Type.Object({
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

const tags = ["products"];

export function productRoutes(app: Api, database: Database, clock: Clock): void {
  app.put(
    "/v1/products",
    {
      schema: {
        tags,
        summary: "Upsert a batch of products by SKU",
        body: Type.Object(
          { items: Type.Array(ProductItem, { minItems: 1, maxItems: 5_000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ upserted: Type.Integer() }), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireUnboundCredential(principal);
      const seen = new Set<string>();
      request.body.items.forEach((p, i) => {
        if (seen.has(p.sku))
          throw new ApiError("DUPLICATE_ITEM", `SKU ${p.sku} is listed twice`, { field: `items[${i}].sku` });
        seen.add(p.sku);
      });
      return {
        upserted: await upsertProducts(database, principal.partnerId, request.body.items, clock.now()),
      };
    },
  );

  app.get(
    "/v1/products/:sku",
    {
      schema: {
        tags,
        summary: "A product by SKU",
        params: Type.Object({ sku: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: ProductView, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const row = await getProduct(database.db, principalOf(request).partnerId, request.params.sku);
      if (!row) throw new ApiError("PRODUCT_NOT_FOUND", "no such product", { field: "sku" });
      return {
        sku: row.sku,
        barcode: row.barcode,
        name: row.name,
        category: row.category,
        brand: row.brand,
        manufacturer: row.manufacturer,
        excludedFromPointsPayment: row.excluded_from_points_payment === 1,
        excludedFromAccrual: row.excluded_from_accrual === 1,
        minPrice: row.min_price,
      };
    },
  );
}
