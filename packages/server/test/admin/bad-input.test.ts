/** Malformed admin input: 400 naming the field, and nothing written. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminWorld, adminCall, bearerFor, seedAdminWorld } from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
let token: string;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  token = await bearerFor(t, w.users.admin);
});
afterAll(async () => t?.close());

const TABLES = [
  "partners",
  "stores",
  "pos_credentials",
  "users",
  "user_memberships",
  "audit_log",
  "program_participants",
] as const;

async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const table of TABLES) parts.push(await t.database.db.selectFrom(table).selectAll().execute());
  return JSON.stringify(parts);
}

type Case = [method: string, path: string, payload: unknown, field: string];

const CASES: Case[] = [
  ["POST", "/auth/login", { email: "not-an-email", password: "x" }, "email"],
  ["POST", "/auth/login", { email: "a@b.test", password: "" }, "password"],
  ["POST", "/auth/login", { email: "a@b.test", password: "x", session: "jwt" }, "session"],
  ["POST", "/auth/password", { currentPassword: "x" }, "newPassword"],
  ["POST", "/partners", { code: "bad code", name: "N" }, "code"],
  ["POST", "/partners", { code: "ok", name: "bad\u0000name" }, "name"],
  ["POST", "/partners", { code: "ok", name: "N", extra: 1 }, "extra"],
  ["PATCH", "/partners/alpha", {}, "body"],
  ["POST", "/partners/alpha/stores", { code: "S", name: "N" }, "timezone"],
  ["POST", "/partners/alpha/stores", { code: "S", name: "N", timezone: "Mars/Olympus" }, "timezone"],
  ["POST", "/partners/alpha/stores", { code: "S", name: "", timezone: "Europe/Moscow" }, "name"],
  ["PATCH", "/partners/alpha/stores/alpha-S1", { timezone: "Nowhere/Else" }, "timezone"],
  ["PATCH", "/partners/alpha/stores/alpha-S1", { address: 5 }, "address"],
  ["POST", "/partners/alpha/credentials", { login: "with space" }, "login"],
  ["POST", "/partners/alpha/credentials", { login: "ok-login", storeCode: "NO-SUCH" }, "storeCode"],
  ["POST", "/partners/alpha/credentials", { login: "ok-login", description: "line\nbreak" }, "description"],
  ["PATCH", "/partners/alpha/credentials/alpha-pos-1", { storeCode: "NO-SUCH" }, "storeCode"],
  ["POST", "/partners/alpha/users", { email: "x@alpha.test", role: "boss" }, "role"],
  ["POST", "/partners/alpha/users", { email: "x", role: "owner" }, "email"],
  ["PATCH", "/partners/alpha/users/2", { role: "admin" }, "role"],
  ["POST", "/users", { email: "y@platform.test", platformAdmin: "yes" }, "platformAdmin"],
  ["PATCH", "/users/2", {}, "platformAdmin"],
  ["POST", "/partners/alpha/programs/main/participants", { partnerCode: "" }, "partnerCode"],
  ["POST", "/partners/alpha/programs/main/participants", { partnerCode: "no-such" }, "partnerCode"],
  ["GET", "/partners/alpha/stores?limit=0", undefined, "limit"],
  ["GET", "/partners/alpha/stores?limit=abc", undefined, "limit"],
  ["GET", "/partners/alpha/stores?sort=address", undefined, "sort"],
  ["GET", "/partners/alpha/stores?cursor=not-a-cursor", undefined, "cursor"],
  ["GET", "/partners/alpha/stores?active=maybe", undefined, "active"],
  ["GET", "/partners/alpha/stores?color=red", undefined, "color"],
  ["GET", "/partners/alpha/credentials?storeCode=NO-SUCH", undefined, "storeCode"],
  ["GET", "/partners/alpha/users?role=boss", undefined, "role"],
  ["GET", "/users/abc", undefined, "userId"],
  ["GET", "/partners/alpha/users/0", undefined, "userId"],
  ["GET", "/audit?from=yesterday", undefined, "from"],
  ["GET", "/audit?userId=-1", undefined, "userId"],
];

describe("bad admin input", () => {
  it("is refused with the field at fault and writes nothing", async () => {
    const before = await snapshot();
    const problems: string[] = [];
    for (const [method, path, payload, field] of CASES) {
      const res = await adminCall(t, method, path, { token, ...(payload !== undefined ? { payload } : {}) });
      const body = res.json();
      const ok = res.statusCode >= 400 && res.statusCode < 500 && body.details?.field === field;
      if (!ok) problems.push(`${method} ${path} ${JSON.stringify(payload)}: ${res.statusCode} ${res.body}`);
    }
    expect(problems).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it("answers 400 for schema errors specifically", async () => {
    const res = await adminCall(t, "POST", "/partners/alpha/stores", { token, payload: { code: "S" } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe("VALIDATION_FAILED");
    const json = await t.server.app.inject({
      method: "POST",
      url: "/admin/v1/partners",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(json.statusCode).toBe(400);
  });
});
