import { errorResponses, SettingsQuery, SettingsView } from "@kopilka/contract";
import { type Api, principalOf } from "../http/types.js";
import type { PosServices } from "./services.js";

export function settingsRoutes(app: Api, { clients }: PosServices): void {
  app.get(
    "/v1/settings",
    {
      schema: {
        tags: ["clients"],
        summary:
          "Registration settings of a program (by default the partner's default program): login, confirmation, card attachment, virtual range, points payment limit",
        querystring: SettingsQuery,
        response: { 200: SettingsView, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const s = await clients.settings(principalOf(request).partnerId, request.query.programCode);
      return {
        programCode: s.programCode,
        loginValue: s.loginValue,
        confirmationMethod: s.confirmationMethod,
        attachCardOnRegistration: s.attachCardOnRegistration,
        virtualCards: s.virtualCards,
        pointsPayment: { maxShareBp: s.maxPointsPaymentShareBp },
      };
    },
  );
}
