/**
 * What each role may do: the contract's permission table, the one the server enforces. The cabinet only
 * hides what a role cannot use: the server checks every call.
 */
import {
  type PartnerPermission,
  type PlatformPermission,
  ROLE_PERMISSIONS,
} from "@kopilka/contract/permissions";
import type { CurrentUser, PartnerRole } from "../api/types.ts";

export type Permission = PartnerPermission;
export type { PlatformPermission };
export { ROLE_PERMISSIONS };

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
