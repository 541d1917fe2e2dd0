import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PricedLine } from "../../src/core/receipt.js";
import type { StoredReceipt } from "../../src/modules/purchases/purchase-record.js";
import { linesOfReceiptText, receiptOfText, receiptText } from "../../src/modules/purchases/receipt-text.js";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";

const kopecks = fc.integer({ min: 0, max: 10_000_000 });
const ruleId = fc.integer({ min: 1, max: 100_000 });
const amountPart = fc.record({ ruleId, version: fc.integer({ min: 1, max: 50 }), amount: kopecks });
const accrualPart = fc.record({
  ruleId,
  version: fc.integer({ min: 1, max: 50 }),
  amount: kopecks,
  rateBp: fc.integer({ min: 0, max: 10_000 }),
});

/** Every field of a priced line but the optional ones: its rule parts and a discount program's verdict. */
const REQUIRED = [
  "lineId",
  "sku",
  "barcode",
  "productKnown",
  "quantity",
  "unitPrice",
  "amount",
  "discount",
  "discountRuleId",
  "total",
  "accrualRateBp",
  "accrualRuleId",
  "pointsPaymentCap",
  "pointsPaid",
  "accrual",
  "refundedQuantity",
  "refundedAmount",
  "pointsReturned",
  "accrualReversed",
] as const;

/** A line as pricing makes it, with or without rule parts, sometimes with a discount program's verdict. */
const lineArb: fc.Arbitrary<PricedLine> = fc.record(
  {
    lineId: fc.string({ minLength: 1, maxLength: 8 }),
    sku: fc.option(fc.string({ maxLength: 12 })),
    barcode: fc.option(fc.string({ maxLength: 14 })),
    productKnown: fc.boolean(),
    quantity: fc.integer({ min: 1, max: 1_000_000 }),
    unitPrice: kopecks,
    amount: kopecks,
    discount: kopecks,
    discountRuleId: fc.option(ruleId),
    discounts: fc.array(amountPart, { maxLength: 5 }),
    total: kopecks,
    accrualRateBp: fc.integer({ min: 0, max: 10_000 }),
    accrualRuleId: fc.option(ruleId),
    accruals: fc.array(accrualPart, { maxLength: 5 }),
    pointsPaymentCap: kopecks,
    pointsPaid: kopecks,
    accrual: kopecks,
    refundedQuantity: fc.nat(),
    refundedAmount: kopecks,
    pointsReturned: kopecks,
    accrualReversed: kopecks,
    programLine: fc.record({
      code: fc.integer({ min: 0, max: 9 }),
      message: fc.string({ maxLength: 20 }),
      name: fc.option(fc.string({ maxLength: 20 })),
      type: fc.constantFrom("percent", "cash", null),
      packs: fc.nat({ max: 50 }),
      availableFrom: fc.option(fc.constant("2026-12-01T00:00:00.000Z")),
    }),
  },
  { requiredKeys: [...REQUIRED] },
) as fc.Arbitrary<PricedLine>;

/** Lines of shapes the packing leaves as objects: a rule part with another field, a field missing. */
const oddLineArb: fc.Arbitrary<PricedLine> = fc.oneof(
  lineArb.map((line) => ({ ...line, discounts: [{ ruleId: 1, version: 1, amount: 5, note: "x" }] })),
  lineArb.map((line) => ({ ...line, accruals: [{ ruleId: 1, version: 1, amount: 5 }] }) as PricedLine),
  lineArb.map((line) => {
    const { pointsPaid: _, ...rest } = line;
    return rest as PricedLine;
  }),
  lineArb.map((line) => ({ ...line, discounts: null }) as unknown as PricedLine),
  lineArb.map((line) => ({ ...line, accruals: [null] }) as unknown as PricedLine),
);

/** Lines whose rule parts are there but undefined: JSON leaves them out, and so does the packing. */
const undefinedPartsArb: fc.Arbitrary<PricedLine> = lineArb.map((line) => ({
  ...line,
  discounts: undefined,
  accruals: undefined,
}));

const receiptArb = (lines: fc.Arbitrary<PricedLine>): fc.Arbitrary<StoredReceipt> =>
  fc.record(
    {
      storeCode: fc.string({ minLength: 1, maxLength: 10 }),
      cardNumber: fc.option(fc.stringMatching(/^\d{13}$/)),
      lines: fc.array(lines, { maxLength: 12 }),
      promoCodes: fc.record({ applied: fc.array(fc.string()), unknown: fc.array(fc.string()) }),
      messages: fc.array(fc.record({ code: fc.string(), text: fc.string() }), { maxLength: 3 }),
      lineStates: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 4 }),
        fc.constantFrom("open", "confirmed", "cancelled"),
      ),
    },
    { requiredKeys: ["storeCode", "cardNumber", "lines", "promoCodes", "messages"] },
  ) as fc.Arbitrary<StoredReceipt>;

/** What the receipt reads back as when stored as plain JSON: the reference for the packed form. */
const viaJson = (r: StoredReceipt): StoredReceipt => JSON.parse(JSON.stringify(r));

describe("stored receipt text", () => {
  it("reads back exactly the receipt that was stored, whatever its lines", () => {
    fc.assert(
      fc.property(receiptArb(fc.oneof(lineArb, oddLineArb, undefinedPartsArb)), (r) => {
        expect(receiptOfText(receiptText(r))).toStrictEqual(viaJson(r));
        expect(linesOfReceiptText(receiptText(r))).toStrictEqual(viaJson(r).lines);
      }),
    );
  });

  it("reads receipts stored as plain JSON, as every row was before the packed lines", () => {
    fc.assert(
      fc.property(receiptArb(fc.oneof(lineArb, oddLineArb)), (r) => {
        expect(receiptOfText(JSON.stringify(r))).toStrictEqual(viaJson(r));
      }),
    );
  });

  it("packs the lines pricing makes, and leaves the others as they were", () => {
    fc.assert(
      fc.property(fc.array(lineArb, { minLength: 1, maxLength: 5 }), oddLineArb, (plain, odd) => {
        const stored = JSON.parse(
          receiptText({
            storeCode: "S",
            cardNumber: null,
            lines: [...plain, odd],
            promoCodes: { applied: [], unknown: [] },
            messages: [],
          }),
        ) as { lines: unknown[] };
        expect(stored.lines.slice(0, plain.length).every(Array.isArray)).toBe(true);
        expect(Array.isArray(stored.lines[plain.length])).toBe(false);
      }),
    );
  });

  it("takes well under half the bytes of plain JSON for a receipt with several rules per line", () => {
    const line = (i: number): PricedLine => ({
      lineId: String(i + 1),
      sku: `SKU-${String(20_000 + i).padStart(6, "0")}`,
      barcode: null,
      productKnown: true,
      quantity: 1000,
      unitPrice: 249_900,
      amount: 249_900,
      discount: 75_671,
      discountRuleId: 1883,
      discounts: [
        { ruleId: 2183, version: 1, amount: 5699 },
        { ruleId: 1883, version: 1, amount: 69_972 },
      ],
      total: 174_229,
      accrualRateBp: 1250,
      accrualRuleId: 1504,
      accruals: [
        { ruleId: 1504, version: 1, amount: 8711, rateBp: 500 },
        { ruleId: 202, version: 1, amount: 8711, rateBp: 500 },
        { ruleId: 2185, version: 1, amount: 4355, rateBp: 250 },
      ],
      pointsPaymentCap: 87_114,
      pointsPaid: 0,
      accrual: 21_777,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    });
    const r: StoredReceipt = {
      storeCode: "BENCH-01",
      cardNumber: "3500000024963",
      lines: Array.from({ length: 10 }, (_, i) => line(i)),
      promoCodes: { applied: [], unknown: [] },
      messages: [],
    };
    expect(receiptText(r).length).toBeLessThan(JSON.stringify(r).length / 2);
  });
});

describe("stored receipt text through the purchase flow", () => {
  let t: TestApp;
  let p: SeededPartner;
  beforeAll(async () => {
    t = await startTestApp();
    p = await seedPartner(t);
  });
  afterAll(async () => t?.close());

  it("a calculated purchase stores packed lines, and confirm and refund read them back", async () => {
    const post = (url: string, payload: unknown) => call(t, "POST", url, { token: p.tokens.store, payload });
    const calculated = await post("/v1/purchases/calculate", receipt(p, "packed-1"));
    expect(calculated.statusCode).toBe(200);
    const stored = await t.database.db
      .selectFrom("purchases")
      .select("receipt")
      .where("external_id", "=", "packed-1")
      .executeTakeFirstOrThrow();
    const lines = (JSON.parse(stored.receipt) as { lines: unknown[] }).lines;
    expect(lines.length).toBe(calculated.json().lines.length);
    expect(lines.every(Array.isArray)).toBe(true);
    expect(receiptOfText(stored.receipt).lines).toStrictEqual(calculated.json().lines);

    const confirmed = await post("/v1/purchases/packed-1/confirm", {});
    expect(confirmed.statusCode).toBe(200);
    // The answer kept for replays stores the same lines packed; a repeated confirm answers it again.
    const kept = await t.database.db
      .selectFrom("purchases")
      .select("confirm_response")
      .where("external_id", "=", "packed-1")
      .executeTakeFirstOrThrow();
    expect((JSON.parse(kept.confirm_response!) as { lines: unknown[] }).lines.every(Array.isArray)).toBe(
      true,
    );
    const repeated = await post("/v1/purchases/packed-1/confirm", {});
    expect(repeated.statusCode).toBe(200);
    const { current: _first, ...answered } = confirmed.json();
    const { current: _again, ...again } = repeated.json();
    expect(again).toStrictEqual(answered);
    expect(again.lines).toStrictEqual(calculated.json().lines);
    const shown = (await call(t, "GET", "/v1/purchases/packed-1", { token: p.tokens.store })).json();
    expect(shown.lines).toStrictEqual(calculated.json().lines);

    const [first] = calculated.json().lines as PricedLine[];
    const refunded = await post("/v1/purchases/packed-1/refunds", {
      refundId: "packed-1-r1",
      lines: [{ lineId: first!.lineId, quantity: first!.quantity }],
    });
    expect(refunded.statusCode).toBe(200);
    const after = (await call(t, "GET", "/v1/purchases/packed-1", { token: p.tokens.store })).json();
    const line = (after.lines as PricedLine[]).find((l) => l.lineId === first!.lineId)!;
    expect(line.refundedQuantity).toBe(first!.quantity);
    expect(line.refundedAmount).toBe(first!.total);
  });
});
