/**
 * The admin API behind the web cabinet, `/admin/v1`. Every route declares the permission it needs
 * (`config.permission`); the surface refuses to register one that does not. One hook on the scope then
 * authenticates the session (bearer token, or the session cookie plus the CSRF header on unsafe
 * methods), resolves the partner a partner route names (`/partners/{partnerCode}/…`) and the caller's
 * role there, and checks the permission table (`core/admin/permissions.ts`) before any handler runs.
 */
import cookie from "@fastify/cookie";
import { AdminCode } from "@kopilka/contract";
import type { FastifyRequest } from "fastify";
import {
  isPartnerPermission,
  isRoutePermission,
  mayAct,
  type RoutePermission,
} from "../../core/admin/permissions.js";
import { DomainError } from "../../kernel/errors.js";
import type { Api } from "../http/types.js";
import { antiFraudRoutes } from "./anti-fraud.js";
import { auditRoutes } from "./audit.js";
import { authRoutes } from "./auth.js";
import { cardRoutes } from "./cards.js";
import { clientRoutes } from "./clients.js";
import { CSRF_HEADER, SESSION_COOKIE } from "./context.js";
import { credentialRoutes } from "./credentials.js";
import { dashboardRoutes } from "./dashboard.js";
import { discountProgramRoutes } from "./discount-programs.js";
import { levelRoutes } from "./levels.js";
import { partnerRoutes } from "./partners.js";
import { productRoutes } from "./products.js";
import { programRoutes } from "./programs.js";
import { promoCodeRoutes } from "./promo-codes.js";
import { purchaseRoutes } from "./purchases.js";
import { registrationRoutes } from "./registration.js";
import { reportRoutes } from "./reports.js";
import { ruleRoutes } from "./rules.js";
import type { AdminServices } from "./services.js";
import { storeRoutes } from "./stores.js";
import { userRoutes } from "./users.js";

export const ADMIN_PREFIX = "/admin/v1";

/** Every route module of this surface has this signature. */
export type AdminRoutes = (app: Api, services: AdminServices) => void;

const ROUTES: readonly AdminRoutes[] = [
  authRoutes,
  partnerRoutes,
  storeRoutes,
  credentialRoutes,
  userRoutes,
  programRoutes,
  registrationRoutes,
  clientRoutes,
  cardRoutes,
  purchaseRoutes,
  ruleRoutes,
  auditRoutes,
  promoCodeRoutes,
  levelRoutes,
  reportRoutes,
  discountProgramRoutes,
  dashboardRoutes,
  productRoutes,
  antiFraudRoutes,
];

const PARTNER_CODE = new RegExp(
  (AdminCode as { pattern?: string }).pattern ?? "^[A-Za-z0-9][A-Za-z0-9._-]*$",
);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A registered admin route and what it needs: the role-matrix test walks these. */
export interface AdminRouteInfo {
  method: string;
  url: string;
  permission: RoutePermission;
}

export async function registerAdminV1(app: Api, services: AdminServices): Promise<AdminRouteInfo[]> {
  const registered: AdminRouteInfo[] = [];
  await app.register(
    async (scope: Api) => {
      await scope.register(cookie);
      scope.decorateRequest("admin", null);
      installRouteGuard(scope, registered);
      scope.addHook("onRequest", async (request) => {
        await authorize(request, services);
      });
      for (const routes of ROUTES) routes(scope, services);
    },
    { prefix: ADMIN_PREFIX },
  );
  return registered;
}

/** Refuses, at registration, a route that declares no permission or a partner route without a partner. */
export function installRouteGuard(scope: Api, registered: AdminRouteInfo[]): void {
  scope.addHook("onRoute", (route) => {
    const permission = route.config?.permission;
    if (!isRoutePermission(permission)) {
      throw new Error(`admin route ${route.method} ${route.url} declares no permission`);
    }
    if (isPartnerPermission(permission) && !route.url.includes(":partnerCode")) {
      throw new Error(`admin route ${route.method} ${route.url} needs a partner but has no :partnerCode`);
    }
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") registered.push({ method, url: route.url, permission });
    }
  });
}

function presentedToken(request: FastifyRequest): { token: string; via: "bearer" | "cookie" } | null {
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
  if (bearer) return { token: bearer[1]!, via: "bearer" };
  const fromCookie = request.cookies[SESSION_COOKIE];
  return fromCookie ? { token: fromCookie, via: "cookie" } : null;
}

async function authorize(request: FastifyRequest, { sessions, admin }: AdminServices): Promise<void> {
  const permission = request.routeOptions.config.permission as RoutePermission;
  if (permission === "public") return;
  const presented = presentedToken(request);
  if (!presented) {
    throw new DomainError("UNAUTHORIZED", "sign in: a session cookie or a bearer token is required", {
      field: "authorization",
    });
  }
  const session = await sessions.authenticate(presented.token);
  // A browser attaches the cookie to any request, even one a foreign page makes it send; only a page of
  // ours can read the CSRF token and echo it. A bearer token is never attached by a browser on its own.
  if (presented.via === "cookie" && !SAFE_METHODS.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    if (
      session.kind !== "cookie" ||
      !sessions.csrfMatches(session, typeof header === "string" ? header : undefined)
    ) {
      throw new DomainError(
        "CSRF_FAILED",
        "the X-CSRF-Token header is missing or does not match the session",
        {
          field: CSRF_HEADER,
        },
      );
    }
  }
  const { user } = session;
  if (user.mustChangePassword && permission !== "session") {
    throw new DomainError("PASSWORD_CHANGE_REQUIRED", "change the one-time password first", {
      field: "authorization",
    });
  }
  let standing: Awaited<ReturnType<typeof admin.standing>> = { partner: null, role: null };
  if (isPartnerPermission(permission)) {
    const { partnerCode } = request.params as { partnerCode: string };
    // The partner is resolved before schema validation runs: a code that cannot be one never reaches
    // the database (PostgreSQL refuses a NUL in a query with an error of its own).
    if (!PARTNER_CODE.test(partnerCode)) {
      throw new DomainError("VALIDATION_FAILED", "params field partnerCode is not a partner code", {
        field: "partnerCode",
        location: "params",
        rule: "pattern",
      });
    }
    standing = await admin.standing(user.id, partnerCode);
  }
  if (!mayAct({ platformAdmin: user.platformAdmin, role: standing.role }, permission)) {
    throw new DomainError("PERMISSION_DENIED", `this needs the permission ${permission}`, { permission });
  }
  if (isPartnerPermission(permission) && !standing.partner) {
    throw new DomainError("PARTNER_NOT_FOUND", "no such partner", { field: "partnerCode" });
  }
  request.admin = {
    session,
    partner: standing.partner,
    role: standing.role,
    actor: { userId: user.id, address: request.ip },
  };
}
