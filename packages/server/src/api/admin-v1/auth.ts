import {
  Done,
  errorResponses,
  LoginRequest,
  LoginResponse,
  PasswordChangeRequest,
  SessionInfo,
} from "@kopilka/contract";
import type { FastifyReply, FastifyRequest } from "fastify";
import { iso } from "../../modules/admin/index.js";
import type { Api } from "../http/types.js";
import { adminOf, CSRF_COOKIE, SESSION_COOKIE } from "./context.js";
import type { AdminServices } from "./services.js";

const COOKIE_PATH = "/admin";
/** The cabinet is served at `/`: its pages must read the CSRF cookie. */
const CSRF_COOKIE_PATH = "/";

export function authRoutes(app: Api, { sessions, admin, cookieSecure }: AdminServices): void {
  const cookieOptions = (request: FastifyRequest, expires: Date, path = COOKIE_PATH) => ({
    path,
    sameSite: "strict" as const,
    secure: cookieSecure || request.protocol === "https",
    expires,
  });
  const clearCookies = (request: FastifyRequest, reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, cookieOptions(request, new Date(0)));
    reply.clearCookie(CSRF_COOKIE, cookieOptions(request, new Date(0), CSRF_COOKIE_PATH));
  };

  app.post(
    "/auth/login",
    {
      config: { permission: "public" },
      schema: {
        tags: ["admin: auth"],
        operationId: "adminLogin",
        summary: "Sign in with e-mail and password",
        description:
          "session=cookie (default): sets the httpOnly session cookie and the readable kopilka_csrf cookie, and answers the CSRF token to send as X-CSRF-Token on unsafe requests. session=bearer: answers a token for `Authorization: Bearer` (no cookie, no CSRF). Throttled per e-mail and per address like POS logins.",
        security: [],
        body: LoginRequest,
        response: { 200: LoginResponse, ...errorResponses(401, 429) },
      },
    },
    async (request, reply) => {
      const kind = request.body.session ?? "cookie";
      const opened = await sessions.login(request.body.email, request.body.password, request.ip, kind);
      if (kind === "cookie") {
        const expires = new Date(opened.expiresAt);
        reply.setCookie(SESSION_COOKIE, opened.token, { ...cookieOptions(request, expires), httpOnly: true });
        // Readable by the cabinet's scripts (served at /) after a reload or in a new tab; useless to
        // another site (same-origin policy). The session cookie itself stays on /admin.
        reply.setCookie(CSRF_COOKIE, opened.csrfToken!, {
          ...cookieOptions(request, expires, CSRF_COOKIE_PATH),
          httpOnly: false,
        });
      }
      return {
        session: kind,
        token: kind === "bearer" ? opened.token : null,
        csrfToken: opened.csrfToken,
        expiresAt: iso(opened.expiresAt),
        idleTimeoutSeconds: opened.idleTimeoutSeconds,
        user: await admin.currentUser(opened.user),
      };
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { permission: "session" },
      schema: {
        tags: ["admin: auth"],
        operationId: "adminLogout",
        summary: "End this session",
        response: { 200: Done, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await sessions.end(adminOf(request).session.sessionId);
      clearCookies(request, reply);
      return { ok: true as const };
    },
  );

  app.get(
    "/auth/me",
    {
      config: { permission: "session" },
      schema: {
        tags: ["admin: auth"],
        operationId: "adminMe",
        summary: "The signed-in user, their roles and the session",
        response: { 200: SessionInfo, ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const { session } = adminOf(request);
      return {
        session: session.kind,
        expiresAt: iso(session.expiresAt),
        idleTimeoutSeconds: sessions.idleTimeoutSeconds,
        user: await admin.currentUser(session.user),
      };
    },
  );

  app.post(
    "/auth/password",
    {
      config: { permission: "session" },
      schema: {
        tags: ["admin: auth"],
        operationId: "adminChangePassword",
        summary: "Change the password (with the current one); every other session of the user ends",
        body: PasswordChangeRequest,
        response: { 200: Done, ...errorResponses(401, 403, 422) },
      },
    },
    async (request) => {
      const { session, actor } = adminOf(request);
      await admin.changePassword(
        actor,
        session.user,
        session.sessionId,
        request.body.currentPassword,
        request.body.newPassword,
      );
      return { ok: true as const };
    },
  );
}
