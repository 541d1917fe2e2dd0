import { errorResponses, ProgramView } from "@kopilka/contract";
import { Type } from "typebox";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

export function programRoutes(app: Api, { programs }: PosServices): void {
  app.get(
    "/v1/programs",
    {
      schema: {
        tags: ["programs"],
        summary: "The partner's active programs and their terms",
        response: { 200: Type.Object({ programs: Type.Array(ProgramView) }), ...errorResponses(401) },
      },
    },
    async (request) => ({ programs: await programs.listActive(principalOf(request).partnerId) }),
  );
}
