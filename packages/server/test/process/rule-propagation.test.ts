/**
 * Two `kopilka serve` processes on one database: a rule created through the admin API of one is applied by
 * a calculate on the other within a second, without a restart (the second process's catalog notices the
 * global programs version move, read at most every 250 ms, and recompiles the program); a store disabled
 * through one is refused by the other within a second, and by itself at once; and sales on one card split
 * across both processes never spend more points than the card has.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyLedger } from "../../src/modules/points/index.js";
import { makeUser, PASSWORD } from "../support/admin.js";
import {
  receipt,
  SECRET,
  type SeededPartner,
  seedPartner,
  startTestApp,
  TEST_PII_KEY,
  type TestApp,
} from "../support/harness.js";
import { killAll, type ServerProcess, startServer, stopGracefully } from "../support/server-process.js";

let t: TestApp;
let p: SeededPartner;
let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  t = await startTestApp();
  // Accruals stay pending (14 days), so only the credited balance can be spent here.
  p = await seedPartner(t, { code: "alpha", richBalance: BALANCE, program: { holdDays: 14 } });
  await makeUser(t, "marketer@alpha.test", { partnerId: p.partnerId, role: "marketer" });
  await makeUser(t, "owner@alpha.test", { partnerId: p.partnerId, role: "owner" });
  const env = { DEMO_DATA: "false", PII_KEY: TEST_PII_KEY };
  a = await startServer(t.scratch.url, env);
  b = await startServer(t.scratch.url, env);
}, 120_000);

afterAll(async () => {
  for (const s of [a, b]) if (s && !s.hasExited()) await stopGracefully(s).catch(() => {});
  await killAll();
  await t?.close();
});

/** The rich card's points (hundredths): enough for a third of the spends below. */
const BALANCE = 30_000;
const SPEND = 900;
const SALES = 100;

async function post(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A bearer session of the cabinet user through `server`'s admin API. */
async function adminToken(server: ServerProcess, email: string): Promise<string> {
  const login = await post(server.base, "/admin/v1/auth/login", {
    email,
    password: PASSWORD,
    session: "bearer",
  });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

/** A POS token of the partner's accounting credential from `server`. */
async function posToken(server: ServerProcess): Promise<string> {
  return (await post(server.base, "/v1/auth/token", { login: "alpha-accounting", secret: SECRET })).body
    .accessToken as string;
}

describe("a rule changed in one process", () => {
  it("applies in a calculate on another process within a second", async () => {
    const marketer = await adminToken(a, "marketer@alpha.test");
    const tokenOnB = await posToken(b);
    let n = 0;
    const discountOnB = async () => {
      const res = await post(
        b.base,
        "/v1/purchases/calculate",
        {
          purchaseId: `prop-${++n}`,
          storeCode: "alpha-S1",
          posCode: "POS-1",
          lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 10_000 }],
        },
        tokenOnB,
      );
      expect(res.status).toBe(200);
      return (res.body.totals as { discount: number }).discount;
    };
    // B has compiled the program (no discount on aspirin yet).
    expect(await discountOnB()).toBe(0);

    const created = await post(
      a.base,
      "/admin/v1/partners/alpha/programs/main/rules",
      {
        name: "Medicines −25 %",
        priority: 0,
        stacking: { mode: "stackable" },
        conditions: [{ type: "products", params: { set: { categories: ["medicines"] } } }],
        effects: [{ type: "line_discount_percent", params: { percentBp: 2500 } }],
      },
      marketer,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const deadline = Date.now() + 1_000;
    let discount = await discountOnB();
    while (discount === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      discount = await discountOnB();
    }
    expect(discount).toBe(2_500);
  });
});

describe("a store disabled in one process", () => {
  it("is refused by that process at once and by the other within a second, and served again once enabled", async () => {
    const owner = await adminToken(a, "owner@alpha.test");
    const tokens = new Map([
      [a, await posToken(a)],
      [b, await posToken(b)],
    ]);
    let n = 0;
    /** The error code of a calculate at the store through `server`, or null when it is served. */
    const refusal = async (server: ServerProcess) => {
      const res = await post(
        server.base,
        "/v1/purchases/calculate",
        receipt(p, `store-${++n}`),
        tokens.get(server),
      );
      if (res.status === 200) return null;
      return (res.body as { code?: string }).code ?? `HTTP ${res.status}`;
    };
    const within = async (server: ServerProcess, ms: number, want: string | null) => {
      const deadline = Date.now() + ms;
      let got = await refusal(server);
      while (got !== want && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        got = await refusal(server);
      }
      return got;
    };
    // Both processes have the store cached.
    expect(await refusal(a)).toBeNull();
    expect(await refusal(b)).toBeNull();

    const store = receipt(p, "any").storeCode;
    const disabled = await post(a.base, `/admin/v1/partners/alpha/stores/${store}/disable`, {}, owner);
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(await refusal(a)).toBe("STORE_NOT_FOUND");
    expect(await within(b, 1_000, "STORE_NOT_FOUND")).toBe("STORE_NOT_FOUND");

    const enabled = await post(a.base, `/admin/v1/partners/alpha/stores/${store}/enable`, {}, owner);
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(await refusal(a)).toBeNull();
    expect(await within(b, 1_000, null)).toBeNull();
  });
});

describe("spends on one card through two processes", () => {
  it("100 concurrent sales, half through each process, never overdraw the card", async () => {
    const servers = [
      { server: a, token: await posToken(a) },
      { server: b, token: await posToken(b) },
    ];
    const sale = async (i: number) => {
      const { server, token } = servers[i % 2]!;
      const id = `spend-${i}`;
      const calculated = await post(server.base, "/v1/purchases/calculate", receipt(p, id), token);
      expect(calculated.status, JSON.stringify(calculated.body)).toBe(200);
      const paid = await post(server.base, `/v1/purchases/${id}/bonus-payment`, { amount: SPEND }, token);
      if (paid.status !== 200) {
        // Refused for want of points, never anything else.
        expect(paid.status, JSON.stringify(paid.body)).toBe(422);
        return 0;
      }
      const confirmed = await post(server.base, `/v1/purchases/${id}/confirm`, {}, token);
      expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
      return (confirmed.body.receipt as { spent: number }).spent;
    };
    const spent = await Promise.all(Array.from({ length: SALES }, (_, i) => sale(i)));
    const total = spent.reduce((x, y) => x + y, 0);
    expect(total).toBeLessThanOrEqual(BALANCE);
    // Every spend that fitted went through: the card ends with less than one spend's worth free.
    expect(BALANCE - total).toBeLessThan(SPEND);
    const account = await t.database.db
      .selectFrom("points_accounts")
      .innerJoin("cards", "cards.id", "points_accounts.card_id")
      .select(["points_accounts.active", "points_accounts.held"])
      .where("cards.number", "=", p.cards.rich)
      .executeTakeFirstOrThrow();
    expect(account.active).toBe(BALANCE - total);
    expect(account.held).toBe(0);
    expect(await verifyLedger(t.database)).toEqual([]);
  }, 120_000);
});
