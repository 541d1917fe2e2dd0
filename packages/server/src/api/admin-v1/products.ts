import {
  AdminProductView,
  errorResponses,
  PageOf,
  PartnerCodeParams,
  ProductListQuery,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { partnerOf } from "./context.js";
import { pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: products"];

/** The partner's product catalogue, read-only here: the accounting system uploads it through the POS API. */
export function productRoutes(app: Api, { catalog }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/products",
    {
      config: { permission: "programs.read" },
      schema: {
        tags,
        operationId: "adminListProducts",
        summary: "Search the partner's products by SKU, barcode or name prefix, a keyset page at a time",
        params: PartnerCodeParams,
        querystring: ProductListQuery,
        response: { 200: PageOf(AdminProductView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      catalog.list(partnerOf(request).id, { q: request.query.q }, pageQuery(request.query, "sku")),
  );
}
