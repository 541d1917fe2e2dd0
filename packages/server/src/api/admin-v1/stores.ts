import {
  AdminCode,
  errorResponses,
  PageOf,
  PartnerCodeParams,
  PartnerParams,
  StoreCreate,
  StoreListQuery,
  StoreUpdate,
  StoreView,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf, partnerOf } from "./context.js";
import { flag, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: stores"];
const StoreParams = PartnerParams({ storeCode: AdminCode });

export function storeRoutes(app: Api, { admin }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/stores",
    {
      config: { permission: "stores.read" },
      schema: {
        tags,
        operationId: "adminListStores",
        summary: "List the partner's stores",
        params: PartnerCodeParams,
        querystring: StoreListQuery,
        response: { 200: PageOf(StoreView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.listStores(
        partnerOf(request),
        { active: flag(request.query.active), q: request.query.q },
        pageQuery(request.query, "code"),
      ),
  );

  app.post(
    "/partners/:partnerCode/stores",
    {
      config: { permission: "stores.write" },
      schema: {
        tags,
        operationId: "adminCreateStore",
        summary: "Create a store",
        params: PartnerCodeParams,
        body: StoreCreate,
        response: { 201: StoreView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return admin.createStore(adminOf(request).actor, partnerOf(request), request.body);
    },
  );

  app.get(
    "/partners/:partnerCode/stores/:storeCode",
    {
      config: { permission: "stores.read" },
      schema: {
        tags,
        operationId: "adminGetStore",
        summary: "One store",
        params: StoreParams,
        response: { 200: StoreView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.getStore(partnerOf(request), request.params.storeCode),
  );

  app.patch(
    "/partners/:partnerCode/stores/:storeCode",
    {
      config: { permission: "stores.write" },
      schema: {
        tags,
        operationId: "adminUpdateStore",
        summary: "Change a store's name, time zone or address",
        params: StoreParams,
        body: StoreUpdate,
        response: { 200: StoreView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) =>
      admin.updateStore(adminOf(request).actor, partnerOf(request), request.params.storeCode, request.body),
  );

  for (const [action, active] of [
    ["disable", false],
    ["enable", true],
  ] as const) {
    app.post(
      `/partners/:partnerCode/stores/:storeCode/${action}`,
      {
        config: { permission: "stores.write" },
        schema: {
          tags,
          operationId: `admin${action === "enable" ? "Enable" : "Disable"}Store`,
          summary:
            action === "disable"
              ? "Disable a store: its tills get STORE_NOT_FOUND at once, and within a second on other server processes"
              : "Enable a disabled store",
          params: StoreParams,
          response: { 200: StoreView, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) =>
        admin.setStoreActive(adminOf(request).actor, partnerOf(request), request.params.storeCode, active),
    );
  }
}
