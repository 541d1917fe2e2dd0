/** What the admin surface's hook establishes for a route: the session, the user, the partner and role. */
import type { FastifyRequest } from "fastify";
import { type PartnerRole, type RoutePermission, seesContacts } from "../../core/admin/permissions.js";
import type { Actor, PartnerRef } from "../../modules/admin/index.js";
import type { ActiveSession } from "../../modules/users/index.js";

export interface AdminContext {
  session: ActiveSession;
  /** The partner the path names (partner routes only). */
  partner: PartnerRef | null;
  role: PartnerRole | null;
  actor: Actor;
}

declare module "fastify" {
  interface FastifyRequest {
    admin: AdminContext | null;
  }
  interface FastifyContextConfig {
    /** Every admin route declares what it needs; the surface refuses to register one that does not. */
    permission?: RoutePermission;
  }
}

export function adminOf(request: FastifyRequest): AdminContext {
  if (!request.admin) throw new Error("route is missing the admin authentication hook");
  return request.admin;
}

/** The partner of a partner route (the hook has resolved it and checked the role). */
export function partnerOf(request: FastifyRequest): PartnerRef {
  const { partner } = adminOf(request);
  if (!partner) throw new Error("route has no partner in its path");
  return partner;
}

export const SESSION_COOKIE = "kopilka_session";
export const CSRF_COOKIE = "kopilka_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** Whether the caller sees clients' phones and e-mails in clear (the permission table decides). */
export function revealsContacts(request: FastifyRequest): boolean {
  const { session, role } = adminOf(request);
  return seesContacts({ platformAdmin: session.user.platformAdmin, role });
}
