/** Promo codes and levels in tests: an owner's bearer token for the admin API and a few shortcuts. */
import { expect } from "vitest";
import { bearerFor, makeUser } from "./admin.js";
import type { SeededPartner, TestApp } from "./harness.js";

export async function ownerToken(t: TestApp, p: SeededPartner): Promise<string> {
  const user = await makeUser(t, `owner-${p.code}-${Math.random().toString(36).slice(2)}@test.kopilka`, {
    partnerId: p.partnerId,
    role: "owner",
  });
  return bearerFor(t, user);
}

export function programPath(p: SeededPartner, tail = ""): string {
  return `/admin/v1/partners/${p.code}/programs/main${tail}`;
}

export async function admin(t: TestApp, token: string, method: string, url: string, payload?: unknown) {
  return t.server.app.inject({
    method: method as "GET",
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

export async function createCode(t: TestApp, token: string, p: SeededPartner, body: Record<string, unknown>) {
  const res = await admin(t, token, "POST", programPath(p, "/promo-codes"), body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function codeRow(t: TestApp, code: string) {
  return t.database.db
    .selectFrom("promo_codes")
    .select(["uses_reserved", "uses_consumed"])
    .where("code", "=", code)
    .executeTakeFirstOrThrow();
}

export async function useStates(t: TestApp, code: string): Promise<Record<string, number>> {
  const rows = await t.database.db
    .selectFrom("promo_code_uses as u")
    .innerJoin("promo_codes as c", "c.id", "u.promo_code_id")
    .select(["u.state", (eb) => eb.fn.countAll<number>().as("n")])
    .where("c.code", "=", code)
    .groupBy("u.state")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
