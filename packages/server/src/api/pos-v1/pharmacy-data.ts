import {
  errorResponses,
  SelloutUpload,
  SelloutUploadResult,
  StockUpload,
  StockUploadResult,
  StockView,
  StoreCardView,
  StoreCodeParams,
  StoreListResult,
  StoreListUpload,
} from "@kopilka/contract";
import { productCodeOf } from "../../core/pharmacy-data.js";
import { DomainError } from "../../kernel/errors.js";
import { requireUnboundCredential } from "../../modules/auth/index.js";
import { selloutLineOfNative } from "../../modules/sellout/index.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["pharmacy data"];

/** A store's whole stock of 100k rows is about 10 MB of JSON: this route takes more than the POS routes. */
export const STOCK_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The chain's stores, stock and sell-out for chains that do not speak PharmApi: the same services and
 * tables as its upload methods, in the units of `/v1` (kopecks, thousandths).
 */
export function pharmacyDataRoutes(app: Api, { pharmacies, stock, sellout, stores }: PosServices): void {
  app.put(
    "/v1/stores",
    {
      schema: {
        tags,
        summary: "Upload the chain's store list (merge or replace), with each store's POS ids",
        body: StoreListUpload,
        response: { 200: StoreListResult, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      requireUnboundCredential(principal);
      const { pharmacies: distinct, ...result } = await pharmacies.apply(
        principal.partnerId,
        request.body.mode,
        request.body.stores,
        "stores",
      );
      return { stores: distinct, ...result };
    },
  );

  app.get(
    "/v1/stores/:storeCode",
    {
      schema: {
        tags,
        summary: "A store's card and POS ids",
        params: StoreCodeParams,
        response: { 200: StoreCardView, ...errorResponses(401, 404) },
      },
    },
    async (request) => pharmacies.view(principalOf(request).partnerId, request.params.storeCode),
  );

  app.put(
    "/v1/stores/:storeCode/stock",
    {
      bodyLimit: STOCK_BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: "Replace a store's stock and prices with these rows",
        params: StoreCodeParams,
        body: StockUpload,
        response: { 200: StockUploadResult, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { storeCode } = request.params;
      const rows = request.body.items.map((item) => {
        const barcode = item.barcode ?? "";
        const qrCode = item.qrCode ?? "";
        return {
          barcode,
          qrCode,
          lot: item.lot ?? "",
          productCode: productCodeOf(barcode, qrCode),
          name: item.name,
          price: item.price,
          amount: item.amount,
        };
      });
      const result = await stock.replace(
        principal.partnerId,
        [{ storeCode, rows, field: "storeCode", itemsField: "items" }],
        "pos-v1",
        principal.storeId,
      );
      return { rows: result.rows };
    },
  );

  app.get(
    "/v1/stores/:storeCode/stock",
    {
      schema: {
        tags,
        summary: "A store's stock as last uploaded",
        params: StoreCodeParams,
        response: { 200: StockView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { storeCode } = request.params;
      if (principal.storeId !== null) {
        const store = await stores.byCode(principal.partnerId, storeCode);
        if (store && store.id !== principal.storeId) {
          throw new DomainError("FORBIDDEN", "a store-bound credential reads its own store only", {
            field: "storeCode",
          });
        }
      }
      const items = await stock.ofStore(principal.partnerId, storeCode);
      return {
        items: items.map((r) => ({
          barcode: r.barcode || null,
          qrCode: r.qrCode || null,
          lot: r.lot || null,
          productCode: r.productCode,
          name: r.name,
          price: r.price,
          amount: r.amount,
          uploadedAt: new Date(r.uploadedAt).toISOString(),
        })),
      };
    },
  );

  app.post(
    "/v1/sellout",
    {
      schema: {
        tags,
        summary:
          "Report sold lines of program products, discounted or not (idempotent per store, receipt and line)",
        body: SelloutUpload,
        response: { 200: SelloutUploadResult, ...errorResponses(401, 403, 404, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const lines = request.body.lines.map((line, i) => selloutLineOfNative(line, i));
      return sellout.record(principal.partnerId, lines, "pos-v1", principal.storeId);
    },
  );
}
