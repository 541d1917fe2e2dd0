import { AntiFraudHitsQuery, AntiFraudHitsView, errorResponses, PartnerCodeParams } from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: anti-fraud"];

export function antiFraudRoutes(app: Api, { antiFraud }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/anti-fraud/hits",
    {
      config: { permission: "reports.read" },
      schema: {
        tags,
        operationId: "adminAntiFraudHits",
        summary:
          "Cards and POS credentials that hit the programs' anti-fraud caps on a day (refused bonus payments and refunds, trimmed accruals), with counts",
        params: PartnerCodeParams,
        querystring: AntiFraudHitsQuery,
        response: { 200: AntiFraudHitsView, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { day } = request.query;
      return { day, items: await antiFraud.hits(partnerOf(request).id, day) };
    },
  );
}
