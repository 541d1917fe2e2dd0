import { Type } from "typebox";
import { errorResponses } from "../../http/errors.js";
import type { Api } from "../../http/types.js";
import type { AuthService } from "./auth-service.js";

const TokenRequest = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 128 }),
    secret: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal("Bearer"),
  expiresAt: Type.String({ format: "date-time" }),
  expiresIn: Type.Integer({ description: "seconds" }),
});

export function authRoutes(app: Api, auth: AuthService): void {
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

/** Adds the bearer-token check to every route registered in `app` (a scoped plugin). */
export function requireAuthentication(app: Api, auth: AuthService): void {
  app.addHook("onRequest", async (request) => {
    request.principal = await auth.authenticate(request.headers.authorization);
  });
}
