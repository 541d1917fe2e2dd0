import { errorResponses, ReportParams, ReportQuery, ReportView } from "@kopilka/contract";
import {
  CSV_CONTENT_TYPE,
  reportToCsv,
  reportToXlsx,
  XLSX_CONTENT_TYPE,
} from "../../modules/reports/index.js";
import type { Api } from "../http/types.js";
import { partnerOf } from "./context.js";
import type { AdminServices } from "./services.js";

const tags = ["admin: reports"];

export function reportRoutes(app: Api, { reports }: AdminServices): void {
  app.get(
    "/partners/:partnerCode/reports/:kind",
    {
      config: { permission: "reports.read" },
      schema: {
        tags,
        operationId: "adminReport",
        summary:
          "A report for a period: sales and discounts (by day, store and rule), points movement, reconciliation (totals per program, every discounted line), stock, or sell-out against confirmed discounts; as JSON, Excel or CSV",
        params: ReportParams,
        produces: ["application/json", XLSX_CONTENT_TYPE, "text/csv"],
        querystring: ReportQuery,
        response: { 200: ReportView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const partner = partnerOf(request);
      const { from, to, timezone, storeCode, format, table } = request.query;
      const report = await reports.build({
        partnerCode: partner.code,
        kind: request.params.kind,
        from,
        to,
        ...(timezone !== undefined ? { timezone } : {}),
        ...(storeCode !== undefined ? { storeCode } : {}),
      });
      const fileName = `${partner.code}-${report.kind}-${report.period.from}-${report.period.to}`;
      if (format === "xlsx") {
        const file = await reportToXlsx(report);
        return reply
          .type(XLSX_CONTENT_TYPE)
          .header("content-disposition", `attachment; filename="${fileName}.xlsx"`)
          .send(file as never);
      }
      if (format === "csv") {
        return reply
          .type(CSV_CONTENT_TYPE)
          .header("content-disposition", `attachment; filename="${fileName}.csv"`)
          .send(reportToCsv(report, table) as never);
      }
      return report;
    },
  );
}
