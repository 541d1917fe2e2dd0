import {
  AdminProductView,
  errorResponses,
  PageOf,
  PartnerCodeParams,
  ProductImportBody,
  ProductImportResult,
  ProductListQuery,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: products"];

/**
 * The partner's product catalogue: the accounting system uploads it through the POS API; the cabinet
 * searches it and imports CSV files in chunks (whoever changes programs may, as the catalogue feeds them).
 */
export function productRoutes(app: Api, { catalog, clock }: AdminServices): void {
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

  app.post(
    "/partners/:partnerCode/products/import",
    {
      config: { permission: "programs.write" },
      schema: {
        tags,
        operationId: "adminImportProducts",
        summary: "Add or replace up to 1,000 products by SKU (a chunk of a CSV import), audited",
        params: PartnerCodeParams,
        body: ProductImportBody,
        response: { 200: ProductImportResult, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      catalog.importChunk(adminOf(request).actor, partnerOf(request).id, request.body.items, clock.now()),
  );
}
