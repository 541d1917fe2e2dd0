import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
});
afterAll(async () => t?.close());

describe("products", () => {
  it("upserts by SKU and the next receipt sees the change", async () => {
    const put = await call(t, "PUT", "/v1/products", {
      token: p.tokens.any,
      payload: {
        items: [
          {
            sku: "N1",
            barcode: "4609999999999",
            name: "New vitamins",
            category: "vitamins",
            brand: "N",
            minPrice: 100,
          },
          { sku: "P1", name: "Aspirin (renamed)", category: "vitamins", brand: "A" },
        ],
      },
    });
    expect(put.json()).toEqual({ upserted: 2 });
    const got = (await call(t, "GET", "/v1/products/N1", { token: p.tokens.any })).json();
    expect(got).toEqual({
      sku: "N1",
      barcode: "4609999999999",
      name: "New vitamins",
      category: "vitamins",
      brand: "N",
      manufacturer: null,
      excludedFromPointsPayment: false,
      excludedFromAccrual: false,
      minPrice: 100,
    });
    const priced = (
      await call(t, "POST", "/v1/purchases/calculate", {
        token: p.tokens.any,
        payload: receipt(p, "after-upload"),
      })
    ).json();
    // P1 is now in the vitamins category, so the 10% vitamins rule applies to it.
    expect(priced.lines[0].discount).toBe(3000);
    const unknown = await call(t, "GET", "/v1/products/NOPE", { token: p.tokens.any });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("PRODUCT_NOT_FOUND");
  });

  it("prices an unknown barcode as a line of its own with unscoped rules only", async () => {
    const body = (
      await call(t, "POST", "/v1/purchases/calculate", {
        token: p.tokens.any,
        payload: receipt(p, "unknown-product", {
          lines: [{ lineId: "1", barcode: "0000000000000", quantity: 1000, price: 10_000 }],
        }),
      })
    ).json();
    expect(body.lines[0]).toMatchObject({ productKnown: false, sku: null, discount: 0, accrualRateBp: 500 });
  });
});

describe("cards", () => {
  it("uploads new cards with empty accounts and updates status and level of known ones", async () => {
    const first = await call(t, "PUT", "/v1/cards", {
      token: p.tokens.any,
      payload: {
        programCode: "main",
        items: [{ number: "NEW-1" }, { number: "NEW-2", level: "gold", virtual: true }],
      },
    });
    expect(first.json()).toEqual({ created: 2, updated: 0 });
    const second = await call(t, "PUT", "/v1/cards", {
      token: p.tokens.any,
      payload: { programCode: "main", items: [{ number: "NEW-1", status: "blocked" }, { number: "NEW-3" }] },
    });
    expect(second.json()).toEqual({ created: 1, updated: 1 });
    const card = (await call(t, "GET", "/v1/cards/NEW-1", { token: p.tokens.any })).json();
    expect(card).toEqual({
      number: "NEW-1",
      programCode: "main",
      status: "blocked",
      level: null,
      virtual: false,
      balance: { active: 0, pending: 0, held: 0, available: 0 },
      expiring: { withinDays: 30, amount: 0, lots: [] },
      promoCodes: [],
    });
    expect((await call(t, "GET", "/v1/cards/NEW-2", { token: p.tokens.any })).json()).toMatchObject({
      level: "gold",
      virtual: true,
    });
    await expectLedgerBalanced(t);
  });

  it("shows the card's ledger, newest first", async () => {
    await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.any,
      payload: receipt(p, "ledger-1"),
    });
    await call(t, "POST", "/v1/purchases/ledger-1/bonus-payment", {
      token: p.tokens.any,
      payload: { amount: 1000 },
    });
    await call(t, "POST", "/v1/purchases/ledger-1/confirm", { token: p.tokens.any, payload: {} });
    const ledger = (
      await call(t, "GET", `/v1/cards/${p.cards.rich}/ledger?limit=2`, { token: p.tokens.any })
    ).json();
    expect(ledger.entries.map((e: { kind: string }) => e.kind)).toEqual(["accrual", "spend"]);
    expect(ledger.entries[1]).toMatchObject({ activeDelta: -1000, pendingDelta: 0, purchaseId: "ledger-1" });
  });
});

describe("programs", () => {
  it("lists the partner's programs with their terms and their active rules as a POS shows them", async () => {
    const body = (await call(t, "GET", "/v1/programs", { token: p.tokens.store })).json();
    expect(body.programs).toMatchObject([
      {
        code: "main",
        name: "Main",
        kind: "loyalty",
        holdDays: 0,
        cancelWindowMinutes: 30,
        purchaseTtlSeconds: 1800,
        maxPointsPaymentShareBp: 5000,
        pointsLifetimeDays: null,
      },
    ]);
    const rules = body.programs[0].rules as Record<string, unknown>[];
    expect(rules.map((r) => r.name)).toEqual([
      "accrual 5%",
      "gold accrual 10%",
      "vitamins -10%",
      "brand X 30 rub off",
      "promo SALE -20%",
    ]);
    // Name, description and validity: not the conditions and effects.
    expect(Object.keys(rules[0]!).sort()).toEqual([
      "description",
      "id",
      "name",
      "validFrom",
      "validTo",
      "version",
    ]);
    expect(rules[0]).toMatchObject({ version: 1, validFrom: null, validTo: null, description: null });
  });
});
