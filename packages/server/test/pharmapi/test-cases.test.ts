/**
 * Every executable scenario of PharmApi's test-cases.md (docs/pharmapi-protocol.md §4.2), over HTTP
 * against the test-program preset: the answers a POS certified on the public test server expects.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/harness.js";
import { INVALID_CARD, POS, pharmJson, seedPharmApi, VALID_CARD } from "../support/pharmapi.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  await seedPharmApi(t);
});
afterAll(() => t.close());

describe("PharmApi test cases (test-program preset)", () => {
  it("1. an invalid card: a top-level error the POS shows, no discount", async () => {
    const answer = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: INVALID_CARD,
      orders: [{ barcode: "1111111111116", count: 1, price: 100.0 }],
    });
    expect(answer.status).toBe("error");
    expect(answer.error_code).toBe(101);
    expect(answer.message).toMatch(/[А-Яа-я]/);
    expect(answer.pos_id).toBe("test-pos");
    expect(answer.pharmacy_id).toBe("test-pharmacy");
    expect(answer.card_number).toBe(INVALID_CARD);
    expect(answer.orders).toHaveLength(1);
    expect(answer.orders[0]).toMatchObject({ discount: 0, value: 100, value_per_item: 100 });
    expect(answer.orders[0].transaction).toBeUndefined();

    const foreign = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: "9994567890050",
      orders: [{ barcode: "1111111111116", count: 1, price: 100 }],
    });
    expect(foreign.error_code).toBe(1);
  });

  it("2. one line: the docs' example answer with a fresh transaction code", async () => {
    const raw = `{"pos_id":"test-pos","pharmacy_id":"test-pharmacy","card_number":"${VALID_CARD}",
      "any_data":"f695bd58-a5c3-46b0-8c72-186ca1668ab4",
      "orders":[{"barcode":"1111111111116","count":2,"price":1111.11,"any_data":"test"}]}`;
    const answer = await pharmJson(t, "get_discount", null, { raw });
    expect(answer).toMatchObject({
      status: "success",
      error_code: 0,
      any_data: "f695bd58-a5c3-46b0-8c72-186ca1668ab4",
      description: expect.stringContaining("испытать судьбу"),
    });
    expect(answer.orders[0]).toMatchObject({
      any_data: "test",
      barcode: "1111111111116",
      count: 2,
      price: 1111.11,
      error_code: 0,
      discount: 444.44,
      value: 1777.78,
      value_per_item: 888.89,
      type: "percent",
      program: "test",
      program_name: "Тестовая программа для отладки протокола",
      description: 'Товар с кодом из двенадцати единиц и плюс (+) "6"',
      message: "Снижение цены рассчитано",
    });
    expect(answer.orders[0].transaction).toMatch(/^[0-9a-f]{32}$/);
  });

  it("3. several lines, one outside the program", async () => {
    const answer = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [
        { barcode: "1111111111116", count: 1, price: 500.0 },
        { barcode: "2222222222222", count: 1, price: 200.0 },
        { barcode: "4601234567893", count: 1, price: 300.0 },
      ],
    });
    expect(answer.status).toBe("success");
    expect(answer.error_code).toBe(0);
    const [a, b, c] = answer.orders;
    expect(a).toMatchObject({
      error_code: 0,
      discount: 100,
      value: 400,
      value_per_item: 400,
      type: "percent",
    });
    expect(b).toMatchObject({ error_code: 0, discount: 198, value: 2, value_per_item: 2, type: "percent" });
    expect(c).toMatchObject({ error_code: 1, discount: 0, value: 300, value_per_item: 300 });
    expect(c.transaction).toBeUndefined();
    expect(c.message).toMatch(/не участвует/);
  });

  it("4. the price ceiling: no discount above 1000 rubles, 200 rubles at 1000", async () => {
    const answer = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [
        { barcode: "1111111111116", count: 1, price: 500.0 },
        { barcode: "3333333333338", count: 1, price: 1500.0 },
      ],
    });
    expect(answer.error_code).toBe(0);
    expect(answer.orders[0]).toMatchObject({ error_code: 0, discount: 100, value: 400 });
    expect(answer.orders[1]).toMatchObject({ error_code: 6, discount: 0, value: 1500 });
    expect(answer.orders[1].transaction).toBeUndefined();
    expect(answer.orders[1].message).toMatch(/1 ?000/);

    const atCeiling = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [{ barcode: "3333333333338", count: 1, price: 1000.0 }],
    });
    expect(atCeiling.orders[0]).toMatchObject({ error_code: 0, type: "cash", discount: 200, value: 800 });

    const only = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [{ barcode: "3333333333338", count: 1, price: 1500 }],
    });
    expect(only).toMatchObject({ status: "error", error_code: 6 });
  });

  it("5. confirming a receipt", async () => {
    const calc = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [
        { barcode: "1111111111116", count: 2, price: 1000.0 },
        { barcode: "2222222222222", count: 3, price: 100.0 },
      ],
    });
    expect(calc.orders[0]).toMatchObject({ error_code: 0, discount: 400, value: 1600, value_per_item: 800 });
    expect(calc.orders[1]).toMatchObject({ error_code: 0, discount: 297, value: 3, value_per_item: 1 });
    const confirmed = await pharmJson(t, "confirm_purchase", {
      ...POS,
      card_number: VALID_CARD,
      transactions: [calc.orders[0].transaction, calc.orders[1].transaction],
    });
    expect(confirmed).toEqual({ status: "success", error_code: 0, message: "Транзакция подтверждена" });
  });

  it("6. confirm, then cancel; a cancel without trust_key is a validation error", async () => {
    const calc = await pharmJson(t, "get_discount", {
      ...POS,
      card_number: VALID_CARD,
      orders: [{ barcode: "1111111111116", count: 6, price: 100.0 }],
    });
    expect(calc.orders[0]).toMatchObject({ error_code: 0, discount: 120, value: 480, value_per_item: 80 });
    const code = calc.orders[0].transaction;
    const body = { ...POS, card_number: VALID_CARD, transactions: [code] };
    expect((await pharmJson(t, "confirm_purchase", body)).message).toBe("Транзакция подтверждена");
    expect(await pharmJson(t, "cancel_purchase", body)).toMatchObject({ status: "error", error_code: 400 });
    expect(await pharmJson(t, "cancel_purchase", { ...body, trust_key: "" })).toMatchObject({
      error_code: 400,
    });
    expect(await pharmJson(t, "cancel_purchase", { ...body, trust_key: "any-non-empty" })).toEqual({
      status: "success",
      error_code: 0,
      message: "Транзакция отменена",
    });
  });

  it("10. the information methods: v1.1 `programs`, v1.0 `program`, the product list", async () => {
    const v11 = await pharmJson(t, "get_programs", POS);
    expect(v11).toEqual({
      programs: [{ code: "test", name: "Тестовая программа для отладки протокола" }],
      status: "success",
      error_code: 0,
      message: "Список проектов сформирован",
    });
    const v10 = await pharmJson(t, "get_programs", POS, { version: "v1.0" });
    expect(v10.program).toEqual(v11.programs);
    expect(v10.programs).toBeUndefined();
    const products = await pharmJson(t, "get_products", POS);
    expect(products.products.map((p: { barcode: string }) => p.barcode)).toEqual([
      "1111111111116",
      "2222222222222",
      "3333333333338",
    ]);
  });
});
