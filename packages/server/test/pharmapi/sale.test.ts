/**
 * PharmApi's sale semantics over the purchase engine: the confirm window from the calculation (with the
 * injectable clock), confirm and cancel alternating with the last call winning, the "all together"
 * policy, a recalculation replacing the POS's earlier one, and per-card limits reserved, consumed and
 * released, never exceeded by 20 concurrent calls.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumedPacks } from "../../src/modules/discount-programs/index.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { createDiscountProgram, POS, pharmJson, seedPharmApi, VALID_CARD } from "../support/pharmapi.js";

let t: TestApp;
let partnerId: number;
let limitedProgramId: number;

const LIMITED = "4600000000011";
const OTHER = "4600000000028";
let cardSeq = 0;
const limitedCard = () => `777${String(++cardSeq).padStart(10, "0")}`;

beforeAll(async () => {
  t = await startTestApp();
  ({ partnerId } = await seedPharmApi(t));
  limitedProgramId = await createDiscountProgram(t, partnerId, {
    code: "limited",
    name: "Программа с лимитами",
    items: [
      { barcode: LIMITED, name: "Препарат с лимитом", discount: { type: "fixed_price", price: 5_000 } },
      { barcode: OTHER, name: "Второй препарат", discount: { type: "percent", percentBp: 1000 } },
    ],
    limits: [{ id: "monthly", period: "calendar_month", maxPacks: 2, barcodes: [LIMITED] }],
    cardRanges: [{ prefix: "777", lengths: [13] }],
    confirmWindowMinutes: 30,
    confirmAllTogether: true,
  });
});
afterAll(() => t.close());

const discount = (card: string, orders: unknown[], pos = POS) =>
  pharmJson(t, "get_discount", { ...pos, card_number: card, orders });
const confirm = (card: string, transactions: string[], pos = POS) =>
  pharmJson(t, "confirm_purchase", { ...pos, card_number: card, transactions });
const cancel = (card: string, transactions: string[], pos = POS) =>
  pharmJson(t, "cancel_purchase", { ...pos, card_number: card, transactions, trust_key: "k" });

describe("the confirm window", () => {
  it("confirm and cancel are accepted for 30 minutes from get_discount, not after", async () => {
    const calc = await discount(VALID_CARD, [{ barcode: "1111111111116", count: 1, price: 100 }]);
    const code = calc.orders[0].transaction;
    t.clock.advance(29 * 60_000);
    expect((await confirm(VALID_CARD, [code])).error_code).toBe(0);
    t.clock.advance(2 * 60_000);
    const late = await cancel(VALID_CARD, [code]);
    expect(late).toMatchObject({ status: "error", error_code: 202 });
    expect(late.message).toMatch(/30 минут/);

    const other = await discount(VALID_CARD, [{ barcode: "1111111111116", count: 1, price: 100 }]);
    t.clock.advance(31 * 60_000);
    expect((await confirm(VALID_CARD, [other.orders[0].transaction])).error_code).toBe(202);
  });
});

describe("transaction codes", () => {
  it("start with the calculation's instant, so later codes sort after earlier ones, and differ in the rest", async () => {
    const lines = [
      { barcode: "1111111111116", count: 1, price: 100 },
      { barcode: "2222222222222", count: 1, price: 100 },
    ];
    const first = await discount(VALID_CARD, lines);
    t.clock.advance(1);
    const second = await discount(VALID_CARD, lines);
    const codesOf = (answer: Record<string, unknown>) =>
      (answer.orders as { transaction: string }[]).map((o) => o.transaction);
    const [a, b] = codesOf(first);
    const [c] = codesOf(second);
    for (const code of [a, b, c]) expect(code).toMatch(/^[0-9a-f]{32}$/);
    const instant = (code: string) => Number.parseInt(code.slice(0, 12), 16);
    expect(instant(c!)).toBe(t.clock.now());
    expect(instant(a!)).toBe(t.clock.now() - 1);
    expect(c! > a! && c! > b!).toBe(true);
    expect(a!.slice(12)).not.toBe(b!.slice(12));
  });
});

describe("alternation", () => {
  it("confirm and cancel alternate, the last call wins, a repeat is a replay", async () => {
    const calc = await discount(VALID_CARD, [
      { barcode: "1111111111116", count: 1, price: 100 },
      { barcode: "2222222222222", count: 1, price: 100 },
    ]);
    const codes = calc.orders.map((o: { transaction: string }) => o.transaction);
    for (const step of ["confirm", "confirm", "cancel", "cancel", "confirm", "cancel", "confirm"] as const) {
      const answer = step === "confirm" ? await confirm(VALID_CARD, codes) : await cancel(VALID_CARD, codes);
      expect(answer.error_code, step).toBe(0);
    }
    // One line alone (the test program allows a partial set).
    expect((await cancel(VALID_CARD, [codes[0]])).error_code).toBe(0);
    const purchase = await t.database.db
      .selectFrom("purchases")
      .select(["state", "receipt"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(purchase.state).toBe("confirmed");
    expect(JSON.parse(purchase.receipt).lineStates).toEqual({ "1": "cancelled", "2": "confirmed" });
  });

  it("refuses unknown codes, another card's codes, and a partial set where the program demands all", async () => {
    expect((await confirm(VALID_CARD, ["0".repeat(32)])).error_code).toBe(201);
    const calc = await discount(VALID_CARD, [{ barcode: "1111111111116", count: 1, price: 100 }]);
    expect((await confirm("1234567890000", [calc.orders[0].transaction])).error_code).toBe(204);
    const elsewhere = { pos_id: "test-pos", pharmacy_id: "other-pharmacy" };
    // The other pharmacy is a store of the same partner.
    const { createStore } = await import("../../src/modules/stores/index.js");
    await createStore(
      t.database.db,
      partnerId,
      { code: "other-pharmacy", name: "Другая", timezone: "Europe/Moscow" },
      t.clock.now(),
    );
    expect((await confirm(VALID_CARD, [calc.orders[0].transaction], elsewhere)).error_code).toBe(209);

    const card = limitedCard();
    const both = await discount(card, [
      { barcode: LIMITED, count: 1, price: 10_000 },
      { barcode: OTHER, count: 1, price: 100 },
    ]);
    expect(both.orders.map((o: { error_code: number }) => o.error_code)).toEqual([0, 0]);
    const [a, b] = both.orders.map((o: { transaction: string }) => o.transaction);
    const partial = await confirm(card, [a]);
    expect(partial).toMatchObject({ status: "error", error_code: 205 });
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({});
    expect((await confirm(card, [a, b])).error_code).toBe(0);
    expect((await cancel(card, [b])).error_code).toBe(205);
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({ monthly: 1 });
  });
});

describe("a recalculation replaces the POS's earlier one", () => {
  it("releases the earlier holds and refuses the earlier codes; another POS's stay", async () => {
    const card = limitedCard();
    const first = await discount(card, [{ barcode: LIMITED, count: 2, price: 10_000 }]);
    expect(first.orders[0]).toMatchObject({ error_code: 0, discount: 19900, value: 100 });
    // The same POS recalculates: its earlier holds do not block it (no code 3).
    const second = await discount(card, [{ barcode: LIMITED, count: 2, price: 10_000 }]);
    expect(second.orders[0]).toMatchObject({ error_code: 0, discount: 19900 });
    expect((await confirm(card, [first.orders[0].transaction])).error_code).toBe(203);
    // Another till of the pharmacy meets the reservation: the quota is taken until it lapses or is cancelled.
    const otherPos = { ...POS, pos_id: "test-pos-2" };
    const third = await discount(card, [{ barcode: LIMITED, count: 1, price: 10_000 }], otherPos);
    expect(third.orders[0].error_code).toBe(3);
    expect(third.orders[0].message).toMatch(/с 01\.12\.2026/);
    expect((await confirm(card, [second.orders[0].transaction])).error_code).toBe(0);
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({ monthly: 2 });
  });

  it("a cancel gives the packs back; a confirm after it takes them again, or is refused once they are gone", async () => {
    const card = limitedCard();
    const calc = await discount(card, [{ barcode: LIMITED, count: 2, price: 10_000 }]);
    const code = calc.orders[0].transaction;
    expect((await confirm(card, [code])).error_code).toBe(0);
    expect((await cancel(card, [code])).error_code).toBe(0);
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({});
    const otherPos = { ...POS, pos_id: "test-pos-3" };
    const rival = await discount(card, [{ barcode: LIMITED, count: 1, price: 10_000 }], otherPos);
    expect((await confirm(card, [rival.orders[0].transaction], otherPos)).error_code).toBe(0);
    const again = await confirm(card, [code]);
    expect(again).toMatchObject({ status: "error", error_code: 206 });
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({ monthly: 1 });
  });
});

describe("limits under concurrency", () => {
  it("20 concurrent get_discount and confirm on one card never exceed 2 packs", async () => {
    const card = limitedCard();
    const tills = Array.from({ length: 20 }, (_, i) => ({ ...POS, pos_id: `till-${i}` }));
    const calcs = await Promise.all(
      tills.map((pos) => discount(card, [{ barcode: LIMITED, count: 1, price: 10_000 }], pos)),
    );
    const granted = calcs.filter((c) => c.orders[0].error_code === 0);
    expect(granted).toHaveLength(2);
    for (const c of calcs) if (c.orders[0].error_code !== 0) expect(c.orders[0].error_code).toBe(3);
    const results = await Promise.all(
      calcs.map((c, i) =>
        c.orders[0].transaction ? confirm(card, [c.orders[0].transaction], tills[i]) : Promise.resolve(null),
      ),
    );
    expect(results.filter((r) => r?.error_code === 0)).toHaveLength(2);
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({ monthly: 2 });
  });

  it("20 concurrent re-confirms after cancels: the limit holds", async () => {
    const card = limitedCard();
    const tills = Array.from({ length: 20 }, (_, i) => ({ ...POS, pos_id: `again-${i}` }));
    // Each till gets its packs one at a time (the quota is free again after each cancel).
    const codes: string[] = [];
    for (const pos of tills) {
      const c = await discount(card, [{ barcode: LIMITED, count: 1, price: 10_000 }], pos);
      expect(c.orders[0].error_code).toBe(0);
      codes.push(c.orders[0].transaction);
      expect((await confirm(card, [codes.at(-1)!], pos)).error_code).toBe(0);
      expect((await cancel(card, [codes.at(-1)!], pos)).error_code).toBe(0);
    }
    const results = await Promise.all(codes.map((code, i) => confirm(card, [code], tills[i])));
    expect(results.filter((r) => r.error_code === 0)).toHaveLength(2);
    expect(results.filter((r) => r.error_code === 206)).toHaveLength(18);
    expect(await consumedPacks(t.database.db, limitedProgramId, card)).toEqual({ monthly: 2 });
  });
});
