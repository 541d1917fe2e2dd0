import {
  errorResponses,
  PageOf,
  PartnerCodeParams,
  PartnerCreate,
  PartnerListQuery,
  PartnerUpdate,
  PartnerView,
} from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { adminOf } from "./context.js";
import { pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: partners"];

export function partnerRoutes(app: Api, { admin }: AdminServices): void {
  app.get(
    "/partners",
    {
      config: { permission: "platform.partners" },
      schema: {
        tags,
        operationId: "adminListPartners",
        summary: "List partners (platform administrators)",
        querystring: PartnerListQuery,
        response: { 200: PageOf(PartnerView), ...errorResponses(401, 403) },
      },
    },
    async (request) => admin.listPartners({ q: request.query.q }, pageQuery(request.query, "code")),
  );

  app.post(
    "/partners",
    {
      config: { permission: "platform.partners" },
      schema: {
        tags,
        operationId: "adminCreatePartner",
        summary: "Create a partner (a retail chain or a manufacturer)",
        body: PartnerCreate,
        response: { 201: PartnerView, ...errorResponses(401, 403, 409) },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return admin.createPartner(adminOf(request).actor, request.body);
    },
  );

  app.get(
    "/partners/:partnerCode",
    {
      config: { permission: "partner.read" },
      schema: {
        tags,
        operationId: "adminGetPartner",
        summary: "One partner (its members, or platform administrators)",
        params: PartnerCodeParams,
        response: { 200: PartnerView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.getPartner(request.params.partnerCode),
  );

  app.patch(
    "/partners/:partnerCode",
    {
      config: { permission: "platform.partners" },
      schema: {
        tags,
        operationId: "adminUpdatePartner",
        summary: "Rename a partner (platform administrators)",
        params: PartnerCodeParams,
        body: PartnerUpdate,
        response: { 200: PartnerView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => admin.updatePartner(adminOf(request).actor, request.params.partnerCode, request.body),
  );
}
