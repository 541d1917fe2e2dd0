/**
 * Cabinet users and their memberships: a user is one person (an e-mail and a password); a membership
 * gives them one role in one partner, so one person can serve two chains. A platform administrator
 * holds no membership and acts in every partner.
 */
import { randomBytes } from "node:crypto";
import type { PartnerRole } from "../../core/admin/permissions.js";
import type { Executor } from "../../infra/db/database.js";
import {
  containsText,
  keysetPage,
  keysetQuery,
  type Page,
  type PageQuery,
  type SortSpec,
} from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";
import { hashSecret } from "../../kernel/secret-hash.js";

export const PASSWORD_MIN_LENGTH = 10;

export interface UserRecord {
  id: number;
  email: string;
  platformAdmin: boolean;
  enabled: boolean;
  mustChangePassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface MembershipRecord {
  id: number;
  userId: number;
  partnerId: number;
  role: PartnerRole;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface MemberRecord {
  user: UserRecord;
  membership: MembershipRecord;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A password a person can type once and must change at first login: 96 random bits. */
export function generateOneTimePassword(): string {
  return randomBytes(12).toString("base64url");
}

export function checkPasswordStrength(password: string, field: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    throw new DomainError(
      "PASSWORD_TOO_WEAK",
      `the password needs at least ${PASSWORD_MIN_LENGTH} characters`,
      {
        field,
        minLength: PASSWORD_MIN_LENGTH,
      },
    );
  }
}

type UserRow = Row<"users">;

export function userFromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    platformAdmin: row.platform_admin === 1,
    enabled: row.enabled === 1,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function membershipFromRow(row: Row<"user_memberships">): MembershipRecord {
  return {
    id: row.id,
    userId: row.user_id,
    partnerId: row.partner_id,
    role: row.role as PartnerRole,
    enabled: row.enabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewUser {
  email: string;
  password: string;
  platformAdmin?: boolean;
  mustChangePassword?: boolean;
}

/** Creates a user; null when the e-mail is taken (the caller decides what that means). */
export async function createUser(db: Executor, user: NewUser, now: number): Promise<UserRecord | null> {
  const row = await db
    .insertInto("users")
    .values({
      email: normalizeEmail(user.email),
      password_hash: await hashSecret(user.password),
      platform_admin: user.platformAdmin ? 1 : 0,
      enabled: 1,
      must_change_password: user.mustChangePassword ? 1 : 0,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column("email").doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? userFromRow(row) : null;
}

export async function findUserByEmail(
  db: Executor,
  email: string,
): Promise<{ user: UserRecord; passwordHash: string } | null> {
  const row = await db
    .selectFrom("users")
    .selectAll()
    .where("email", "=", normalizeEmail(email))
    .executeTakeFirst();
  return row ? { user: userFromRow(row), passwordHash: row.password_hash } : null;
}

export async function getUser(db: Executor, id: number): Promise<UserRecord | null> {
  const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? userFromRow(row) : null;
}

export async function passwordHashOf(db: Executor, id: number): Promise<string | null> {
  const row = await db.selectFrom("users").select("password_hash").where("id", "=", id).executeTakeFirst();
  return row?.password_hash ?? null;
}

export async function setUserEnabled(db: Executor, id: number, enabled: boolean, now: number): Promise<void> {
  await db
    .updateTable("users")
    .set({ enabled: enabled ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
}

export async function setPlatformAdmin(
  db: Executor,
  id: number,
  platformAdmin: boolean,
  now: number,
): Promise<void> {
  await db
    .updateTable("users")
    .set({ platform_admin: platformAdmin ? 1 : 0, updated_at: now })
    .where("id", "=", id)
    .execute();
}

export async function setUserPassword(
  db: Executor,
  id: number,
  password: string,
  mustChange: boolean,
  now: number,
): Promise<void> {
  await db
    .updateTable("users")
    .set({
      password_hash: await hashSecret(password),
      must_change_password: mustChange ? 1 : 0,
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
}

export async function getMembership(
  db: Executor,
  userId: number,
  partnerId: number,
): Promise<MembershipRecord | null> {
  const row = await db
    .selectFrom("user_memberships")
    .selectAll()
    .where("user_id", "=", userId)
    .where("partner_id", "=", partnerId)
    .executeTakeFirst();
  return row ? membershipFromRow(row) : null;
}

export async function membershipsOf(db: Executor, userId: number): Promise<MembershipRecord[]> {
  const rows = await db
    .selectFrom("user_memberships")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("partner_id")
    .execute();
  return rows.map(membershipFromRow);
}

export async function addMembership(
  db: Executor,
  userId: number,
  partnerId: number,
  role: PartnerRole,
  now: number,
): Promise<MembershipRecord | null> {
  const row = await db
    .insertInto("user_memberships")
    .values({ user_id: userId, partner_id: partnerId, role, enabled: 1, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(["user_id", "partner_id"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? membershipFromRow(row) : null;
}

export async function updateMembership(
  db: Executor,
  id: number,
  patch: { role?: PartnerRole; enabled?: boolean },
  now: number,
): Promise<void> {
  await db
    .updateTable("user_memberships")
    .set({
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
      updated_at: now,
    })
    .where("id", "=", id)
    .execute();
}

/** Enabled owners of a partner whose accounts are enabled: a partner must keep at least one. */
export async function countActiveOwners(db: Executor, partnerId: number): Promise<number> {
  const row = await db
    .selectFrom("user_memberships")
    .innerJoin("users", "users.id", "user_memberships.user_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_memberships.partner_id", "=", partnerId)
    .where("user_memberships.role", "=", "owner")
    .where("user_memberships.enabled", "=", 1)
    .where("users.enabled", "=", 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

type MemberRow = Row<"users"> & {
  m_id: number;
  m_role: string;
  m_enabled: number;
  m_created_at: number;
  m_updated_at: number;
  m_partner_id: number;
};

const MEMBER_SORTS: SortSpec<MemberRow> = {
  email: { column: "users.email", value: (r) => r.email },
  createdAt: { column: "user_memberships.created_at", value: (r) => r.m_created_at },
};

export async function listMembers(
  db: Executor,
  partnerId: number,
  filter: { role?: PartnerRole; enabled?: boolean; q?: string },
  page: PageQuery,
): Promise<Page<MemberRecord>> {
  let query = db
    .selectFrom("user_memberships")
    .innerJoin("users", "users.id", "user_memberships.user_id")
    .selectAll("users")
    .select([
      "user_memberships.id as m_id",
      "user_memberships.role as m_role",
      "user_memberships.enabled as m_enabled",
      "user_memberships.created_at as m_created_at",
      "user_memberships.updated_at as m_updated_at",
      "user_memberships.partner_id as m_partner_id",
    ])
    .where("user_memberships.partner_id", "=", partnerId);
  if (filter.role !== undefined) query = query.where("user_memberships.role", "=", filter.role);
  if (filter.enabled !== undefined)
    query = query.where("user_memberships.enabled", "=", filter.enabled ? 1 : 0);
  if (filter.q) query = query.where(containsText("users.email", filter.q));
  const rows = (await keysetQuery(query, MEMBER_SORTS, "user_memberships.id", page).execute()) as MemberRow[];
  return keysetPage(
    rows,
    MEMBER_SORTS,
    (r) => r.m_id,
    page,
    (r) => ({
      user: userFromRow(r),
      membership: {
        id: r.m_id,
        userId: r.id,
        partnerId: r.m_partner_id,
        role: r.m_role as PartnerRole,
        enabled: r.m_enabled === 1,
        createdAt: r.m_created_at,
        updatedAt: r.m_updated_at,
      },
    }),
  );
}

const USER_SORTS: SortSpec<UserRow> = {
  email: { column: "email", value: (r) => r.email },
  createdAt: { column: "created_at", value: (r) => r.created_at },
};

export async function listUsers(
  db: Executor,
  filter: { enabled?: boolean; platformAdmin?: boolean; q?: string },
  page: PageQuery,
): Promise<Page<UserRecord>> {
  let query = db.selectFrom("users").selectAll();
  if (filter.enabled !== undefined) query = query.where("enabled", "=", filter.enabled ? 1 : 0);
  if (filter.platformAdmin !== undefined)
    query = query.where("platform_admin", "=", filter.platformAdmin ? 1 : 0);
  if (filter.q) query = query.where(containsText("email", filter.q));
  const rows = await keysetQuery(query, USER_SORTS, "id", page).execute();
  return keysetPage(rows, USER_SORTS, (r) => r.id, page, userFromRow);
}

/** Memberships of several users at once (a page of the user list). */
export async function membershipsOfUsers(
  db: Executor,
  userIds: readonly number[],
): Promise<Map<number, MembershipRecord[]>> {
  const byUser = new Map<number, MembershipRecord[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom("user_memberships")
    .selectAll()
    .where("user_id", "in", [...new Set(userIds)])
    .orderBy("partner_id")
    .execute();
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? [];
    list.push(membershipFromRow(row));
    byUser.set(row.user_id, list);
  }
  return byUser;
}
