import { errorResponses, TokenRequest, TokenResponse } from "@kopilka/contract";
import type { Api } from "../http/types.js";
import type { PosServices } from "./services.js";

export function authRoutes(app: Api, { auth }: PosServices): void {
  app.post(
    "/v1/auth/token",
    {
      schema: {
        tags: ["auth"],
        summary: "Exchange POS credentials for a bearer token",
        description:
          "Throttled per login and per client address: after LOGIN_MAX_FAILURES wrong secrets the login is locked for LOGIN_LOCK_SECONDS (429 RATE_LIMITED with Retry-After), even for the right secret.",
        security: [],
        body: TokenRequest,
        response: { 200: TokenResponse, ...errorResponses(401, 429) },
      },
    },
    async (request) => auth.issue(request.body.login, request.body.secret, request.ip),
  );
}
