/**
 * Who may do what in the cabinet: the one permission table. Every admin route names one permission; the
 * admin surface's hook asks `mayAct` before the handler runs. Roles are held per partner (a membership),
 * so one person can be an owner in one chain and an analyst in another.
 */

import { PARTNER_ROLES } from "@kopilka/contract";

export { PARTNER_ROLES };
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/** Permissions that act inside one partner: the route names the partner (`/partners/{partnerCode}/…`). */
export const PARTNER_PERMISSIONS = [
  "partner.read",
  "stores.read",
  "stores.write",
  "credentials.read",
  "credentials.write",
  "users.read",
  "users.write",
  "programs.read",
  "programs.write",
  "participants.write",
  "rules.write",
  "promo-codes.write",
  "levels.write",
  "cards.read",
  "cards.write",
  "clients.read",
  "clients.write",
  "purchases.read",
  "purchases.write",
  "points.adjust",
  "reports.read",
  "audit.read",
] as const;
export type PartnerPermission = (typeof PARTNER_PERMISSIONS)[number];

/** Permissions over the whole platform: only platform administrators hold them. */
export const PLATFORM_PERMISSIONS = ["platform.partners", "platform.users", "platform.audit"] as const;
export type PlatformPermission = (typeof PLATFORM_PERMISSIONS)[number];

/**
 * What a route needs: a partner or platform permission, `session` (any signed-in user acting on their
 * own account: me, logout, password) or `public` (login).
 */
export type RoutePermission = PartnerPermission | PlatformPermission | "session" | "public";

const READ_COMMON: readonly PartnerPermission[] = ["partner.read", "stores.read", "programs.read"];

export const ROLE_PERMISSIONS: Readonly<Record<PartnerRole, ReadonlySet<PartnerPermission>>> = {
  owner: new Set(PARTNER_PERMISSIONS),
  marketer: new Set([...READ_COMMON, "programs.write", "rules.write", "promo-codes.write", "levels.write"]),
  operator: new Set([
    ...READ_COMMON,
    "cards.read",
    "cards.write",
    "clients.read",
    "clients.write",
    "purchases.read",
    "purchases.write",
    "points.adjust",
  ]),
  analyst: new Set([
    ...READ_COMMON,
    "credentials.read",
    "users.read",
    "cards.read",
    "clients.read",
    "purchases.read",
    "reports.read",
    "audit.read",
  ]),
};

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
