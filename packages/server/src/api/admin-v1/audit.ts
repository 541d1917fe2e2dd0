import { AuditEntryView, AuditListQuery, errorResponses, PageOf, PartnerCodeParams } from "@kopilka/contract";
import type { FastifyRequest } from "fastify";
import type { Api } from "../http/types.js";
import { partnerOf } from "./context.js";
import { epochMs, pageQuery } from "./query.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: audit"];

type AuditQuery = {
  limit?: string;
  cursor?: string;
  sort?: "id" | "-id";
  userId?: string;
  entityType?: string;
  entityId?: string;
  from?: string;
  to?: string;
};

function auditFilter(query: AuditQuery) {
  return {
    userId: query.userId === undefined ? undefined : Number(query.userId),
    entityType: query.entityType,
    entityId: query.entityId,
    from: epochMs(query.from, "from"),
    to: epochMs(query.to, "to"),
  };
}

export function auditRoutes(app: Api, { admin }: AdminServices): void {
  const list = (request: FastifyRequest, partner: Parameters<typeof admin.listAudit>[0]) => {
    const query = request.query as AuditQuery;
    return admin.listAudit(partner, auditFilter(query), pageQuery(query, "-id"));
  };

  app.get(
    "/partners/:partnerCode/audit",
    {
      config: { permission: "audit.read" },
      schema: {
        tags,
        operationId: "adminListPartnerAudit",
        summary: "The partner's audit log, newest first; filter by user, entity, period",
        params: PartnerCodeParams,
        querystring: AuditListQuery,
        response: { 200: PageOf(AuditEntryView), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => list(request, partnerOf(request)),
  );

  app.get(
    "/audit",
    {
      config: { permission: "platform.audit" },
      schema: {
        tags,
        operationId: "adminListAudit",
        summary: "The whole platform's audit log (platform administrators)",
        querystring: AuditListQuery,
        response: { 200: PageOf(AuditEntryView), ...errorResponses(401, 403) },
      },
    },
    async (request) => list(request, null),
  );
}
