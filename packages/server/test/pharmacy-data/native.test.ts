/**
 * The native pharmacy-data endpoints of `/v1`: the same tables as the PharmApi uploads, refused input with
 * a catalogued code and details.field and nothing written, store-bound credentials kept to their store,
 * and idempotent repeats.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type SeededPartner, seedPartner, startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;
let other: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  other = await seedPartner(t, { code: "beta" });
});

afterAll(async () => {
  await t?.close();
});

async function tableCounts() {
  const counts: Record<string, number> = {};
  for (const table of ["stores", "store_pos_ids", "stock_items", "stock_uploads", "sellout_lines"] as const) {
    const row = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

describe("PUT /v1/stores", () => {
  it("merges a store list into the partner's stores, with POS ids; a repeat changes nothing", async () => {
    const body = {
      mode: "merge",
      stores: [
        { code: p.storeCodes[0], address: "Тверская, 1", brand: "Аптека", posIds: ["T-1", "T-2"] },
        {
          code: "acme-S3",
          address: "Арбат, 2",
          timezone: "Asia/Yekaterinburg",
          posIds: ["T-2"],
          hidden: true,
        },
      ],
    };
    const res = await call(t, "PUT", "/v1/stores", { token: p.tokens.any, payload: body });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ stores: 2, created: 1, updated: 1, removed: 0, posIds: 2 });
    const again = await call(t, "PUT", "/v1/stores", { token: p.tokens.any, payload: body });
    expect(again.json()).toEqual({ stores: 2, created: 0, updated: 2, removed: 0, posIds: 2 });
    const view = await call(t, "GET", "/v1/stores/acme-S3", { token: p.tokens.any });
    expect(view.json()).toMatchObject({
      code: "acme-S3",
      name: "Арбат, 2",
      timezone: "Asia/Yekaterinburg",
      posIds: ["T-2"],
      hidden: true,
      disabled: false,
      removed: false,
    });
    const first = await call(t, "GET", `/v1/stores/${p.storeCodes[0]}`, { token: p.tokens.any });
    expect(first.json()).toMatchObject({ brand: "Аптека", posIds: ["T-1"], timezone: "Europe/Moscow" });
  });

  it("refuses bad input with a code and details.field, writing nothing; a store-bound credential may not", async () => {
    const before = await tableCounts();
    const cases: [unknown, number, string, string][] = [
      [{ mode: "upsert", stores: [{ code: "x", address: "a" }] }, 400, "VALIDATION_FAILED", "mode"],
      [{ mode: "merge", stores: [] }, 400, "VALIDATION_FAILED", "stores"],
      [
        { mode: "merge", stores: [{ code: "bad code", address: "a" }] },
        400,
        "VALIDATION_FAILED",
        "stores[0].code",
      ],
      [
        { mode: "merge", stores: [{ code: "x", address: "a", posIds: ["ok", "no way"] }] },
        400,
        "VALIDATION_FAILED",
        "stores[0].posIds[1]",
      ],
      [
        { mode: "merge", stores: [{ code: "x", address: "a", timezone: "Mars/Olympus" }] },
        400,
        "VALIDATION_FAILED",
        "stores[0].timezone",
      ],
    ];
    for (const [payload, status, code, field] of cases) {
      const res = await call(t, "PUT", "/v1/stores", { token: p.tokens.any, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().code).toBe(code);
      expect(res.json().details.field).toBe(field);
    }
    const bound = await call(t, "PUT", "/v1/stores", {
      token: p.tokens.store,
      payload: { mode: "merge", stores: [{ code: "x", address: "a" }] },
    });
    expect(bound.statusCode).toBe(403);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("PUT /v1/stores/{code}/stock", () => {
  const items = [
    { barcode: "4600000000011", name: "Aspirin", price: 12_345, amount: 7_300 },
    { barcode: "4600000000011", lot: "L2", name: "Aspirin", price: 12_000, amount: 3_000 },
    { qrCode: "\u001d0104600000000028215abc\u001d93xyz", name: "Vitamin C", price: 50_000, amount: 1_000 },
  ];

  it("replaces the store's rows; the store-bound credential uploads its own store", async () => {
    const res = await call(t, "PUT", `/v1/stores/${p.storeCodes[0]}/stock`, {
      token: p.tokens.store,
      payload: { items },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ rows: 3 });
    const replaced = await call(t, "PUT", `/v1/stores/${p.storeCodes[0]}/stock`, {
      token: p.tokens.any,
      payload: { items: [items[2]] },
    });
    expect(replaced.json()).toEqual({ rows: 1 });
    const view = await call(t, "GET", `/v1/stores/${p.storeCodes[0]}/stock`, { token: p.tokens.store });
    expect(view.json().items).toEqual([
      {
        barcode: null,
        qrCode: items[2]!.qrCode,
        lot: null,
        productCode: "4600000000028",
        name: "Vitamin C",
        price: 50_000,
        amount: 1_000,
        uploadedAt: new Date(t.clock.now()).toISOString(),
      },
    ]);
  });

  it("refuses another store for a bound credential, unknown stores, duplicates and rows without a code", async () => {
    const before = await tableCounts();
    const forbidden = await call(t, "PUT", `/v1/stores/${p.storeCodes[1]}/stock`, {
      token: p.tokens.store,
      payload: { items },
    });
    expect(forbidden.statusCode).toBe(403);
    const cases: [string, unknown, number, string, string][] = [
      ["nowhere", { items }, 404, "STORE_NOT_FOUND", "storeCode"],
      [other.storeCodes[0], { items }, 404, "STORE_NOT_FOUND", "storeCode"],
      [p.storeCodes[1], { items: [items[0], items[0]] }, 400, "DUPLICATE_ITEM", "items[1]"],
      [
        p.storeCodes[1],
        { items: [{ name: "x", price: 1, amount: 1 }] },
        400,
        "STOCK_ITEM_UNIDENTIFIED",
        "items[0].barcode",
      ],
      [p.storeCodes[1], { items: [{ ...items[0], price: 1.5 }] }, 400, "VALIDATION_FAILED", "items[0].price"],
      [
        p.storeCodes[1],
        { items: [{ ...items[0], amount: -1 }] },
        400,
        "VALIDATION_FAILED",
        "items[0].amount",
      ],
      [
        p.storeCodes[1],
        { items: [{ ...items[0], qrCode: "a\u0000b" }] },
        400,
        "VALIDATION_FAILED",
        "items[0].qrCode",
      ],
    ];
    for (const [store, payload, status, code, field] of cases) {
      const res = await call(t, "PUT", `/v1/stores/${store}/stock`, { token: p.tokens.any, payload });
      expect(res.statusCode, `${store} ${JSON.stringify(payload)}`).toBe(status);
      expect(res.json().code).toBe(code);
      expect(res.json().details.field).toBe(field);
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe("POST /v1/sellout", () => {
  const line = (extra: Record<string, unknown> = {}) => ({
    storeCode: p.storeCodes[0],
    voucherId: "R-1",
    lineId: "1",
    soldAt: "2026-11-20T12:00:00+03:00",
    barcode: "4600000000011",
    name: "Aspirin",
    price: 15_000,
    quantity: 2_000,
    discount: 3_000,
    sumToPay: 27_000,
    cardNumber: "1234567890050",
    transaction: "TX-1",
    fiscal: { fn: "9999078900004792", fd: "1", fpd: "2" },
    ...extra,
  });

  it("records lines idempotently by store, receipt and line within the year", async () => {
    const body = {
      lines: [
        line(),
        line({ lineId: "2", discount: 0, sumToPay: 30_000, cardNumber: undefined, transaction: undefined }),
      ],
    };
    const first = await call(t, "POST", "/v1/sellout", { token: p.tokens.any, payload: body });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ lines: 2 });
    const before = await tableCounts();
    const again = await call(t, "POST", "/v1/sellout", { token: p.tokens.store, payload: body });
    expect(again.json()).toEqual({ lines: 2 });
    expect(await tableCounts()).toEqual(before);
  });

  it("refuses bad lines with a code and details.field, writing nothing", async () => {
    const before = await tableCounts();
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ sumToPay: 27_001 }, 422, "SUM_TO_PAY_MISMATCH", "lines[1].sumToPay"],
      [{ transaction: undefined }, 400, "CARD_TRANSACTION_PAIR", "lines[1].transaction"],
      [{ cardNumber: undefined }, 400, "CARD_TRANSACTION_PAIR", "lines[1].cardNumber"],
      [{ fiscal: { fn: "1", fd: "2" } }, 400, "VALIDATION_FAILED", "lines[1].fiscal.fpd"],
      [{ soldAt: "2026-11-20T12:00:00" }, 400, "VALIDATION_FAILED", "lines[1].soldAt"],
      [{ barcode: undefined }, 400, "STOCK_ITEM_UNIDENTIFIED", "lines[1].barcode"],
      [{ quantity: 0 }, 400, "VALIDATION_FAILED", "lines[1].quantity"],
      [{ storeCode: "nowhere" }, 404, "STORE_NOT_FOUND", "lines[1].storeCode"],
      [{ lineId: "1" }, 400, "DUPLICATE_ITEM", "lines[1]"],
    ];
    for (const [extra, status, code, field] of cases) {
      const res = await call(t, "POST", "/v1/sellout", {
        token: p.tokens.any,
        payload: { lines: [line({ voucherId: "R-2" }), line({ voucherId: "R-2", lineId: "2", ...extra })] },
      });
      expect(res.statusCode, JSON.stringify(extra)).toBe(status);
      expect(res.json().code).toBe(code);
      expect(res.json().details.field).toBe(field);
    }
    const foreign = await call(t, "POST", "/v1/sellout", {
      token: p.tokens.store,
      payload: { lines: [line({ voucherId: "R-3", storeCode: p.storeCodes[1] })] },
    });
    expect(foreign.statusCode).toBe(403);
    expect(await tableCounts()).toEqual(before);
  });
});
