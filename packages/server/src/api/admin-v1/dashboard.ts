import { DashboardQuery, DashboardView, errorResponses, PartnerCodeParams } from "@kopilka/contract";
import type { Api } from "../http/types.js";
import { partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: reports"];

export function dashboardRoutes(app: Api, { stats }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/dashboard",
    {
      config: { permission: "reports.read" },
      schema: {
        tags,
        operationId: "adminDashboard",
        summary:
          "Figures of a period, store and program from the hourly roll-up: sales with and without card, discount, points, active cards, new clients, purchases per day and hour, top rules, hanging purchases now",
        params: PartnerCodeParams,
        querystring: DashboardQuery,
        response: { 200: DashboardView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { from, to, timezone, storeCode, programCode } = request.query;
      return stats.dashboard({
        partnerId: partnerOf(request).id,
        from,
        to,
        ...(timezone !== undefined ? { timezone } : {}),
        ...(storeCode !== undefined ? { storeCode } : {}),
        ...(programCode !== undefined ? { programCode } : {}),
      });
    },
  );
}
