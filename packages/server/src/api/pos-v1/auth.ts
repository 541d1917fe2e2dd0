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
        security: [],
        body: TokenRequest,
        response: { 200: TokenResponse, ...errorResponses(401) },
      },
    },
    async (request) => auth.issue(request.body.login, request.body.secret),
  );
}
