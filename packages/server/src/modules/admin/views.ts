/** Records as the admin API shows them (and as the audit log keeps them): dates in ISO 8601. */
import type { PartnerRole } from "../../core/admin/permissions.js";
import type { CredentialRecord } from "../auth/index.js";
import type { PartnerRecord } from "../partners/index.js";
import type { StoreRecord } from "../stores/index.js";
import type { MemberRecord, MembershipRecord, UserRecord } from "../users/index.js";

export const iso = (ms: number): string => new Date(ms).toISOString();

export interface PartnerRef {
  id: number;
  code: string;
  name: string;
}

export function partnerView(p: PartnerRecord) {
  return { code: p.code, name: p.name, createdAt: iso(p.createdAt) };
}

export function storeView(s: StoreRecord) {
  return {
    code: s.code,
    name: s.name,
    timezone: s.timezone,
    address: s.address,
    active: s.active,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  };
}

export function credentialView(c: CredentialRecord, storeCode: string | null) {
  return {
    login: c.login,
    storeCode,
    description: c.description,
    enabled: c.enabled,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    secretRotatedAt: c.secretRotatedAt === null ? null : iso(c.secretRotatedAt),
  };
}

export function memberView({ user, membership }: MemberRecord) {
  return {
    userId: user.id,
    email: user.email,
    role: membership.role,
    enabled: membership.enabled,
    accountEnabled: user.enabled,
    createdAt: iso(membership.createdAt),
    updatedAt: iso(membership.updatedAt),
  };
}

export interface MembershipView {
  partnerCode: string;
  partnerName: string;
  role: PartnerRole;
  enabled: boolean;
}

export function membershipViews(
  memberships: readonly MembershipRecord[],
  partners: Map<number, PartnerRecord>,
): MembershipView[] {
  return memberships.flatMap((m) => {
    const p = partners.get(m.partnerId);
    return p ? [{ partnerCode: p.code, partnerName: p.name, role: m.role, enabled: m.enabled }] : [];
  });
}

export function userView(u: UserRecord, memberships: MembershipView[]) {
  return {
    id: u.id,
    email: u.email,
    platformAdmin: u.platformAdmin,
    enabled: u.enabled,
    mustChangePassword: u.mustChangePassword,
    memberships,
    createdAt: iso(u.createdAt),
    updatedAt: iso(u.updatedAt),
  };
}

export type PartnerView = ReturnType<typeof partnerView>;
export type StoreView = ReturnType<typeof storeView>;
export type CredentialView = ReturnType<typeof credentialView>;
export type MemberView = ReturnType<typeof memberView>;
export type UserView = ReturnType<typeof userView>;
