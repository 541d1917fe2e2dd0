/**
 * What is HTTP about replays, late confirms and fiscal data: the Idempotent-Replayed header, the current
 * state in the body, 202 for a hanging confirm, 400 with the field for malformed fiscal requisites.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
});
afterAll(async () => t?.close());

const post = (url: string, payload: unknown = {}) => call(t, "POST", url, { token: p.tokens.store, payload });

function printedFrom(view: {
  rulesVersion: string;
  storeCode: string;
  cardNumber: string;
  lines: {
    lineId: string;
    sku: string;
    quantity: number;
    unitPrice: number;
    discount: number;
    pointsPaid: number;
    accrual: number;
  }[];
  totals: { pointsPaid: number; accrual: number };
}) {
  return {
    rulesVersion: view.rulesVersion,
    storeCode: view.storeCode,
    posCode: "POS-1",
    cardNumber: view.cardNumber,
    lines: view.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      quantity: l.quantity,
      price: l.unitPrice,
      discount: l.discount,
      pointsPaid: l.pointsPaid,
      accrual: l.accrual,
    })),
    pointsSpent: view.totals.pointsPaid,
    pointsAccrued: view.totals.accrual,
  };
}

describe("replays over HTTP", () => {
  it("a replayed confirm says so in a header and tells the current state once the purchase was cancelled", async () => {
    await post("/v1/purchases/calculate", receipt(p, "h-1"));
    const first = await post("/v1/purchases/h-1/confirm");
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect(first.json()).toMatchObject({ state: "confirmed", late: false, current: { state: "confirmed" } });
    const cancel = await post("/v1/purchases/h-1/cancel");
    expect(cancel.headers["idempotent-replayed"]).toBeUndefined();
    const retried = await post("/v1/purchases/h-1/confirm");
    expect(retried.statusCode).toBe(200);
    expect(retried.headers["idempotent-replayed"]).toBe("true");
    expect(retried.json()).toMatchObject({ state: "confirmed", current: { state: "cancelled" } });
    const cancelAgain = await post("/v1/purchases/h-1/cancel");
    expect(cancelAgain.headers["idempotent-replayed"]).toBe("true");
    expect(cancelAgain.body).toBe(cancel.body);
  });

  it("a replayed refund carries the header too", async () => {
    await post("/v1/purchases/calculate", receipt(p, "h-2"));
    await post("/v1/purchases/h-2/confirm");
    const body = { refundId: "r1" };
    const first = await post("/v1/purchases/h-2/refunds", body);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();
    expect(first.json()).toMatchObject({ belowProportional: false, current: { state: "refunded" } });
    const again = await post("/v1/purchases/h-2/refunds", body);
    expect(again.headers["idempotent-replayed"]).toBe("true");
    expect(again.body).toBe(first.body);
  });
});

describe("late confirm over HTTP", () => {
  it("a matching receipt confirms late (200, late: true); another discount answers 202 hanging", async () => {
    const calc = (await post("/v1/purchases/calculate", receipt(p, "h-late"))).json();
    await post("/v1/purchases/calculate", receipt(p, "h-hang"));
    const wrongView = (await post("/v1/purchases/calculate", receipt(p, "h-hang"))).json();
    t.clock.advance(31 * 60_000);
    const late = await post("/v1/purchases/h-late/confirm", { receipt: printedFrom(calc) });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ state: "confirmed", late: true, current: { state: "confirmed" } });
    const wrong = printedFrom(wrongView);
    wrong.lines[0]!.discount = 777;
    const hung = await post("/v1/purchases/h-hang/confirm", { receipt: wrong });
    expect(hung.statusCode).toBe(202);
    expect(hung.json()).toEqual({
      purchaseId: "h-hang",
      state: "hanging",
      late: true,
      hanging: { reason: "RECEIPT_MISMATCH", message: expect.any(String) },
      current: { state: "hanging" },
    });
    const detail = (await call(t, "GET", "/v1/purchases/h-hang", { token: p.tokens.store })).json();
    expect(detail).toMatchObject({ state: "hanging", hangingReason: "RECEIPT_MISMATCH" });
    const again = await post("/v1/purchases/h-hang/confirm", { receipt: wrong });
    expect(again.statusCode).toBe(202);
    expect(again.headers["idempotent-replayed"]).toBe("true");
  });
});

describe("fiscal requisites", () => {
  it.each([
    ["fn", "999907890001234", "fiscal.fn"],
    ["fn", "99990789000123456", "fiscal.fn"],
    ["fn", "999907890001234a", "fiscal.fn"],
    ["fd", "12345678901", "fiscal.fd"],
    ["fd", "", "fiscal.fd"],
    ["fpd", "28394756101", "fiscal.fpd"],
    ["fpd", "-1", "fiscal.fpd"],
  ])("refuses %s = %j with 400 naming the field, writing nothing", async (key, value, field) => {
    await post("/v1/purchases/calculate", receipt(p, "fiscal-1"));
    const before = await writeCounts(t);
    const res = await post("/v1/purchases/fiscal-1/confirm", { fiscal: { [key]: value } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: "VALIDATION_FAILED", details: { field } });
    expect(await writeCounts(t)).toEqual(before);
  });

  it("accepts a 16-digit FN and FD and FPD of up to 10 digits", async () => {
    await post("/v1/purchases/calculate", receipt(p, "fiscal-2"));
    const res = await post("/v1/purchases/fiscal-2/confirm", {
      fiscal: { fn: "7281440500123456", fd: "1", fpd: "2839475610" },
    });
    expect(res.statusCode).toBe(200);
  });
});

describe("OpenAPI", () => {
  it("documents the hanging answer and the replay header of confirm", async () => {
    const doc = (await call(t, "GET", "/openapi.json")).json();
    const confirm = doc.paths["/v1/purchases/{purchaseId}/confirm"].post;
    expect(confirm.responses["202"]).toBeDefined();
    expect(confirm.responses["200"].headers["Idempotent-Replayed"]).toBeDefined();
  });
});
