/** Every admin mutation leaves one audit entry, written with the change, with who, where, what, before, after. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrintedReceipt } from "../../src/core/printed-receipt.js";
import { type AdminWorld, adminCall, bearerFor, PASSWORD, seedAdminWorld } from "../support/admin.js";
import { hangingPurchase, registerClient } from "../support/desk.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
let keptId = 0;
let duplicateId = 0;
let printed: PrintedReceipt;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  keptId = (await registerClient(t, w.alpha, { name: "Anna", phone: "+79161112233" })).id;
  duplicateId = (await registerClient(t, w.alpha, { name: "Anna D", phone: "+79161112244" })).id;
  printed = await hangingPurchase(t, w.alpha, "audit-hang-1");
});
afterAll(async () => t?.close());

interface Mutation {
  route: string;
  path: () => string;
  /** A function when the payload is known only once the world is seeded. */
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
    route: "PATCH /admin/v1/partners/:partnerCode/programs/:programCode/registration",
    path: () => "/partners/alpha/programs/main/registration",
    payload: { virtualCards: { prefix: "77", length: 13, checkDigit: "ean13" } },
    entity: ["program", () => "main", "update-registration"],
    check: (b, a) => {
      expect(b?.virtualCards).toBeNull();
      expect(a.virtualCards).toEqual({ prefix: "77", length: 13, checkDigit: "ean13" });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/clients/:clientId",
    path: () => `/partners/alpha/clients/${keptId}`,
    payload: { name: "Anna K", email: "Anna@Example.RU" },
    entity: ["client", () => String(keptId), "update"],
    check: (b, a) => {
      expect([b?.name, a.name]).toEqual(["Anna", "Anna K"]);
      // The log never keeps contacts in clear.
      expect(JSON.stringify([b, a])).not.toMatch(/79161112233|anna@example\.ru/);
      expect(a.email).toMatch(/\*/);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/clients/:clientId/merge",
    path: () => `/partners/alpha/clients/${keptId}/merge`,
    payload: () => ({ duplicateId }),
    entity: ["client", () => String(keptId), "merge"],
    check: (b, a) => {
      expect(b).toMatchObject({ duplicate: { status: "registered" } });
      expect(a).toMatchObject({ duplicate: { status: "merged", mergedInto: keptId }, cardsMoved: 0 });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/clients/:clientId/export",
    path: () => `/partners/alpha/clients/${keptId}/export`,
    entity: ["client", () => String(keptId), "export"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ cards: [] });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/clients/:clientId/erase",
    path: () => `/partners/alpha/clients/${keptId}/erase`,
    entity: ["client", () => String(keptId), "erase"],
    check: (b, a) => {
      expect([b?.status, a.status]).toEqual(["registered", "anonymised"]);
      expect([a.name, a.phone, a.email]).toEqual([null, null, null]);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/generate",
    path: () => "/partners/alpha/cards/generate",
    payload: {
      programCode: "main",
      prefix: "55",
      length: 13,
      checkDigit: "ean13",
      from: 0,
      count: 3,
      virtual: false,
    },
    entity: ["card-batch", () => "5500000000000..5500000000024", "generate"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ count: 3, programCode: "main" });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/:number/block",
    path: () => "/partners/alpha/cards/5500000000000/block",
    entity: ["card", () => "5500000000000", "block"],
    check: (b, a) => expect([b?.status, a.status]).toEqual(["active", "blocked"]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/:number/unblock",
    path: () => "/partners/alpha/cards/5500000000000/unblock",
    entity: ["card", () => "5500000000000", "unblock"],
    check: (b, a) => expect([b?.status, a.status]).toEqual(["blocked", "active"]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/:number/accrual-only",
    path: () => "/partners/alpha/cards/5500000000000/accrual-only",
    entity: ["card", () => "5500000000000", "accrual-only"],
    check: (b, a) => expect([b?.status, a.status]).toEqual(["active", "accrual_only"]),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/:number/adjustments",
    path: () => "/partners/alpha/cards/5500000000000/adjustments",
    payload: { adjustmentId: "adj-audit-1", amount: 12_345, reason: "goodwill after a complaint" },
    entity: ["card", () => "5500000000000", "credit-points"],
    check: (b, a) => {
      expect(b).toMatchObject({ balance: { active: 0 } });
      expect(a).toMatchObject({ balance: { active: 12_345 }, reason: "goodwill after a complaint" });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/cards/:number/replace",
    path: () => "/partners/alpha/cards/5500000000000/replace",
    payload: { newNumber: "5500000000017" },
    entity: ["card", () => "5500000000000", "replace"],
    check: (b, a) => {
      expect(b).toMatchObject({ replacedBy: null, balance: { active: 12_345 } });
      expect(a).toMatchObject({ status: "blocked", replacedBy: "5500000000017", balance: { active: 0 } });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/purchases/:purchaseId/resolve",
    path: () => "/partners/alpha/purchases/audit-hang-1/resolve",
    payload: () => ({ action: "confirm", reason: "the fiscal document shows it", receipt: printed }),
    entity: ["purchase", () => "audit-hang-1", "resolve-confirm"],
    check: (b, a) => {
      expect(b).toMatchObject({ state: "hanging", hangingReason: "RECEIPT_MISMATCH" });
      expect(a).toMatchObject({ state: "confirmed", reason: "the fiscal document shows it" });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/promo-codes",
    path: () => "/partners/alpha/programs/main/promo-codes",
    payload: { code: " summer ", maxUses: 100, maxUsesPerCard: 1 },
    entity: ["promo_code", () => "main/SUMMER", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "SUMMER", maxUses: 100, maxUsesPerCard: 1, disabled: false });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/promo-codes/:promoCode/disable",
    path: () => "/partners/alpha/programs/main/promo-codes/SUMMER/disable",
    entity: ["promo_code", () => "main/SUMMER", "disable"],
    check: (b, a) => {
      expect(b?.disabled).toBe(false);
      expect(a.disabled).toBe(true);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/promo-code-batches",
    path: () => "/partners/alpha/programs/main/promo-code-batches",
    payload: { code: "spring", size: 500, prefix: "SP" },
    entity: ["promo_code_batch", () => "main/spring", "create-batch"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "spring", size: 500, prefix: "SP", maxUses: 1 });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/programs/:programCode/levels",
    path: () => "/partners/alpha/programs/main/levels",
    payload: { code: "silver", name: "Серебро", threshold: 1_000_000 },
    entity: ["card_level", () => "main/silver", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "silver", threshold: 1_000_000, rank: 1 });
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/programs/:programCode/levels/:levelCode",
    path: () => "/partners/alpha/programs/main/levels/silver",
    payload: { threshold: 2_000_000 },
    entity: ["card_level", () => "main/silver", "update"],
    check: (b, a) => {
      expect(b?.threshold).toBe(1_000_000);
      expect(a.threshold).toBe(2_000_000);
    },
  },
  {
    route: "PUT /admin/v1/partners/:partnerCode/programs/:programCode/levels-settings",
    path: () => "/partners/alpha/programs/main/levels-settings",
    payload: {
      basis: "purchase_amount",
      period: "calendar_year",
      periodDays: 365,
      downgrade: "period_end",
      upgradeAtConfirm: true,
    },
    entity: ["card_level", () => "main/settings", "update-settings"],
    check: (b, a) => {
      expect(b?.period).toBe("rolling_days");
      expect(a).toMatchObject({ period: "calendar_year", downgrade: "period_end", upgradeAtConfirm: true });
    },
  },
  {
    route: "DELETE /admin/v1/partners/:partnerCode/programs/:programCode/levels/:levelCode",
    path: () => "/partners/alpha/programs/main/levels/silver",
    entity: ["card_level", () => "main/silver", "delete"],
    check: (b, a) => {
      expect(b?.code).toBe("silver");
      expect(a).toBeNull();
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
    route: "POST /admin/v1/partners/:partnerCode/discount-programs",
    path: () => "/partners/alpha/discount-programs",
    payload: {
      code: "maker",
      name: "Производитель",
      items: [{ barcode: "4600000000011", name: "Аспирин", discount: { type: "percent", percentBp: 1000 } }],
    },
    entity: ["discount_program", () => "maker", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ code: "maker", version: 1 });
    },
  },
  {
    route: "PUT /admin/v1/partners/:partnerCode/discount-programs/:programCode",
    path: () => "/partners/alpha/discount-programs/maker",
    payload: {
      name: "Производитель",
      items: [{ barcode: "4600000000011", name: "Аспирин", discount: { type: "percent", percentBp: 1500 } }],
    },
    entity: ["discount_program", () => "maker", "update"],
    check: (b, a) => {
      expect(b).toMatchObject({ version: 1 });
      expect(a).toMatchObject({ version: 2, items: [{ discount: { percentBp: 1500 } }] });
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/pharmapi-credentials",
    path: () => "/partners/alpha/pharmapi-credentials",
    payload: { description: "chain software" },
    entity: ["pharmapi_credential", () => "1", "create"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toMatchObject({ id: 1, enabled: true });
      expect(JSON.stringify(a)).not.toMatch(/secret"/);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/pharmapi-credentials/:credentialId/rotate",
    path: () => "/partners/alpha/pharmapi-credentials/1/rotate",
    entity: ["pharmapi_credential", () => "1", "rotate"],
    check: (b, a) => {
      expect(b?.secretRotatedAt).toBeNull();
      expect(a.secretRotatedAt).not.toBeNull();
    },
  },
  {
    route: "PATCH /admin/v1/partners/:partnerCode/pharmapi-credentials/:credentialId",
    path: () => "/partners/alpha/pharmapi-credentials/1",
    payload: { enabled: false },
    entity: ["pharmapi_credential", () => "1", "disable"],
    check: (b, a) => {
      expect(b?.enabled).toBe(true);
      expect(a.enabled).toBe(false);
    },
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/pharmapi-trust-key",
    path: () => "/partners/alpha/pharmapi-trust-key",
    entity: ["pharmapi_trust_key", () => "trust_key", "rotate"],
    check: (_b, a) => expect(a).toEqual({ rotated: true }),
  },
  {
    route: "POST /admin/v1/partners/:partnerCode/products/import",
    path: () => "/partners/alpha/products/import",
    payload: { items: [{ sku: "AUDIT-IMPORT-1", name: "Audited import" }] },
    entity: ["products", () => "AUDIT-IMPORT-1", "import"],
    check: (b, a) => {
      expect(b).toBeNull();
      expect(a).toEqual({ created: 1, updated: 0, skus: ["AUDIT-IMPORT-1"] });
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
      const payload = typeof m.payload === "function" ? m.payload() : m.payload;
      const res = await adminCall(t, m.route.split(" ")[0]!, m.path(), {
        token,
        ...(payload !== undefined ? { payload } : {}),
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
