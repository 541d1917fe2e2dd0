/**
 * What each role may do, as the server's permission table says (packages/server/src/core/admin/
 * permissions.ts; a test keeps the two equal). The cabinet only hides what a role cannot use: the
 * server checks every call.
 */
import type { CurrentUser, PartnerRole } from "../api/types.ts";

export type Permission =
  | "partner.read"
  | "stores.read"
  | "stores.write"
  | "credentials.read"
  | "credentials.write"
  | "users.read"
  | "users.write"
  | "programs.read"
  | "programs.write"
  | "participants.write"
  | "rules.write"
  | "promo-codes.write"
  | "levels.write"
  | "cards.read"
  | "cards.write"
  | "clients.read"
  | "clients.write"
  | "purchases.read"
  | "purchases.write"
  | "points.adjust"
  | "reports.read"
  | "audit.read";

export type PlatformPermission = "platform.partners" | "platform.users" | "platform.audit";

const READ_COMMON: Permission[] = ["partner.read", "stores.read", "programs.read"];

export const ROLE_PERMISSIONS: Record<PartnerRole, ReadonlySet<Permission>> = {
  owner: new Set<Permission>([
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
  ]),
  marketer: new Set<Permission>([
    ...READ_COMMON,
    "programs.write",
    "rules.write",
    "promo-codes.write",
    "levels.write",
  ]),
  operator: new Set<Permission>([
    ...READ_COMMON,
    "cards.read",
    "cards.write",
    "clients.read",
    "clients.write",
    "purchases.read",
    "purchases.write",
    "points.adjust",
  ]),
  analyst: new Set<Permission>([
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

/** The user's enabled role in the partner, if any. */
export function roleIn(user: CurrentUser, partnerCode: string): PartnerRole | null {
  return user.memberships.find((m) => m.partnerCode === partnerCode && m.enabled)?.role ?? null;
}

/** May the user do this in the partner? Platform administrators may do everything everywhere. */
export function can(
  user: CurrentUser,
  partnerCode: string | null,
  permission: Permission | PlatformPermission,
) {
  if (user.platformAdmin) return true;
  if (permission.startsWith("platform.") || partnerCode === null) return false;
  const role = roleIn(user, partnerCode);
  return role !== null && ROLE_PERMISSIONS[role].has(permission as Permission);
}
