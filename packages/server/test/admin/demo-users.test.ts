/** The demo chain comes with cabinet users, listed so start-up prints them and production can refuse them. */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  DEMO_PASSWORD,
  DEMO_USERS,
  loadDemoData,
  openDemoCredentials,
} from "../../src/modules/demo/index.js";
import { adminCall, bearerLogin } from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await loadDemoData(t.database, t.clock.now());
});
afterAll(async () => t?.close());

/** The demo cabinet users that still open the door with the public demo password. */
const openDemoUsers = async () =>
  (await openDemoCredentials(t.database)).filter((c) => c.kind === "cabinet user").map((c) => c.login);

it("signs in the demo owner, marketer and platform administrator with their roles", async () => {
  const roles: Record<string, string> = {};
  for (const u of DEMO_USERS) {
    const login = await bearerLogin(t, u.email, DEMO_PASSWORD);
    expect(login.statusCode, u.email).toBe(200);
    const user = login.json().user;
    roles[u.email] = user.platformAdmin ? "admin" : user.memberships[0].role;
  }
  expect(roles).toEqual({
    "admin@demo.kopilka": "admin",
    "owner@demo.kopilka": "owner",
    "marketer@demo.kopilka": "marketer",
  });
  const owner = (await bearerLogin(t, "owner@demo.kopilka", DEMO_PASSWORD)).json().token;
  const stores = (await adminCall(t, "GET", "/partners/demo/stores", { token: owner })).json();
  // The demo's pharmacy of the PharmApi test program is a store of the chain too.
  expect(stores.items.map((s: { code: string }) => s.code)).toEqual([
    "MSK-01",
    "NSK-01",
    "VVO-01",
    "test-pharmacy",
  ]);
});

it("lists the demo users still enabled, until they are disabled", async () => {
  expect(await openDemoUsers()).toEqual(DEMO_USERS.map((u) => u.email));
  const admin = (await bearerLogin(t, "admin@demo.kopilka", DEMO_PASSWORD)).json().token;
  const users = (await adminCall(t, "GET", "/users?q=demo.kopilka", { token: admin })).json().items;
  for (const u of users.filter((x: { email: string }) => x.email !== "admin@demo.kopilka")) {
    expect((await adminCall(t, "POST", `/users/${u.id}/disable`, { token: admin })).statusCode).toBe(200);
  }
  expect(await openDemoUsers()).toEqual(["admin@demo.kopilka"]);
});
