/**
 * The PharmApi transport edge: statuses in the reference server's order, the raw body (any content type,
 * trailing commas), the encoded twin in both directions, versions, the trailing slash, exact decimals,
 * DataMatrix codes, and that a refused request writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urlDecode, urlEncode } from "../../src/api/pharmapi/index.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import {
  PHARM_SECRET,
  PHARM_TOKEN,
  POS,
  pharm,
  pharmJson,
  seedPharmApi,
  VALID_CARD,
} from "../support/pharmapi.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await seedPharmApi(t);
});
afterAll(() => t.close());

const discountBody = (orders: unknown[]) => ({ ...POS, card_number: VALID_CARD, orders });
const purchases = async () =>
  Number(
    (
      await t.database.db
        .selectFrom("purchases")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("statuses, in the reference server's order", () => {
  it("401 for a missing or empty header, even on a GET (auth comes first)", async () => {
    const missing: Record<string, string>[] = [
      { "authorization-token": "" },
      { "authorization-secret": "" },
      { "authorization-token": "", "authorization-secret": "" },
    ];
    for (const headers of missing) {
      const res = await pharm(t, "get_programs", POS, { headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      expect(res.body).toBe("Необходима авторизация (401 Unauthorized).");
    }
    const get = await t.server.app.inject({ method: "GET", url: "/api/v1.1/get_programs" });
    expect(get.statusCode).toBe(401);
  });

  it("403 for a wrong pair, 405 for a non-POST, 404 for an unknown method or version", async () => {
    const wrong = await pharm(t, "get_programs", POS, { headers: { "authorization-secret": "nope" } });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.body).toBe("Доступ запрещён (403 Forbidden).");
    const unknownToken = await pharm(t, "get_programs", POS, { headers: { "authorization-token": "nope" } });
    expect(unknownToken.statusCode).toBe(403);
    const get = await pharm(t, "get_programs", null, { httpMethod: "GET" });
    expect(get.statusCode).toBe(405);
    expect(get.body).toBe("Недопустимый метод (405 MethodNotAllowed).");
    // The method check comes before routing: a GET to an unknown method is 405 too.
    expect((await pharm(t, "no_such_method", null, { httpMethod: "GET" })).statusCode).toBe(405);
    const unknown = await pharm(t, "no_such_method", POS);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toBe("Недопустимый адрес (404 NotFound).");
    expect((await pharm(t, "get_programs", POS, { version: "v2.0" })).statusCode).toBe(404);
  });

  it("400 for a broken body or a field of the wrong JSON type; 200 + error 400 for a rule broken", async () => {
    const broken = await pharm(t, "get_discount", null, { raw: '{"pos_id": "test-pos", ' });
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toMatch(/^Ошибка при чтении JSON: /);
    expect((await pharm(t, "get_discount", null, { raw: "" })).statusCode).toBe(400);
    expect((await pharm(t, "get_discount", null, { raw: "[1]" })).statusCode).toBe(400);
    const wrongType = await pharm(t, "get_discount", { ...discountBody([]), pos_id: 17 });
    expect(wrongType.statusCode).toBe(400);
    const nullCount = await pharm(
      t,
      "get_discount",
      discountBody([{ barcode: "1111111111116", count: null, price: 1 }]),
    );
    expect(nullCount.statusCode).toBe(400);

    const before = await purchases();
    for (const body of [
      { ...POS, pos_id: "bad id", card_number: VALID_CARD },
      { ...POS, card_number: VALID_CARD, phone_number: "+79001234567" },
      { ...POS },
      { ...POS, card_number: "12-34" },
      { ...POS, phone_number: "89001234567" },
      discountBody([{ barcode: "1111111111116", count: 1, price: 100.005 }]),
      discountBody([{ barcode: "1111111111116", count: 1, price: -1 }]),
      discountBody([{ barcode: "1111111111116", count: 1, price: 1e12 }]),
      discountBody([{ barcode: "1111111111116", count: 0.0001, price: 100 }]),
      discountBody([{ barcode: "1111111111116", count: 0, price: 100 }]),
      discountBody([{ barcode: "1111111111116", price: 100 }]),
      discountBody([null]),
      { ...discountBody([]), any_data: "x".repeat(101) },
    ]) {
      const answer = await pharmJson(t, "get_discount", body);
      expect(answer, JSON.stringify(body)).toMatchObject({ status: "error", error_code: 400 });
      expect(answer.message).toMatch(/[А-Яа-я]/);
    }
    expect(await purchases()).toBe(before);
  });

  it("the API root answers its text without credentials", async () => {
    const res = await t.server.app.inject({ method: "GET", url: "/api/v1.1/" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^Протокол like-pharma/);
    const unknown = await t.server.app.inject({ method: "GET", url: "/api/v9.9/" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/json/);
  });
});

describe("bodies and paths", () => {
  it("accepts any content type (or none), trailing commas, and a trailing slash", async () => {
    const raw = `{"pos_id":"test-pos","pharmacy_id":"test-pharmacy",}`;
    for (const contentType of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/json; charset=utf-8",
    ]) {
      const res = await pharm(t, "get_programs", null, { raw, headers: { "content-type": contentType } });
      expect(res.statusCode, contentType).toBe(200);
      expect(res.json().status).toBe("success");
    }
    const slash = await t.server.app.inject({
      method: "POST",
      url: "/api/v1.1/get_programs/",
      headers: { "authorization-token": PHARM_TOKEN, "authorization-secret": PHARM_SECRET },
      payload: JSON.stringify(POS),
    });
    expect(slash.statusCode).toBe(200);
    expect(slash.json().programs).toHaveLength(1);
  });

  it("the encoded twin: the same JSON url-encoded in the request and in the answer", async () => {
    const body = JSON.stringify(
      discountBody([{ barcode: "1111111111116", count: 2, price: 1111.11, any_data: "с +плюсом" }]),
    );
    const res = await pharm(t, "get_discount", null, { version: "v1.1-encoded", raw: urlEncode(body) });
    expect(res.statusCode).toBe(200);
    expect(res.body.startsWith("%7B")).toBe(true);
    const answer = JSON.parse(urlDecode(res.body));
    expect(answer.orders[0]).toMatchObject({ discount: 444.44, any_data: "с +плюсом", price: 1111.11 });
    // A raw JSON body on the encoded path is read as is (decoding would turn "+7…" into " 7…").
    const plain = await pharm(t, "get_programs", POS, { version: "v1.0-encoded" });
    expect(JSON.parse(urlDecode(plain.body)).program).toHaveLength(1);
    expect(urlDecode("%7B%22a%22%3A%22x+y%2B%E2%82%AC%ZZ%22%7D")).toBe('{"a":"x y+€%ZZ"}');
  });

  it("echoes prices and counts as sent and converts them exactly", async () => {
    const raw = `{"pos_id":"test-pos","pharmacy_id":"test-pharmacy","card_number":"${VALID_CARD}",
      "orders":[{"barcode":"1111111111116","count":1.500,"price":120.10}]}`;
    const res = await pharm(t, "get_discount", null, { raw });
    expect(res.body).toContain('"count":1.500');
    expect(res.body).toContain('"price":120.10');
    const line = res.json().orders[0];
    // Whole packs only: one pack of 120.10 at 20 % is 24.02; half a pack at full price.
    expect(line).toMatchObject({ error_code: 0, discount: 24.02, value: 156.13 });
  });

  it("a DataMatrix code resolves to its GTIN and wins over the barcode", async () => {
    const qr = "0104601234567893215abcdefghij\u001d91EE07\u001d92abc";
    const gtin = "\u001d0101111111111116215abc\u001d93xyz";
    const answer = await pharmJson(
      t,
      "get_discount",
      discountBody([
        { qr_code: gtin, barcode: "4601234567893", count: 1, price: 100 },
        { qr_code: qr, count: 1, price: 100 },
        { count: 1, price: 10 },
      ]),
    );
    expect(answer.orders[0]).toMatchObject({
      error_code: 0,
      discount: 20,
      barcode: "4601234567893",
      qr_code: gtin,
    });
    expect(answer.orders[1]).toMatchObject({ error_code: 1, discount: 0 });
    expect(answer.orders[2]).toMatchObject({ error_code: 101, discount: 0, value: 10 });
  });

  it("a card with no lines is checked: valid or not", async () => {
    expect(await pharmJson(t, "get_discount", { ...POS, card_number: VALID_CARD })).toMatchObject({
      status: "success",
      error_code: 0,
      orders: [],
    });
    expect((await pharmJson(t, "get_discount", { ...POS, card_number: "1234567890123451" })).error_code).toBe(
      1,
    );
  });

  it("the pharmacy: pharmacy_id wins; without it the POS id's binding; neither is an error", async () => {
    const byPos = await pharmJson(t, "get_programs", { pos_id: "test-pos" });
    expect(byPos.status).toBe("success");
    const unknownPos = await pharmJson(t, "get_programs", { pos_id: "other-pos" });
    expect(unknownPos).toMatchObject({ status: "error", error_code: 20 });
    const unknownPharmacy = await pharmJson(t, "get_programs", {
      pos_id: "test-pos",
      pharmacy_id: "nowhere",
    });
    expect(unknownPharmacy).toMatchObject({ status: "error", error_code: 20 });
  });

  it("register and confirm_code answer the fixed refusal while the program does not offer them", async () => {
    const reg = await pharmJson(t, "register", {
      ...POS,
      card_number: VALID_CARD,
      phone_number: "+79001234567",
    });
    expect(reg).toMatchObject({ status: "error", error_code: 301 });
    expect(await pharmJson(t, "confirm_code", { ...POS, code: "12345" })).toMatchObject({ error_code: 301 });
    expect(await pharmJson(t, "confirm_code", { ...POS })).toMatchObject({ error_code: 400 });
  });
});

describe("upload dispatch", () => {
  it("an upload method gets the raw body after the same checks, with its own body limit", async () => {
    const Fastify = (await import("fastify")).default;
    const { registerPharmApi } = await import("../../src/api/pharmapi/index.js");
    const app = Fastify();
    const seen: { partnerCode: string; bytes: number }[] = [];
    await registerPharmApi(app as never, t.server.services, 1024, {
      sellout: async (caller, request) => {
        seen.push({ partnerCode: caller.partnerCode, bytes: (request.body as Buffer).length });
        return { body: { status: "success", error_code: 0, message: "принято" } };
      },
    });
    const headers = { "authorization-token": PHARM_TOKEN, "authorization-secret": PHARM_SECRET };
    const big = JSON.stringify({ data: "x".repeat(200_000) });
    const upload = await app.inject({ method: "POST", url: "/api/v1.1/sellout/", headers, payload: big });
    expect(upload.statusCode, upload.body).toBe(200);
    expect(upload.json().message).toBe("принято");
    expect(seen).toEqual([{ partnerCode: "pharma", bytes: big.length }]);
    const encoded = await app.inject({
      method: "POST",
      url: "/api/v1.0-encoded/sellout",
      headers,
      payload: "{}",
    });
    expect(urlDecode(encoded.body)).toContain('"status":"success"');
    expect((await app.inject({ method: "POST", url: "/api/v1.1/sellout", payload: big })).statusCode).toBe(
      401,
    );
    expect((await app.inject({ method: "GET", url: "/api/v1.1/sellout", headers })).statusCode).toBe(405);
    // The POS methods keep the small limit.
    const pos = await app.inject({ method: "POST", url: "/api/v1.1/get_programs", headers, payload: big });
    expect(pos.statusCode).toBe(413);
    expect(
      (await app.inject({ method: "POST", url: "/api/v1.1/update_prices", headers, payload: "{}" }))
        .statusCode,
    ).toBe(404);
    await app.close();
  });
});
