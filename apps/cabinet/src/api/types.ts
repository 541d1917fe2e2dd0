/**
 * The admin API's shapes, derived from the contract's TypeBox schemas: a field renamed on the server
 * breaks this build. Type-only imports: no schema code reaches the browser.
 */
import type * as C from "@kopilka/contract";
import type { Static } from "typebox";

export type PartnerRole = Static<typeof C.PartnerRoleSchema>;
export type CurrentUser = Static<typeof C.CurrentUser>;
export type Membership = Static<typeof C.Membership>;
export type LoginRequest = Static<typeof C.LoginRequest>;
export type LoginResponse = Static<typeof C.LoginResponse>;
export type SessionInfo = Static<typeof C.SessionInfo>;
export type PasswordChangeRequest = Static<typeof C.PasswordChangeRequest>;

export type Partner = Static<typeof C.PartnerView>;
export type PartnerCreate = Static<typeof C.PartnerCreate>;
export type PartnerUpdate = Static<typeof C.PartnerUpdate>;

export type Store = Static<typeof C.StoreView>;
export type StoreCreate = Static<typeof C.StoreCreate>;
export type StoreUpdate = Static<typeof C.StoreUpdate>;

export type Credential = Static<typeof C.CredentialView>;
export type CredentialWithSecret = Static<typeof C.CredentialWithSecret>;
export type CredentialCreate = Static<typeof C.CredentialCreate>;
export type CredentialUpdate = Static<typeof C.CredentialUpdate>;

export type Member = Static<typeof C.MemberView>;
export type MemberCreate = Static<typeof C.MemberCreate>;
export type MemberCreated = Static<typeof C.MemberCreated>;
export type MemberUpdate = Static<typeof C.MemberUpdate>;

export type User = Static<typeof C.UserView>;
export type UserCreate = Static<typeof C.UserCreate>;
export type UserWithPassword = Static<typeof C.UserWithPassword>;

export type Program = Static<typeof C.AdminProgramView>;
export type Participant = Static<typeof C.ParticipantView>;

export type AuditEntry = Static<typeof C.AuditEntryView>;

/** Every keyset list answers one page and the cursor of the next. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export type Dashboard = Static<typeof C.DashboardView>;
