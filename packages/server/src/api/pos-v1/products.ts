import { errorResponses, ProductItem, ProductView } from "@kopilka/contract";
import { Type } from "typebox";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["products"];

export function productRoutes(app: Api, { catalog, clock }: PosServices): void {
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
    async (request) => ({
      upserted: await catalog.upload(principalOf(request), request.body.items, clock.now()),
    }),
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
    async (request) => catalog.view(principalOf(request), request.params.sku),
  );
}
