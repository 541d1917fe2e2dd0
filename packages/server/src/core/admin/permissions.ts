/**
 * How the server enforces the permission table (in the contract). Every admin route names one permission; the
 * admin surface's hook asks `mayAct` before the handler runs. Roles are held per partner (a membership),
 * so one person can be an owner in one chain and an analyst in another.
 */

import {
  PARTNER_PERMISSIONS,
  PARTNER_ROLES,
  type PartnerPermission,
  PLATFORM_PERMISSIONS,
  type PlatformPermission,
  ROLE_PERMISSIONS,
} from "@kopilka/contract";

export type { PartnerPermission, PlatformPermission };
export { PARTNER_PERMISSIONS, PARTNER_ROLES, PLATFORM_PERMISSIONS, ROLE_PERMISSIONS };
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/**
 * What a route needs: a partner or platform permission, `session` (any signed-in user acting on their
 * own account: me, logout, password) or `public` (login).
 */
export type RoutePermission = PartnerPermission | PlatformPermission | "session" | "public";

export function isPartnerPermission(p: RoutePermission): p is PartnerPermission {
  return (PARTNER_PERMISSIONS as readonly string[]).includes(p);
}

export function isPlatformPermission(p: RoutePermission): p is PlatformPermission {
  return (PLATFORM_PERMISSIONS as readonly string[]).includes(p);
}

export function isRoutePermission(p: unknown): p is RoutePermission {
  return (
    typeof p === "string" &&
    (p === "session" ||
      p === "public" ||
      isPartnerPermission(p as RoutePermission) ||
      isPlatformPermission(p as RoutePermission))
  );
}

/** Who is asking: a platform administrator holds every permission in every partner. */
export interface Standing {
  platformAdmin: boolean;
  /** The caller's enabled role in the partner the route names, if any. */
  role: PartnerRole | null;
}

export function mayAct(standing: Standing, permission: RoutePermission): boolean {
  if (permission === "public" || permission === "session") return true;
  if (standing.platformAdmin) return true;
  if (isPlatformPermission(permission)) return false;
  return standing.role !== null && ROLE_PERMISSIONS[standing.role].has(permission);
}

/**
 * Roles that see a client's phone and e-mail in clear: those who serve the client (owner, operator) and
 * platform administrators. Analysts (and any other role) see them masked in lists and views alike; there
 * is no reveal on demand, so nothing else needs auditing.
 */
export const CONTACTS_IN_CLEAR: ReadonlySet<PartnerRole> = new Set(["owner", "operator"]);

export function seesContacts(standing: Standing): boolean {
  return standing.platformAdmin || (standing.role !== null && CONTACTS_IN_CLEAR.has(standing.role));
}
