/**
 * Who may do what in the cabinet: the one permission table, shared by the server (which enforces it on
 * every admin route) and the web cabinet (which only hides what a role cannot use). Pure data, no
 * schema library: the cabinet imports it at run time as `@kopilka/contract/permissions`.
 */

/** The roles a cabinet user can hold in a partner; platform administrators hold no role. */
export const PARTNER_ROLES = ["owner", "marketer", "operator", "analyst"] as const;
export type PartnerRoleName = (typeof PARTNER_ROLES)[number];

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

const READ_COMMON: readonly PartnerPermission[] = ["partner.read", "stores.read", "programs.read"];

export const ROLE_PERMISSIONS: Readonly<Record<PartnerRoleName, ReadonlySet<PartnerPermission>>> = {
  owner: new Set(PARTNER_PERMISSIONS),
  marketer: new Set([
    ...READ_COMMON,
    "programs.write",
    "rules.write",
    "promo-codes.write",
    "levels.write",
    "reports.read",
  ]),
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
