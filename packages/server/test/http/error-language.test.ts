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
  p = await seedPartner(t, { richBalance: 1_000_000 });
});
afterAll(async () => t?.close());

const NBSP = "\u00a0";

describe("error messages follow Accept-Language; the code and details do not", () => {
  it("an amount error: Russian by default, English on request, amounts in points", async () => {
    const calc = await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.any,
      payload: receipt(p, "lang-1"),
    });
    expect(calc.statusCode).toBe(200);
    const limit: number = calc.json().points.paymentLimit;
    const ask = (headers: Record<string, string>) =>
      call(t, "POST", "/v1/purchases/lang-1/bonus-payment", {
        token: p.tokens.any,
        payload: { amount: limit + 1 },
        headers,
      });
    const byDefault = await ask({});
    const russian = await ask({ "accept-language": "ru-RU,ru;q=0.9" });
    const english = await ask({ "accept-language": "en-US,en;q=0.9,ru;q=0.5" });
    for (const res of [byDefault, russian, english]) {
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe("POINTS_PAYMENT_LIMIT_EXCEEDED");
      expect(res.json().details).toEqual({ field: "amount", max: limit });
    }
    expect(byDefault.json().message).toBe(russian.json().message);
    expect(byDefault.headers["content-language"]).toBe("ru");
    expect(english.headers["content-language"]).toBe("en");
    expect(limit).toBe(50_250); // half of the receipt after discounts: 502.50 points
    expect(russian.json().message).toBe(`Этот чек можно оплатить баллами не более чем на 502,50${NBSP}балла`);
    expect(english.json().message).toBe("At most 502.50 points of this receipt may be paid with points");
  });

  it("a validation error names the field and the reason in either language", async () => {
    const bad = { ...receipt(p, "lang-2"), lines: [{ lineId: "1", sku: "P1", quantity: "2", price: 100 }] };
    const ru = await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: bad });
    const en = await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.any,
      payload: bad,
      headers: { "accept-language": "en" },
    });
    for (const res of [ru, en]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
      expect(res.json().details).toMatchObject({ field: "lines[0].quantity", rule: "type" });
    }
    expect(ru.json().message).toBe("Поле lines[0].quantity заполнено неверно: ожидается целое число");
    expect(en.json().message).toBe("Field lines[0].quantity is invalid: must be an integer");
  });

  it("errors outside the routes too: unknown route, unauthenticated, wrong media type", async () => {
    const notFound = await call(t, "GET", "/v1/nowhere", { headers: { "accept-language": "en" } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().message).toBe("No such route: GET /v1/nowhere");
    const unauthenticated = await call(t, "GET", "/v1/programs");
    expect(unauthenticated.statusCode).toBe(401);
    expect(unauthenticated.json().message).toBe("Нужна авторизация: токен отсутствует, неверен или истёк");
    const text = await t.server.app.inject({
      method: "POST",
      url: "/v1/auth/token",
      payload: "login=x",
      headers: { "content-type": "text/plain", "accept-language": "en" },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "The request body must be JSON",
    });
  });
});
