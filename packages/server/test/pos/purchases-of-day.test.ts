/**
 * GET /v1/stores/{storeCode}/purchases?day=: a store's purchases of one local day for the till's
 * reconciliation. The day is the store's; a store-bound credential sees its own store only, and no
 * partner sees another's; bad input is a 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;
let other: SeededPartner;

const get = (url: string, token = p.tokens.store) => call(t, "GET", url, { token });
const post = (url: string, payload: unknown = {}, token = p.tokens.store) =>
  call(t, "POST", url, { token, payload });

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  other = await seedPartner(t, { code: "beta" });
  // The clock stands at 2026-11-20 09:00 UTC: 12:00 in Moscow (store one), 19:00 in Vladivostok (two).
  for (const id of ["day-1", "day-2"]) {
    expect((await post("/v1/purchases/calculate", receipt(p, id))).statusCode).toBe(200);
  }
  expect((await post("/v1/purchases/day-1/confirm", { receiptNumber: "1" })).statusCode).toBe(200);
  // Another till of the same store, and another store of the chain.
  const otherTill = receipt(p, "day-3", { posCode: "POS-2", cardNumber: undefined });
  expect((await post("/v1/purchases/calculate", otherTill, p.tokens.any)).statusCode).toBe(200);
  const secondStore = receipt(p, "day-4", { storeCode: p.storeCodes[1] });
  expect((await post("/v1/purchases/calculate", secondStore, p.tokens.any)).statusCode).toBe(200);
  // Another partner's sale in its own store, at the same time.
  const foreign = receipt(other, "day-1");
  expect((await post("/v1/purchases/calculate", foreign, other.tokens.store)).statusCode).toBe(200);
  // 22:30 UTC is already 01:30 of the next day in Moscow.
  t.clock.advance(13.5 * 3_600_000);
  // The tokens of the morning have expired by then.
  for (const q of [p, other]) {
    q.tokens = { any: await tokenFor(t, q.logins.any), store: await tokenFor(t, q.logins.store) };
  }
  expect((await post("/v1/purchases/calculate", receipt(p, "night-1"))).statusCode).toBe(200);
});

afterAll(async () => {
  await t?.close();
});

describe("GET /v1/stores/{storeCode}/purchases", () => {
  it("lists the store's own purchases of the local day, with state and amounts", async () => {
    const res = await get(`/v1/stores/${p.storeCodes[0]}/purchases?day=2026-11-20`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      storeCode: p.storeCodes[0],
      day: "2026-11-20",
      timezone: "Europe/Moscow",
      from: "2026-11-19T21:00:00.000Z",
      to: "2026-11-20T21:00:00.000Z",
      nextCursor: null,
    });
    expect(body.items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual(["day-1", "day-2", "day-3"]);
    const [confirmed, calculated, otherTill] = body.items;
    expect(confirmed).toMatchObject({
      posCode: "POS-1",
      state: "confirmed",
      cardNumber: p.cards.rich,
      subtotal: 110_000,
      discount: 9500,
      total: 100_500,
      pointsSpent: 0,
      pointsAccrued: 5025,
      refundedAmount: 0,
      createdAt: "2026-11-20T09:00:00.000Z",
      confirmedAt: "2026-11-20T09:00:00.000Z",
    });
    expect(calculated).toMatchObject({ state: "calculated", confirmedAt: null });
    expect(otherTill).toMatchObject({ posCode: "POS-2", cardNumber: null });

    const next = await get(`/v1/stores/${p.storeCodes[0]}/purchases?day=2026-11-21`);
    expect(next.json().items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual(["night-1"]);
    const second = await get(`/v1/stores/${p.storeCodes[1]}/purchases?day=2026-11-20`, p.tokens.any);
    expect(second.json()).toMatchObject({ timezone: "Asia/Vladivostok" });
    expect(second.json().items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual(["day-4"]);
  });

  it("filters by till and pages by cursor", async () => {
    const base = `/v1/stores/${p.storeCodes[0]}/purchases?day=2026-11-20`;
    const pos2 = await get(`${base}&posCode=POS-2`);
    expect(pos2.json().items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual(["day-3"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const res = await get(`${base}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((i: { purchaseId: string }) => i.purchaseId));
      cursor = res.json().nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual(["day-1", "day-2", "day-3"]);
  });

  it("keeps a till to its own store and a partner to its own stores", async () => {
    const foreignStore = await get(`/v1/stores/${p.storeCodes[1]}/purchases?day=2026-11-20`);
    expect(foreignStore.statusCode).toBe(403);
    expect(foreignStore.json()).toMatchObject({ code: "FORBIDDEN", details: { field: "storeCode" } });
    // A store-bound till learns nothing of stores that do not exist either.
    expect((await get("/v1/stores/nowhere/purchases?day=2026-11-20")).statusCode).toBe(403);
    for (const store of ["nowhere", other.storeCodes[0]]) {
      const res = await get(`/v1/stores/${store}/purchases?day=2026-11-20`, p.tokens.any);
      expect(res.statusCode, store).toBe(404);
      expect(res.json()).toMatchObject({ code: "STORE_NOT_FOUND", details: { field: "storeCode" } });
    }
    const theirs = await get(`/v1/stores/${other.storeCodes[0]}/purchases?day=2026-11-20`, other.tokens.any);
    expect(theirs.json().items.map((i: { purchaseId: string }) => i.purchaseId)).toEqual(["day-1"]);
    expect(theirs.json().items[0].cardNumber).toBe(other.cards.rich);
  });

  it("refuses bad dates, limits and cursors with 400 and the field", async () => {
    const store = p.storeCodes[0];
    const cases: [string, string][] = [
      [`/v1/stores/${store}/purchases`, "day"],
      [`/v1/stores/${store}/purchases?day=2026-02-30`, "day"],
      [`/v1/stores/${store}/purchases?day=2026-13-01`, "day"],
      [`/v1/stores/${store}/purchases?day=20.11.2026`, "day"],
      [`/v1/stores/${store}/purchases?day=2026-11-20T00:00`, "day"],
      [`/v1/stores/${store}/purchases?day=2026-11-20&limit=0`, "limit"],
      [`/v1/stores/${store}/purchases?day=2026-11-20&limit=1001`, "limit"],
      [`/v1/stores/${store}/purchases?day=2026-11-20&cursor=abc`, "cursor"],
      [`/v1/stores/${store}/purchases?day=2026-11-20&shop=1`, "shop"],
    ];
    for (const [url, field] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code, url).toBe("VALIDATION_FAILED");
      expect(res.json().details.field, url).toBe(field);
    }
  });

  it("is not open without a token", async () => {
    const res = await call(t, "GET", `/v1/stores/${p.storeCodes[0]}/purchases?day=2026-11-20`);
    expect(res.statusCode).toBe(401);
  });
});
