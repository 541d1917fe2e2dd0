/** Cabinet sign-in: cookie sessions with CSRF, bearer sessions, lock-out, expiry, logout, disabling. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminWorld,
  adminCall,
  bearerLogin,
  cookieLogin,
  makeUser,
  PASSWORD,
  seedAdminWorld,
} from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
const IDLE = 600;
const MAX = 3600;
beforeAll(async () => {
  t = await startTestApp({
    ADMIN_SESSION_IDLE_SECONDS: String(IDLE),
    ADMIN_SESSION_MAX_SECONDS: String(MAX),
    LOGIN_MAX_FAILURES: "5",
    LOGIN_LOCK_SECONDS: "300",
  });
  w = await seedAdminWorld(t);
});
afterAll(async () => t?.close());

const newStore = (code: string) => ({ code, name: `Store ${code}`, timezone: "Europe/Moscow" });

describe("cookie sessions", () => {
  it("set an httpOnly SameSite=Strict cookie and answer the CSRF token, never the session token", async () => {
    const { response } = await cookieLogin(t, w.users.owner.email);
    const session = response.cookies.find((c) => c.name === "kopilka_session")!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe("Strict");
    expect(session.path).toBe("/admin");
    const csrf = response.cookies.find((c) => c.name === "kopilka_csrf")!;
    expect(csrf.httpOnly).toBeFalsy();
    const body = response.json();
    expect(body).toMatchObject({ session: "cookie", token: null, user: { email: w.users.owner.email } });
    expect(body.csrfToken).toBe(csrf.value);
    expect(JSON.stringify(body)).not.toContain(session.value);
  });

  it("read without the CSRF token but refuse a change without it or with a wrong one", async () => {
    const { session, csrf } = await cookieLogin(t, w.users.owner.email);
    expect((await adminCall(t, "GET", "/partners/alpha/stores", { cookie: { session } })).statusCode).toBe(
      200,
    );
    for (const bad of [undefined, "forged", csrf.slice(1)]) {
      const res = await adminCall(t, "POST", "/partners/alpha/stores", {
        cookie: { session, csrf: bad },
        payload: newStore("CSRF-1"),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: "CSRF_FAILED", details: { field: "x-csrf-token" } });
    }
    const ok = await adminCall(t, "POST", "/partners/alpha/stores", {
      cookie: { session, csrf },
      payload: newStore("CSRF-1"),
    });
    expect(ok.statusCode).toBe(201);
  });

  it("do not accept another session's CSRF token", async () => {
    const one = await cookieLogin(t, w.users.owner.email);
    const two = await cookieLogin(t, w.users.owner.email);
    const res = await adminCall(t, "POST", "/partners/alpha/stores", {
      cookie: { session: one.session, csrf: two.csrf },
      payload: newStore("CSRF-2"),
    });
    expect(res.json().code).toBe("CSRF_FAILED");
  });
});

describe("bearer sessions", () => {
  it("answer a token usable without CSRF and set no cookie", async () => {
    const res = await bearerLogin(t, w.users.owner.email);
    expect(res.statusCode).toBe(200);
    expect(res.cookies).toHaveLength(0);
    const { token, csrfToken } = res.json();
    expect(token).toMatch(/^kas_/);
    expect(csrfToken).toBeNull();
    const created = await adminCall(t, "POST", "/partners/alpha/stores", {
      token,
      payload: newStore("BEARER-1"),
    });
    expect(created.statusCode).toBe(201);
  });

  it("are stored hashed", async () => {
    const { token } = (await bearerLogin(t, w.users.owner.email)).json();
    const rows = await t.database.db.selectFrom("admin_sessions").select("token_hash").execute();
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
  });
});

describe("login throttling", () => {
  it("answers a wrong password and an unknown e-mail alike", async () => {
    const wrong = await bearerLogin(t, w.users.analyst.email, "not the password");
    const unknown = await bearerLogin(t, "nobody@nowhere.test", PASSWORD);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it("locks an account after N failures, even for the right password, until the period ends", async () => {
    const user = await makeUser(t, "locked@alpha.test", { partnerId: w.alpha.partnerId, role: "analyst" });
    for (let i = 0; i < 5; i++) expect((await bearerLogin(t, user.email, `wrong-${i}`)).statusCode).toBe(401);
    const locked = await bearerLogin(t, user.email);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: 300 } });
    expect(locked.headers["retry-after"]).toBe("300");
    // Another account from the same address is not locked by this one.
    expect((await bearerLogin(t, w.users.analyst.email)).statusCode).toBe(200);
    t.clock.advance(299_000);
    const still = await bearerLogin(t, user.email);
    expect(still.statusCode).toBe(429);
    expect(still.headers["retry-after"]).toBe("1");
    t.clock.advance(1_000);
    expect((await bearerLogin(t, user.email)).statusCode).toBe(200);
  });

  it("locks an unknown e-mail the same way", async () => {
    for (let i = 0; i < 5; i++) await bearerLogin(t, "ghost@nowhere.test", "x");
    expect((await bearerLogin(t, "ghost@nowhere.test", "x")).statusCode).toBe(429);
    t.clock.advance(300_000);
  });
});

describe("session expiry", () => {
  it("ends a session idle longer than the idle timeout", async () => {
    const { token } = (await bearerLogin(t, w.users.analyst.email)).json();
    t.clock.advance((IDLE - 1) * 1000);
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(200);
    t.clock.advance((IDLE - 1) * 1000); // activity above moved the idle end
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(200);
    t.clock.advance(IDLE * 1000);
    const res = await adminCall(t, "GET", "/auth/me", { token });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: "SESSION_EXPIRED", details: { reason: "idle" } });
  });

  it("ends an active session at its absolute end", async () => {
    const { token } = (await bearerLogin(t, w.users.analyst.email)).json();
    for (let elapsed = 0; elapsed + 500 < MAX; elapsed += 500) {
      t.clock.advance(500_000);
      expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(200);
    }
    t.clock.advance(500_000);
    const res = await adminCall(t, "GET", "/auth/me", { token });
    expect(res.json()).toMatchObject({ code: "SESSION_EXPIRED", details: { reason: "absolute" } });
  });
});

describe("ending sessions", () => {
  it("logout ends the session and clears the cookies", async () => {
    const { session, csrf } = await cookieLogin(t, w.users.owner.email);
    const out = await adminCall(t, "POST", "/auth/logout", { cookie: { session, csrf } });
    expect(out.statusCode).toBe(200);
    expect(out.cookies.find((c) => c.name === "kopilka_session")?.value).toBe("");
    const after = await adminCall(t, "GET", "/auth/me", { cookie: { session } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe("UNAUTHORIZED");
  });

  it("disabling a user ends their sessions at once; enabling does not revive them", async () => {
    const user = await makeUser(t, "leaver@alpha.test", { partnerId: w.alpha.partnerId, role: "operator" });
    const { token } = (await bearerLogin(t, user.email)).json();
    const admin = (await bearerLogin(t, w.users.admin.email)).json().token;
    expect((await adminCall(t, "POST", `/users/${user.id}/disable`, { token: admin })).statusCode).toBe(200);
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(401);
    expect((await bearerLogin(t, user.email)).statusCode).toBe(401);
    await adminCall(t, "POST", `/users/${user.id}/enable`, { token: admin });
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(401);
    expect((await bearerLogin(t, user.email)).statusCode).toBe(200);
  });

  it("disabling a membership takes the partner away at once, not the account", async () => {
    const user = await makeUser(t, "two-chains@alpha.test", {
      partnerId: w.alpha.partnerId,
      role: "analyst",
    });
    const owner = (await bearerLogin(t, w.users.owner.email)).json().token;
    const { token } = (await bearerLogin(t, user.email)).json();
    expect((await adminCall(t, "GET", "/partners/alpha/stores", { token })).statusCode).toBe(200);
    await adminCall(t, "POST", `/partners/alpha/users/${user.id}/disable`, { token: owner });
    expect((await adminCall(t, "GET", "/partners/alpha/stores", { token })).statusCode).toBe(403);
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(200);
  });

  it("a password change needs the current password and ends the other sessions", async () => {
    const user = await makeUser(t, "changer@alpha.test", { partnerId: w.alpha.partnerId, role: "analyst" });
    const other = (await bearerLogin(t, user.email)).json().token;
    const { session, csrf } = await cookieLogin(t, user.email);
    const wrong = await adminCall(t, "POST", "/auth/password", {
      cookie: { session, csrf },
      payload: { currentPassword: "nope", newPassword: "a brand new password" },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ code: "WRONG_PASSWORD", details: { field: "currentPassword" } });
    const weak = await adminCall(t, "POST", "/auth/password", {
      cookie: { session, csrf },
      payload: { currentPassword: PASSWORD, newPassword: "short" },
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json()).toMatchObject({
      code: "PASSWORD_TOO_WEAK",
      details: { field: "newPassword", minLength: 10 },
    });
    const ok = await adminCall(t, "POST", "/auth/password", {
      cookie: { session, csrf },
      payload: { currentPassword: PASSWORD, newPassword: "a brand new password" },
    });
    expect(ok.statusCode).toBe(200);
    expect((await adminCall(t, "GET", "/auth/me", { cookie: { session } })).statusCode).toBe(200);
    expect((await adminCall(t, "GET", "/auth/me", { token: other })).statusCode).toBe(401);
    expect((await bearerLogin(t, user.email)).statusCode).toBe(401);
    expect((await bearerLogin(t, user.email, "a brand new password")).statusCode).toBe(200);
  });
});

describe("one-time passwords", () => {
  it("are shown once and must be changed before anything else", async () => {
    const owner = (await bearerLogin(t, w.users.owner.email)).json().token;
    const added = await adminCall(t, "POST", "/partners/alpha/users", {
      token: owner,
      payload: { email: "New.Hire@Alpha.test", role: "operator" },
    });
    expect(added.statusCode).toBe(201);
    const { member, oneTimePassword } = added.json();
    expect(member).toMatchObject({ email: "new.hire@alpha.test", role: "operator", enabled: true });
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const got = await adminCall(t, "GET", `/partners/alpha/users/${member.userId}`, { token: owner });
    expect(got.body).not.toContain(oneTimePassword);

    const login = await bearerLogin(t, "new.hire@alpha.test", oneTimePassword);
    expect(login.json().user.mustChangePassword).toBe(true);
    const token = login.json().token;
    const blocked = await adminCall(t, "GET", "/partners/alpha/stores", { token });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe("PASSWORD_CHANGE_REQUIRED");
    await adminCall(t, "POST", "/auth/password", {
      token,
      payload: { currentPassword: oneTimePassword, newPassword: "my own password 1" },
    });
    expect((await adminCall(t, "GET", "/partners/alpha/stores", { token })).statusCode).toBe(200);
  });
});
