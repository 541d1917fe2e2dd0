/**
 * Every admin route × every kind of caller → allowed or 403, from the routes Fastify registered: a new
 * route is in the matrix the moment it exists, and one without a permission cannot even register.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installRouteGuard } from "../../src/api/admin-v1/index.js";
import { mayAct, type PartnerRole } from "../../src/core/admin/permissions.js";
import {
  type AdminWorld,
  adminCall,
  bearerFor,
  PERSONAS,
  type Persona,
  seedAdminWorld,
} from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { principalFor } from "../support/services.js";

let t: TestApp;
let w: AdminWorld;
let clientId = 0;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  const registered = await t.server.services.clients.register(await principalFor(t, w.alpha, "any"), {
    name: "Matrix Client",
    phone: "+79160000001",
    consents: { personalData: true },
  });
  clientId = registered.client!.id;
});
afterAll(async () => t?.close());

function standing(persona: Persona) {
  return {
    platformAdmin: persona === "admin",
    role: persona === "admin" || persona === "outsider" ? null : (persona as PartnerRole),
  };
}

function concrete(url: string): string {
  const values: Record<string, string> = {
    partnerCode: "alpha",
    storeCode: w.alpha.storeCodes[1],
    login: w.alpha.logins.any,
    userId: String(w.target.id),
    programCode: "main",
    participantCode: "beta",
    clientId: String(clientId),
    number: w.alpha.cards.poor,
    purchaseId: "matrix-purchase",
    promoCode: "NOPE",
    batchCode: "none",
    levelCode: "none",
    ruleId: "1",
    version: "1",
    kind: "reconciliation",
    credentialId: "1",
  };
  return url.replace(/:(\w+)/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the matrix has no value for :${name} in ${url}; add one`);
    return value;
  });
}

describe("role matrix", () => {
  it("covers every admin route, each with a permission", () => {
    const routes = t.server.adminRoutes;
    expect(routes.length).toBeGreaterThanOrEqual(40);
    for (const r of routes) expect(r.permission, `${r.method} ${r.url}`).toBeTruthy();
  });

  it("refuses to register an admin route without a permission", async () => {
    const app = Fastify();
    await app.register(async (scope) => {
      installRouteGuard(scope as never, []);
      scope.get(
        "/partners/:partnerCode/guarded",
        { config: { permission: "stores.read" } },
        async () => ({}),
      );
      expect(() => scope.get("/unguarded", async () => ({}))).toThrow(/declares no permission/);
      expect(() =>
        scope.get("/nowhere", { config: { permission: "stores.read" } }, async () => ({})),
      ).toThrow(/has no :partnerCode/);
    });
    await app.close();
  });

  it("answers 403 exactly where the permission table says no, for every persona", async () => {
    const failures: string[] = [];
    for (const route of t.server.adminRoutes) {
      for (const persona of PERSONAS) {
        const token = await bearerFor(t, w.users[persona]);
        const res = await adminCall(t, route.method, concrete(route.url), {
          token,
          ...(["POST", "PATCH", "PUT"].includes(route.method) ? { payload: {} } : {}),
        });
        const allowed = mayAct(standing(persona), route.permission);
        const denied = res.statusCode === 403 && res.json().code === "PERMISSION_DENIED";
        if (allowed === denied || res.statusCode === 401 || res.statusCode >= 500) {
          failures.push(
            `${persona} ${route.method} ${route.url}: ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("answers 401 to a caller without a session on every route but login", async () => {
    for (const route of t.server.adminRoutes) {
      const res = await adminCall(t, route.method, concrete(route.url), {
        ...(["POST", "PATCH", "PUT"].includes(route.method) ? { payload: {} } : {}),
      });
      if (route.permission === "public") expect(res.statusCode, route.url).toBe(400);
      else expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });
});
