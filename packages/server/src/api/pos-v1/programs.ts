import { errorResponses, ProgramView } from "@kopilka/contract";
import { Type } from "typebox";
import type { LoadedProgram } from "../../modules/programs/index.js";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

/** A program as a POS shows it: its terms and its rules by name and validity, not their internals. */
function programView(loaded: LoadedProgram, now: number) {
  const p = loaded.program;
  return {
    code: p.code,
    name: p.name,
    kind: p.kind,
    holdDays: p.holdDays,
    cancelWindowMinutes: p.cancelWindowMinutes,
    purchaseTtlSeconds: p.purchaseTtlSeconds,
    maxPointsPaymentShareBp: p.maxPointsPaymentShareBp,
    pointsLifetimeDays: p.pointsLifetimeDays,
    rules: loaded.rules
      .filter((r) => !r.validTo || Date.parse(r.validTo) > now)
      .map((r) => ({
        id: r.id,
        version: r.version,
        name: r.name,
        description: r.description ?? null,
        validFrom: r.validFrom ?? null,
        validTo: r.validTo ?? null,
      })),
  };
}

export function programRoutes(app: Api, { programs, clock }: PosServices): void {
  app.get(
    "/v1/programs",
    {
      schema: {
        tags: ["programs"],
        summary: "The partner's active programs, their terms and their active rules",
        response: { 200: Type.Object({ programs: Type.Array(ProgramView) }), ...errorResponses(401) },
      },
    },
    async (request) => {
      const now = clock.now();
      const loaded = await programs.listActive(principalOf(request).partnerId);
      return { programs: loaded.map((l) => programView(l, now)) };
    },
  );
}
