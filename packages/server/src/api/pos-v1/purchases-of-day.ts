import {
  errorResponses,
  StorePurchasesPage,
  StorePurchasesParams,
  StorePurchasesQuery,
} from "@kopilka/contract";
import { DomainError } from "../../kernel/errors.js";
import { reportPeriod } from "../../modules/reports/index.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

const tags = ["purchases"];
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

/** A real calendar date: the pattern lets 2026-02-30 through, and the day must not slide into March. */
function isCalendarDate(day: string): boolean {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

/**
 * `GET /v1/stores/{storeCode}/purchases?day=`: the till's side of the daily reconciliation. A store-bound
 * credential reads its own store only; the day is counted in the store's zone, as its receipts are.
 */
export function purchasesOfDayRoutes(app: Api, { purchases, stores }: PosServices): void {
  app.get(
    "/v1/stores/:storeCode/purchases",
    {
      schema: {
        tags,
        summary:
          "A store's purchases calculated on a local day, in pages (the till's reconciliation with its journal)",
        params: StorePurchasesParams,
        querystring: StorePurchasesQuery,
        response: { 200: StorePurchasesPage, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { storeCode } = request.params;
      const { day, posCode, cursor } = request.query;
      if (!isCalendarDate(day)) {
        throw new DomainError("VALIDATION_FAILED", "day is not a calendar date", {
          field: "day",
          reason: "YYYY-MM-DD",
        });
      }
      const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new DomainError("VALIDATION_FAILED", `limit must be from 1 to ${MAX_LIMIT}`, {
          field: "limit",
          reason: `from 1 to ${MAX_LIMIT}`,
        });
      }
      const store = await stores.byCode(principal.partnerId, storeCode);
      // Another store of the chain is forbidden to a bound credential whether or not it exists: a till
      // learns nothing about the chain's other stores from this route.
      if (principal.storeId !== null && store?.id !== principal.storeId) {
        throw new DomainError("FORBIDDEN", "a store-bound credential reads its own store only", {
          field: "storeCode",
        });
      }
      if (!store) {
        throw new DomainError("STORE_NOT_FOUND", `no store ${storeCode}`, { field: "storeCode", storeCode });
      }
      const period = reportPeriod(day, day, store.timezone);
      const page = await purchases.ofStoreDay({
        partnerId: principal.partnerId,
        storeId: store.id,
        from: period.from,
        to: period.to,
        ...(posCode !== undefined ? { posCode } : {}),
        ...(cursor !== undefined ? { afterId: Number(cursor) } : {}),
        limit,
      });
      return {
        storeCode: store.code,
        day,
        timezone: store.timezone,
        from: new Date(period.from).toISOString(),
        to: new Date(period.to).toISOString(),
        items: page.items,
        nextCursor: page.nextAfterId === null ? null : String(page.nextAfterId),
      };
    },
  );
}
