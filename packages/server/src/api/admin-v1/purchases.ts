import {
  AdminPurchaseDetail,
  AdminPurchaseParams,
  AdminPurchaseQuery,
  errorResponses,
  HangingList,
  HangingQuery,
  ListedPurchaseView,
  PageOf,
  PartnerCodeParams,
  PurchaseListQuery,
  ResolveHangingBody,
  ResolveOutcomeView,
} from "@kopilka/contract";
import { DomainError } from "../../kernel/errors.js";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { epochMs, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: purchases"];

export function purchaseRoutes(app: Api, { desk }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/purchases",
    {
      config: { permission: "purchases.read" },
      schema: {
        tags,
        operationId: "adminListPurchases",
        summary:
          "Purchases of the partner's stores, and all under programs it owns; filter by period, store, state, card, program, POS",
        params: PartnerCodeParams,
        querystring: PurchaseListQuery,
        response: { 200: PageOf(ListedPurchaseView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = epochMs(q.from, "from");
      const to = epochMs(q.to, "to");
      return desk.listPurchases(
        partnerOf(request),
        {
          ...(from !== undefined ? { from } : {}),
          ...(to !== undefined ? { to } : {}),
          ...(q.storeCode !== undefined ? { storeCode: q.storeCode } : {}),
          ...(q.state !== undefined ? { state: q.state } : {}),
          ...(q.cardNumber !== undefined ? { cardNumber: q.cardNumber } : {}),
          ...(q.programCode !== undefined ? { programCode: q.programCode } : {}),
          ...(q.posCode !== undefined ? { posCode: q.posCode } : {}),
        },
        pageQuery(q, "-createdAt"),
      );
    },
  );

  app.get(
    "/partners/:partnerCode/purchases/hanging",
    {
      config: { permission: "purchases.read" },
      schema: {
        tags,
        operationId: "adminListHangingPurchases",
        summary:
          "Hanging purchases of the partner's stores, oldest first: late confirms waiting for an operator",
        params: PartnerCodeParams,
        querystring: HangingQuery,
        response: { 200: HangingList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const limit = request.query.limit === undefined ? 100 : Number(request.query.limit);
      if (limit < 1 || limit > 200) {
        throw new DomainError("VALIDATION_FAILED", "limit must be from 1 to 200", {
          field: "limit",
          reason: "from 1 to 200",
        });
      }
      return desk.hangingPurchases(partnerOf(request), limit);
    },
  );

  app.get(
    "/partners/:partnerCode/purchases/:purchaseId",
    {
      config: { permission: "purchases.read" },
      schema: {
        tags,
        operationId: "adminGetPurchase",
        summary: "One purchase with its lines, history and refunds",
        params: AdminPurchaseParams,
        querystring: AdminPurchaseQuery,
        response: { 200: AdminPurchaseDetail, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => desk.getPurchase(partnerOf(request), request.params.purchaseId, request.query.partner),
  );

  app.post(
    "/partners/:partnerCode/purchases/:purchaseId/resolve",
    {
      config: { permission: "purchases.write" },
      schema: {
        tags,
        operationId: "adminResolveHangingPurchase",
        summary:
          "Resolve a hanging purchase: cancel it, or confirm it with the receipt its till printed (as kept in its history)",
        params: AdminPurchaseParams,
        body: ResolveHangingBody,
        response: { 200: ResolveOutcomeView, ...errorResponses(401, 403, 404, 409, 422) },
      },
    },
    async (request) =>
      desk.resolvePurchase(
        adminOf(request).actor,
        partnerOf(request),
        request.params.purchaseId,
        request.body,
      ),
  );
}
