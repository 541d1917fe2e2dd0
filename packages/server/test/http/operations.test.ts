import { ERROR_CATALOGUE } from "@kopilka/contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
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

describe("operations endpoints", () => {
  it("health: live always, ready when the database answers", async () => {
    expect((await call(t, "GET", "/health/live")).json()).toEqual({ status: "ok" });
    expect((await call(t, "GET", "/health/ready")).json()).toEqual({ status: "ok" });
  });

  it("metrics: request counts and latency per route, open purchases, purchase events, hanging purchases", async () => {
    await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "m-1") });
    await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "m-2") });
    await call(t, "POST", "/v1/purchases/m-2/confirm", { token: p.tokens.any, payload: {} });
    t.clock.advance(31 * 60_000);
    const res = await call(t, "GET", "/metrics");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    const text = res.body;
    expect(text).toMatch(
      /kopilka_http_requests_total\{method="POST",route="\/v1\/purchases\/calculate",status="200"\} 2/,
    );
    expect(text).toMatch(
      /kopilka_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/purchases\/:purchaseId\/confirm"\} 1/,
    );
    expect(text).toMatch(/kopilka_purchases\{state="calculated"\} 1/);
    expect(text).toMatch(/kopilka_purchase_events_total\{kind="calculated"\} 2/);
    expect(text).toMatch(/kopilka_purchase_events_total\{kind="confirmed"\} 1/);
    expect(text).toMatch(/kopilka_purchases_hanging 1/);
    // A replayed confirm is not a second confirmation.
    await call(t, "POST", "/v1/purchases/m-2/confirm", { token: p.tokens.any, payload: {} });
    expect((await call(t, "GET", "/metrics")).body).toMatch(
      /kopilka_purchase_events_total\{kind="confirmed"\} 1/,
    );
  });

  it("OpenAPI 3.1 describes every route with its schemas and the error catalogue", async () => {
    const doc = (await call(t, "GET", "/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/auth/token",
      "/v1/purchases/calculate",
      "/v1/purchases/{purchaseId}/bonus-payment",
      "/v1/purchases/{purchaseId}/confirm",
      "/v1/purchases/{purchaseId}/cancel",
      "/v1/purchases/{purchaseId}/refunds",
      "/v1/purchases/{purchaseId}",
      "/v1/cards/{number}",
      "/v1/cards",
      "/v1/products",
      "/v1/programs",
      "/health/ready",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const calculate = doc.paths["/v1/purchases/calculate"].post;
    // The receipt is a named component now; follow the reference.
    const receiptRef: string = calculate.requestBody.content["application/json"].schema.$ref;
    const receiptSchema = doc.components.schemas[receiptRef.split("/").pop()!];
    expect(receiptSchema.properties.lines.maxItems).toBe(500);
    expect(calculate.responses["422"]).toBeDefined();
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(doc.info.description).toContain(code);
    const docs = await call(t, "GET", "/docs/");
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
  });
});
