import { Type } from "typebox";
import { errorResponses } from "../../http/errors.js";
import { type Api, principalOf } from "../../http/types.js";
import type { Database } from "../../infra/db/database.js";
import { programFromRow } from "./program-catalog.js";

const ProgramView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  holdDays: Type.Integer(),
  cancelWindowMinutes: Type.Integer(),
  purchaseTtlSeconds: Type.Integer(),
  maxPointsPaymentShareBp: Type.Integer({ description: "basis points: 5000 = 50%" }),
  pointsLifetimeDays: Type.Union([Type.Integer(), Type.Null()]),
});

export function programRoutes(app: Api, database: Database): void {
  app.get(
    "/v1/programs",
    {
      schema: {
        tags: ["programs"],
        summary: "The partner's active programs and their terms",
        response: { 200: Type.Object({ programs: Type.Array(ProgramView) }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const rows = await database.db
        .selectFrom("programs")
        .selectAll()
        .where("partner_id", "=", principalOf(request).partnerId)
        .where("active", "=", 1)
        .orderBy("id")
        .execute();
      return { programs: rows.map(programFromRow) };
    },
  );
}
