/**
 * The admin surface in tests: two partners (alpha, beta) seeded like the POS tests, cabinet users of
 * every role, sessions opened without the cost of a password check, and calls with a bearer token or a
 * cookie and CSRF token.
 */
import type { LightMyRequestResponse } from "fastify";
import type { PartnerRole } from "../../src/core/admin/permissions.js";
import { addMembership, createUser, type UserRecord } from "../../src/modules/users/index.js";
import { type SeededPartner, seedPartner, type TestApp } from "./harness.js";

export const PASSWORD = "correct horse battery";

export type Persona = "admin" | PartnerRole | "outsider";
export const PERSONAS: readonly Persona[] = ["admin", "owner", "marketer", "operator", "analyst", "outsider"];

export interface AdminWorld {
  alpha: SeededPartner;
  beta: SeededPartner;
  /** admin: platform administrator; roles: members of alpha; outsider: owner of beta only. */
  users: Record<Persona, UserRecord>;
  /** A marketer of alpha that the matrix may disable, re-enable and reset. */
  target: UserRecord;
}

export async function makeUser(
  t: TestApp,
  email: string,
  membership?: { partnerId: number; role: PartnerRole },
  platformAdmin = false,
): Promise<UserRecord> {
  const now = t.clock.now();
  const user = await createUser(t.database.db, { email, password: PASSWORD, platformAdmin }, now);
  if (!user) throw new Error(`user ${email} exists`);
  if (membership) await addMembership(t.database.db, user.id, membership.partnerId, membership.role, now);
  return user;
}

export async function seedAdminWorld(t: TestApp): Promise<AdminWorld> {
  const alpha = await seedPartner(t, { code: "alpha" });
  const beta = await seedPartner(t, { code: "beta" });
  const users = {
    admin: await makeUser(t, "admin@test.kopilka", undefined, true),
    owner: await makeUser(t, "owner@alpha.test", { partnerId: alpha.partnerId, role: "owner" }),
    marketer: await makeUser(t, "marketer@alpha.test", { partnerId: alpha.partnerId, role: "marketer" }),
    operator: await makeUser(t, "operator@alpha.test", { partnerId: alpha.partnerId, role: "operator" }),
    analyst: await makeUser(t, "analyst@alpha.test", { partnerId: alpha.partnerId, role: "analyst" }),
    outsider: await makeUser(t, "owner@beta.test", { partnerId: beta.partnerId, role: "owner" }),
  };
  const target = await makeUser(t, "target@alpha.test", { partnerId: alpha.partnerId, role: "marketer" });
  return { alpha, beta, users, target };
}

/** A fresh bearer session for the user, opened as if the password had been checked. */
export async function bearerFor(t: TestApp, user: UserRecord): Promise<string> {
  return (await t.server.services.sessions.open(user, "127.0.0.1", "bearer")).token;
}

export interface AdminCallOptions {
  token?: string;
  cookie?: { session: string; csrf?: string | undefined };
  payload?: unknown;
  headers?: Record<string, string>;
}

export async function adminCall(
  t: TestApp,
  method: string,
  path: string,
  options: AdminCallOptions = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) {
    headers.cookie = `kopilka_session=${options.cookie.session}`;
    if (options.cookie.csrf) headers["x-csrf-token"] = options.cookie.csrf;
  }
  return t.server.app.inject({
    method: method as "GET",
    url: path.startsWith("/admin") ? path : `/admin/v1${path}`,
    headers,
    ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
  });
}

/** Logs in over HTTP with a cookie session: the session cookie's value and the CSRF token. */
export async function cookieLogin(
  t: TestApp,
  email: string,
  password = PASSWORD,
): Promise<{ session: string; csrf: string; response: LightMyRequestResponse }> {
  const response = await adminCall(t, "POST", "/auth/login", { payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login ${email}: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === "kopilka_session");
  return { session: cookie!.value, csrf: response.json().csrfToken as string, response };
}

export async function bearerLogin(
  t: TestApp,
  email: string,
  password = PASSWORD,
): Promise<LightMyRequestResponse> {
  return adminCall(t, "POST", "/auth/login", { payload: { email, password, session: "bearer" } });
}
