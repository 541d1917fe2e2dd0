/** Every admin mutation leaves one audit entry, written with the change, with who, where, what, before, after. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminWorld, adminCall, bearerFor, PASSWORD, seedAdminWorld } from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
});
afterAll(async () => t?.close());

interface Mutation {
  route: string;
  path: () => string;
  payload?: unknown;
  entity: [type: string, id: () => string, action: string];
  check: (before: Record<string, unknown> | null, after: Record<string, unknown>) => void;
}

let newUserId = 0;
let newRuleId = 0;

const MUTATIONS: Mutation[] = [
  {
    route: "POST /admin/v1/partners",
    path: () => "/partners",
    payload: { code: "gamma", name: "Gamma" },
    entity: ["partner", () => "gamma", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "gamma", name: "Gamma" });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode",
    path: () => "/partners/gamma",
    payload: { name: "Gamma Pharm" },
    entity: ["partner", () => "gamma", "update"],
    check: (b, a) => {
      expect(b?.name).toBe("Gamma");
      expect(a.name).toBe("Gamma Pharm");
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/stores",
    path: () => "/partners/alpha/stores",
    payload: { code: "A-9", name: "Nine", timezone: "Europe/Samara", address: "Samara" },
    entity: ["store", () => "A-9", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "A-9", timezone: "Europe/Samara", active: true });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/stores/:storeCode",
    path: () => "/partners/alpha/stores/A-9",
    payload: { name: "Nine bis", address: null },
    entity: ["store", () => "A-9", "update"],
    check: (b, a) => {
      expect([b?.name, b?.address]).toEqual(["Nine", "Samara"]);
      expect([a.name, a.address]).toEqual(["Nine bis", null]);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/stores/:storeCode/disable",
    path: () => "/partners/alpha/stores/A-9/disable",
    entity: ["store", () => "A-9", "disable"],
    check: (b, a) => expect([b?.active, a.active]).toEqual([true, false]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/stores/:storeCode/enable",
    path: () => "/partners/alpha/stores/A-9/enable",
    entity: ["store", () => "A-9", "enable"],
    check: (b, a) => expect([b?.active, a.active]).toEqual([false, true]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/credentials",
    path: () => "/partners/alpha/credentials",
    payload: { login: "alpha-pos-9", storeCode: "A-9", description: "till 9" },
    entity: ["credential", () => "alpha-pos-9", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ login: "alpha-pos-9", storeCode: "A-9", enabled: true });
      expect(JSON.stringify(a)).not.toMatch(/secret"/);
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/credentials/:login",
    path: () => "/partners/alpha/credentials/alpha-pos-9",
    payload: { storeCode: null },
    entity: ["credential", () => "alpha-pos-9", "update"],
    check: (b, a) => expect([b?.storeCode, a.storeCode]).toEqual(["A-9", null]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/credentials/:login/disable",
    path: () => "/partners/alpha/credentials/alpha-pos-9/disable",
    entity: ["credential", () => "alpha-pos-9", "disable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([true, false]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/credentials/:login/enable",
    path: () => "/partners/alpha/credentials/alpha-pos-9/enable",
    entity: ["credential", () => "alpha-pos-9", "enable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([false, true]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/credentials/:login/rotate-secret",
    path: () => "/partners/alpha/credentials/alpha-pos-9/rotate-secret",
    entity: ["credential", () => "alpha-pos-9", "rotate-secret"],
    check: (b, a) => {
      expect(b?.secretRotatedAt).toBeNull();
      expect(a.secretRotatedAt).toBe(new Date(t.clock.now()).toISOString());
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/users",
    path: () => "/partners/alpha/users",
    payload: { email: "hire@alpha.test", role: "analyst" },
    entity: ["member", () => String(newUserId), "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ email: "hire@alpha.test", role: "analyst", enabled: true });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/users/:userId",
    path: () => `/partners/alpha/users/${newUserId}`,
    payload: { role: "operator" },
    entity: ["member", () => String(newUserId), "update"],
    check: (b, a) => expect([b?.role, a.role]).toEqual(["analyst", "operator"]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/users/:userId/disable",
    path: () => `/partners/alpha/users/${newUserId}/disable`,
    entity: ["member", () => String(newUserId), "disable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([true, false]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/users/:userId/enable",
    path: () => `/partners/alpha/users/${newUserId}/enable`,
    entity: ["member", () => String(newUserId), "enable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([false, true]),
  },
  {
    route: "POST /admin/v1/users",
    path: () => "/users",
    payload: { email: "ops@platform.test", platformAdmin: false },
    entity: ["user", () => String(newUserId), "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ email: "ops@platform.test", platformAdmin: false, mustChangePassword: true });
    },
  },
  {
    route: "PATCH /admin/v1/users/:userId",
    path: () => `/users/${newUserId}`,
    payload: { platformAdmin: true },
    entity: ["user", () => String(newUserId), "update"],
    check: (b, a) => expect([b?.platformAdmin, a.platformAdmin]).toEqual([false, true]),
  },
  {
    route: "POST /admin/v1/users/:userId/disable",
    path: () => `/users/${newUserId}/disable`,
    entity: ["user", () => String(newUserId), "disable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([true, false]),
  },
  {
    route: "POST /admin/v1/users/:userId/enable",
    path: () => `/users/${newUserId}/enable`,
    entity: ["user", () => String(newUserId), "enable"],
    check: (b, a) => expect([b?.enabled, a.enabled]).toEqual([false, true]),
  },
  {
    route: "POST /admin/v1/users/:userId/reset-password",
    path: () => `/users/${w.target.id}/reset-password`,
    entity: ["user", () => String(w.target.id), "reset-password"],
    check: (b, a) => {
      expect([b?.mustChangePassword, a.mustChangePassword]).toEqual([false, true]);
      expect(JSON.stringify(a)).not.toMatch(/"(password|oneTimePassword|password_hash)"/);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/participants",
    path: () => "/partners/alpha/programs/main/participants",
    payload: { partnerCode: "gamma" },
    entity: ["program", () => "main", "add-participant"],
    check: (b, a) => {
      expect(b).toEqual({ participants: [] });
      expect(a).toMatchObject({ participants: [{ partnerCode: "gamma" }] });
    },
  },
  {
    route: "DELETE /admin/v1/partners/:partnerCode/programs/:programCode/participants/:participantCode",
    path: () => "/partners/alpha/programs/main/participants/gamma",
    entity: ["program", () => "main", "remove-participant"],
    check: (b, a) => {
      expect(b).toMatchObject({ participants: [{ partnerCode: "gamma" }] });
      expect(a).toEqual({ participants: [] });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs",
    path: () => "/partners/alpha/programs",
    payload: { code: "promo", name: "Promo" },
    entity: ["program", () => "promo", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "promo", holdDays: 14, relation: "owner" });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/programs/:programCode",
    path: () => "/partners/alpha/programs/promo",
    payload: { holdDays: 7 },
    entity: ["program", () => "promo", "update"],
    check: (b, a) => {
      expect(b?.holdDays).toBe(14);
      expect(a.holdDays).toBe(7);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/rules",
    path: () => "/partners/alpha/programs/promo/rules",
    payload: {
      name: "5 %",
      priority: 0,
      stacking: { mode: "stackable" },
      conditions: [],
      effects: [{ type: "line_discount_percent", params: { percentBp: 500 } }],
    },
    entity: ["rule", () => `promo/${newRuleId}`, "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ version: 1, active: true, definition: { name: "5 %" } });
    },
  },
  {
    route: "PUT /admin/v1/partners/:partnerCode/programs/:programCode/rules/:ruleId",
    path: () => `/partners/alpha/programs/promo/rules/${newRuleId}`,
    payload: {
      name: "7 %",
      priority: 0,
      stacking: { mode: "stackable" },
      conditions: [],
      effects: [{ type: "line_discount_percent", params: { percentBp: 700 } }],
    },
    entity: ["rule", () => `promo/${newRuleId}`, "update"],
    check: (b, a) => {
      expect(b).toMatchObject({ version: 1, definition: { name: "5 %" } });
      expect(a).toMatchObject({ version: 2, definition: { name: "7 %" } });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/rules/:ruleId/disable",
    path: () => `/partners/alpha/programs/promo/rules/${newRuleId}/disable`,
    entity: ["rule", () => `promo/${newRuleId}`, "disable"],
    check: (b, a) => {
      expect(b?.active).toBe(true);
      expect(a.active).toBe(false);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/rules/:ruleId/enable",
    path: () => `/partners/alpha/programs/promo/rules/${newRuleId}/enable`,
    entity: ["rule", () => `promo/${newRuleId}`, "enable"],
    check: (b, a) => {
      expect(b?.active).toBe(false);
      expect(a.active).toBe(true);
    },
  },
  {
    route: "POST /admin/v1/auth/password",
    path: () => "/auth/password",
    payload: { currentPassword: PASSWORD, newPassword: "another long password" },
    entity: ["user", () => String(w.users.admin.id), "change-password"],
    check: (b, a) => expect(a).not.toEqual(b),
  },
];

/** Mutations that change no entity: signing in and out. */
const NOT_AUDITED = new Set([
  "POST /admin/v1/auth/login",
  "POST /admin/v1/auth/logout",
  // Simulate prices a receipt and saves nothing.
  "POST /admin/v1/partners/:partnerCode/simulate",
]);

describe("audit log", () => {
  it("has a case for every mutating admin route", () => {
    const mutating = t.server.adminRoutes
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.url}`)
      .filter((r) => !NOT_AUDITED.has(r));
    expect(MUTATIONS.map((m) => m.route).sort()).toEqual(mutating.sort());
  });

  it("records each mutation with who, from where, what, before and after", async () => {
    const token = await bearerFor(t, w.users.admin);
    for (const m of MUTATIONS) {
      t.clock.advance(1000);
      const res = await adminCall(t, m.route.split(" ")[0]!, m.path(), {
        token,
        ...(m.payload !== undefined ? { payload: m.payload } : {}),
      });
      expect(res.statusCode, `${m.route}: ${res.body}`).toBeLessThan(300);
      if (m.route === "POST /admin/v1/partners/:partnerCode/users") newUserId = res.json().member.userId;
      if (m.route === "POST /admin/v1/users") newUserId = res.json().user.id;
      if (m.route === "POST /admin/v1/partners/:partnerCode/programs/:programCode/rules")
        newRuleId = res.json().id;
      const [entityType, entityId, action] = m.entity;
      const log = (await adminCall(t, "GET", "/audit?limit=1", { token })).json();
      const entry = log.items[0];
      expect(entry, m.route).toMatchObject({
        userId: w.users.admin.id,
        address: "127.0.0.1",
        at: new Date(t.clock.now()).toISOString(),
        entityType,
        entityId: entityId(),
        action,
      });
      m.check(entry.before, entry.after);
    }
  });

  it("writes nothing for a call that changes nothing, or that is refused", async () => {
    const token = await bearerFor(t, w.users.owner);
    const count = async () =>
      Number(
        (
          await t.database.db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    await adminCall(t, "POST", "/partners/alpha/stores/A-9/enable", { token });
    await adminCall(t, "POST", "/partners/alpha/stores", {
      token,
      payload: { code: "A-9", name: "again", timezone: "Europe/Moscow" },
    });
    expect(await count()).toBe(before);
  });

  it("filters by user, entity and period, newest first, in pages", async () => {
    const token = await bearerFor(t, w.users.owner);
    const byEntity = (
      await adminCall(t, "GET", "/partners/alpha/audit?entityType=store&entityId=A-9", { token })
    ).json();
    expect(byEntity.items.map((e: { action: string }) => e.action)).toEqual([
      "enable",
      "disable",
      "update",
      "create",
    ]);
    const byUser = (
      await adminCall(t, "GET", `/partners/alpha/audit?userId=${w.users.owner.id}`, { token })
    ).json();
    expect(byUser.items).toEqual([]);
    const all = (await adminCall(t, "GET", "/partners/alpha/audit?limit=100", { token })).json().items;
    const middle = all[Math.floor(all.length / 2)];
    const since = (
      await adminCall(t, "GET", `/partners/alpha/audit?from=${encodeURIComponent(middle.at)}&limit=100`, {
        token,
      })
    ).json().items;
    expect(since.length).toBeLessThan(all.length);
    expect(since.every((e: { at: string }) => e.at >= middle.at)).toBe(true);
    const first = (await adminCall(t, "GET", "/partners/alpha/audit?limit=3", { token })).json();
    const second = (
      await adminCall(t, "GET", `/partners/alpha/audit?limit=3&cursor=${first.nextCursor}`, { token })
    ).json();
    expect([...first.items, ...second.items].map((e: { id: number }) => e.id)).toEqual(
      all.slice(0, 6).map((e: { id: number }) => e.id),
    );
  });
});
