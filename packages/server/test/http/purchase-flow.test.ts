import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t, { program: { holdDays: 14, cancelWindowMinutes: 30 } });
});
afterAll(async () => t?.close());

const post = (url: string, payload: unknown = {}) => call(t, "POST", url, { token: p.tokens.store, payload });
const balanceOf = async (card: string) =>
  (await call(t, "GET", `/v1/cards/${card}`, { token: p.tokens.any })).json().balance;

describe("calculate", () => {
  it("prices lines with the best rule, accrues on the paid amount and limits points payment", async () => {
    const res = await post("/v1/purchases/calculate", receipt(p, "calc-1"));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.state).toBe("calculated");
    const [aspirin, vitamin, cream] = body.lines;
    // P1: no discount rule; 2 × 150.00 = 300.00
    expect(aspirin).toMatchObject({
      amount: 30_000,
      discount: 0,
      total: 30_000,
      accrualRateBp: 500,
      accrual: 1500,
    });
    // P2 (vitamins): 10% off 500.00
    expect(vitamin).toMatchObject({ amount: 50_000, discount: 5000, total: 45_000, accrual: 2250 });
    expect(vitamin.discountRuleId).not.toBeNull();
    // P3 (brand X): 30.00 off each unit, 1.5 units → 45.00
    expect(cream).toMatchObject({ amount: 30_000, discount: 4500, total: 25_500, accrual: 1275 });
    expect(body.totals).toEqual({
      subtotal: 110_000,
      discount: 9500,
      total: 100_500,
      pointsPaid: 0,
      toPay: 100_500,
      accrual: 5025,
    });
    // 50% of the receipt, and the card holds 1,000.00 points
    expect(body.points.paymentLimit).toBe(50_250);
    expect(body.points.maxPayment).toBe(50_250);
    expect(body.points.balance).toEqual({ active: 100_000, pending: 0, held: 0, available: 100_000 });
    expect(body.expiresAt).toBe(new Date(t.clock.now() + 1800_000).toISOString());
  });

  it("recalculates the same purchase id when the receipt changes", async () => {
    await post("/v1/purchases/calculate", receipt(p, "calc-2"));
    const changed = receipt(p, "calc-2", {
      lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 15_000 }],
    });
    const res = await post("/v1/purchases/calculate", changed);
    expect(res.statusCode).toBe(200);
    expect(res.json().totals.total).toBe(15_000);
    const rows = await t.database.db
      .selectFrom("purchases")
      .select("id")
      .where("external_id", "=", "calc-2")
      .execute();
    expect(rows).toHaveLength(1);
    const got = (await call(t, "GET", "/v1/purchases/calc-2", { token: p.tokens.store })).json();
    expect(got.history.map((h: { kind: string }) => h.kind)).toEqual(["calculated", "recalculated"]);
  });

  it("applies promo-code rules only with the code and reports unknown codes", async () => {
    const res = await post("/v1/purchases/calculate", receipt(p, "calc-3", { promoCodes: ["sale", "NOPE"] }));
    const body = res.json();
    expect(body.lines[0].discount).toBe(6000); // 20% of 300.00 beats no discount
    expect(body.promoCodes).toEqual({ applied: ["SALE"], unknown: ["NOPE"] });
    expect(body.messages.map((m: { code: string }) => m.code)).toContain("PROMO_CODE_UNKNOWN");
  });

  it("keeps excluded products and minimum prices out of the points limit", async () => {
    const res = await post(
      "/v1/purchases/calculate",
      receipt(p, "calc-4", {
        lines: [
          { lineId: "rx", sku: "P4", quantity: 1000, price: 100_000 },
          { lineId: "thermo", sku: "P5", quantity: 1000, price: 50_000 },
        ],
      }),
    );
    const body = res.json();
    expect(body.lines[0].pointsPaymentCap).toBe(0);
    expect(body.lines[1].pointsPaymentCap).toBe(10_000); // 500.00 down to the 400.00 floor
    expect(body.points.paymentLimit).toBe(10_000);
  });

  it("gives a gold card its level's accrual and an accrual-only card no points payment", async () => {
    const gold = (
      await post("/v1/purchases/calculate", receipt(p, "calc-5", { cardNumber: p.cards.gold }))
    ).json();
    expect(gold.lines[0].accrualRateBp).toBe(1000);
    const accrualOnly = (
      await post("/v1/purchases/calculate", receipt(p, "calc-6", { cardNumber: p.cards.accrualOnly }))
    ).json();
    expect(accrualOnly.points.paymentLimit).toBe(0);
    expect(accrualOnly.totals.accrual).toBeGreaterThan(0);
    expect(accrualOnly.messages.map((m: { code: string }) => m.code)).toContain("CARD_ACCRUAL_ONLY");
  });

  it("prices a receipt without a card with discounts but no accrual", async () => {
    const body = (
      await post("/v1/purchases/calculate", receipt(p, "calc-7", { cardNumber: undefined }))
    ).json();
    expect(body.totals.discount).toBe(9500);
    expect(body.totals.accrual).toBe(0);
    expect(body.points).toEqual({ paymentLimit: 0, maxPayment: 0, balance: null });
  });
});

describe("bonus payment, confirm, cancel", () => {
  it("holds points, spreads them exactly over the lines, and confirm books spend and pending accrual", async () => {
    await post("/v1/purchases/calculate", receipt(p, "sale-1"));
    const paid = await post("/v1/purchases/sale-1/bonus-payment", { amount: 30_001 });
    expect(paid.statusCode).toBe(200);
    const body = paid.json();
    const shares = body.lines.map((l: { pointsPaid: number }) => l.pointsPaid);
    expect(shares.reduce((a: number, b: number) => a + b, 0)).toBe(30_001);
    for (const l of body.lines as { pointsPaid: number; pointsPaymentCap: number }[]) {
      expect(l.pointsPaid).toBeLessThanOrEqual(l.pointsPaymentCap);
    }
    expect(body.totals.toPay).toBe(100_500 - 30_001);
    expect(body.points.balance).toMatchObject({ active: 100_000, held: 30_001, available: 69_999 });

    const confirmed = await post("/v1/purchases/sale-1/confirm", {
      fiscal: { fn: "9999078900012345", fd: "123", fpd: "456" },
    });
    expect(confirmed.statusCode).toBe(200);
    const c = confirmed.json();
    expect(c.state).toBe("confirmed");
    expect(c.receipt.spent).toBe(30_001);
    expect(c.receipt.accrued).toBe(c.totals.accrual);
    expect(c.receipt.balance).toEqual({
      active: 69_999,
      pending: c.totals.accrual,
      held: 0,
      available: 69_999,
    });
    await expectLedgerBalanced(t);
  });

  it("answers a repeated confirm with the first answer and changes nothing", async () => {
    await post("/v1/purchases/calculate", receipt(p, "sale-2"));
    const first = await post("/v1/purchases/sale-2/confirm");
    const before = await writeCounts(t);
    const second = await post("/v1/purchases/sale-2/confirm");
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(await writeCounts(t)).toEqual(before);
    const conflict = await post("/v1/purchases/sale-2/confirm", { receiptNumber: "other" });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe("IDEMPOTENCY_CONFLICT");
  });

  it("refuses more points than the limit or the balance", async () => {
    await post("/v1/purchases/calculate", receipt(p, "sale-3"));
    const over = await post("/v1/purchases/sale-3/bonus-payment", { amount: 50_251 });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: "POINTS_PAYMENT_LIMIT_EXCEEDED",
      details: { field: "amount", max: 50_250 },
    });
    await post("/v1/purchases/calculate", receipt(p, "sale-4", { cardNumber: p.cards.poor }));
    const broke = await post("/v1/purchases/sale-4/bonus-payment", { amount: 1 });
    expect(broke.statusCode).toBe(422);
    expect(broke.json().code).toBe("INSUFFICIENT_POINTS");
  });

  it("replaces the hold when the cashier changes the amount, and recalculation keeps a hold that still fits", async () => {
    await post("/v1/purchases/calculate", receipt(p, "sale-5"));
    await post("/v1/purchases/sale-5/bonus-payment", { amount: 10_000 });
    await post("/v1/purchases/sale-5/bonus-payment", { amount: 4000 });
    let balance = await balanceOf(p.cards.rich);
    const heldBefore = balance.held;
    const again = (await post("/v1/purchases/calculate", receipt(p, "sale-5"))).json();
    expect(again.totals.pointsPaid).toBe(4000);
    balance = await balanceOf(p.cards.rich);
    expect(balance.held).toBe(heldBefore);
    const smaller = receipt(p, "sale-5", {
      lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 5000 }],
    });
    const reset = (await post("/v1/purchases/calculate", smaller)).json();
    expect(reset.totals.pointsPaid).toBe(0);
    expect(reset.messages.map((m: { code: string }) => m.code)).toContain("POINTS_PAYMENT_RESET");
    expect((await balanceOf(p.cards.rich)).held).toBe(heldBefore - 4000);
    await post("/v1/purchases/sale-5/cancel");
    await expectLedgerBalanced(t);
  });

  it("cancel before confirm releases the hold; a second cancel answers the same", async () => {
    await post("/v1/purchases/calculate", receipt(p, "sale-6"));
    await post("/v1/purchases/sale-6/bonus-payment", { amount: 5000 });
    const held = (await balanceOf(p.cards.rich)).held;
    const cancelled = await post("/v1/purchases/sale-6/cancel");
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ state: "cancelled", pointsReleased: 5000 });
    expect((await balanceOf(p.cards.rich)).held).toBe(held - 5000);
    expect((await post("/v1/purchases/sale-6/cancel")).json().state).toBe("cancelled");
    const confirm = await post("/v1/purchases/sale-6/confirm");
    expect(confirm.statusCode).toBe(409);
    expect(confirm.json()).toMatchObject({
      code: "PURCHASE_STATE_CONFLICT",
      details: { state: "cancelled" },
    });
  });

  it("cancel within the window after confirm reverses spend and accrual; after the window it refuses", async () => {
    const before = await balanceOf(p.cards.rich);
    await post("/v1/purchases/calculate", receipt(p, "sale-7"));
    await post("/v1/purchases/sale-7/bonus-payment", { amount: 7000 });
    await post("/v1/purchases/sale-7/confirm");
    t.clock.advance(10 * 60_000);
    const cancelled = (await post("/v1/purchases/sale-7/cancel")).json();
    expect(cancelled).toMatchObject({ state: "cancelled", pointsReturned: 7000 });
    const after = await balanceOf(p.cards.rich);
    expect(after.active).toBe(before.active);
    expect(after.pending).toBe(before.pending);

    await post("/v1/purchases/calculate", receipt(p, "sale-8"));
    await post("/v1/purchases/sale-8/confirm");
    t.clock.advance(31 * 60_000);
    const late = await post("/v1/purchases/sale-8/cancel");
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe("CANCEL_WINDOW_CLOSED");
    await expectLedgerBalanced(t);
  });
});

describe("refunds", () => {
  it("returns spend and reverses accrual in proportion, exactly, across partial refunds", async () => {
    await post("/v1/purchases/calculate", receipt(p, "ref-1"));
    await post("/v1/purchases/ref-1/bonus-payment", { amount: 20_000 });
    const sale = (await post("/v1/purchases/ref-1/confirm")).json();
    const first = await post("/v1/purchases/ref-1/refunds", {
      refundId: "r1",
      lines: [{ lineId: "1", quantity: 1000 }],
    });
    expect(first.statusCode).toBe(200);
    const r1 = first.json();
    const line1 = sale.lines[0];
    expect(r1.state).toBe("partially_refunded");
    expect(r1.amount).toBe(Math.floor(line1.total / 2));
    expect(r1.pointsReturned).toBe(Math.floor(line1.pointsPaid / 2));
    expect(r1.accrualReversed).toBe(Math.floor(line1.accrual / 2));
    const rest = (await post("/v1/purchases/ref-1/refunds", { refundId: "r2" })).json();
    expect(rest.state).toBe("refunded");
    expect(r1.amount + rest.amount).toBe(sale.totals.total);
    expect(r1.pointsReturned + rest.pointsReturned).toBe(20_000);
    expect(r1.accrualReversed + rest.accrualReversed).toBe(sale.totals.accrual);
    const nothing = await post("/v1/purchases/ref-1/refunds", { refundId: "r3" });
    expect(nothing.statusCode).toBe(409);
    expect(nothing.json()).toMatchObject({ code: "PURCHASE_STATE_CONFLICT", details: { state: "refunded" } });
    await expectLedgerBalanced(t);
  });

  it("a repeated refund id is a no-op returning the first answer; a different body is a conflict", async () => {
    await post("/v1/purchases/calculate", receipt(p, "ref-2"));
    await post("/v1/purchases/ref-2/confirm");
    const body = { refundId: "r1", lines: [{ lineId: "2", quantity: 1000 }] };
    const first = await post("/v1/purchases/ref-2/refunds", body);
    const before = await writeCounts(t);
    const again = await post("/v1/purchases/ref-2/refunds", body);
    expect(again.body).toBe(first.body);
    expect(await writeCounts(t)).toEqual(before);
    const other = await post("/v1/purchases/ref-2/refunds", {
      refundId: "r1",
      lines: [{ lineId: "1", quantity: 1000 }],
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("IDEMPOTENCY_CONFLICT");
  });

  it("honours points stated by the POS, never above the refundable", async () => {
    await post("/v1/purchases/calculate", receipt(p, "ref-3"));
    await post("/v1/purchases/ref-3/bonus-payment", { amount: 10_000 });
    const sale = (await post("/v1/purchases/ref-3/confirm")).json();
    const line = sale.lines[1];
    const tooMuch = await post("/v1/purchases/ref-3/refunds", {
      refundId: "r1",
      lines: [{ lineId: "2", quantity: 1000 }],
      pointsToReturn: line.pointsPaid + 1,
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({
      code: "REFUND_POINTS_EXCEED_REFUNDABLE",
      details: { field: "pointsToReturn", max: line.pointsPaid },
    });
    // Less than the proportional share is refused with the minimum (the program does not allow less).
    const before = await writeCounts(t);
    const tooLittle = await post("/v1/purchases/ref-3/refunds", {
      refundId: "r1",
      lines: [{ lineId: "2", quantity: 1000 }],
      pointsToReturn: 100,
      accrualToReverse: 50,
    });
    expect(tooLittle.statusCode).toBe(422);
    expect(tooLittle.json()).toMatchObject({
      code: "REFUND_ACCRUAL_BELOW_MINIMUM",
      details: { field: "accrualToReverse", min: line.accrual },
    });
    const fewPoints = await post("/v1/purchases/ref-3/refunds", {
      refundId: "r1",
      lines: [{ lineId: "2", quantity: 1000 }],
      pointsToReturn: 100,
    });
    expect(fewPoints.json()).toMatchObject({
      code: "REFUND_POINTS_BELOW_MINIMUM",
      details: { field: "pointsToReturn", min: line.pointsPaid },
    });
    expect(await writeCounts(t)).toEqual(before);
    const stated = (
      await post("/v1/purchases/ref-3/refunds", {
        refundId: "r1",
        lines: [{ lineId: "2", quantity: 1000 }],
        pointsToReturn: line.pointsPaid,
        accrualToReverse: line.accrual,
      })
    ).json();
    expect(stated).toMatchObject({
      pointsReturned: line.pointsPaid,
      accrualReversed: line.accrual,
      belowProportional: false,
    });
    await expectLedgerBalanced(t);
  });

  it("refuses quantities above what is left and lines not in the purchase, writing nothing", async () => {
    await post("/v1/purchases/calculate", receipt(p, "ref-4"));
    await post("/v1/purchases/ref-4/confirm");
    const before = await writeCounts(t);
    const over = await post("/v1/purchases/ref-4/refunds", {
      refundId: "r1",
      lines: [{ lineId: "1", quantity: 2001 }],
    });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      code: "REFUND_QUANTITY_EXCEEDS_PURCHASED",
      details: { field: "lines[0].quantity", max: 2000 },
    });
    const unknown = await post("/v1/purchases/ref-4/refunds", {
      refundId: "r2",
      lines: [{ lineId: "9", quantity: 1 }],
    });
    expect(unknown.json().code).toBe("REFUND_LINE_UNKNOWN");
    const duplicate = await post("/v1/purchases/ref-4/refunds", {
      refundId: "r3",
      lines: [
        { lineId: "1", quantity: 1 },
        { lineId: "1", quantity: 1 },
      ],
    });
    expect(duplicate.json()).toMatchObject({
      code: "DUPLICATE_LINE_ID",
      details: { field: "lines[1].lineId" },
    });
    expect(await writeCounts(t)).toEqual(before);
  });

  it("cannot refund a purchase that was never confirmed", async () => {
    await post("/v1/purchases/calculate", receipt(p, "ref-5"));
    const res = await post("/v1/purchases/ref-5/refunds", { refundId: "r1" });
    expect(res.statusCode).toBe(409);
    expect(res.json().details.state).toBe("calculated");
  });
});

describe("hanging purchases", () => {
  it("the sweeper expires calculated purchases past their TTL, releases holds, and confirm then gets PURCHASE_EXPIRED", async () => {
    const { sweepOnce } = await import("../../src/modules/purchases/index.js");
    await post("/v1/purchases/calculate", receipt(p, "hang-1"));
    await post("/v1/purchases/hang-1/bonus-payment", { amount: 3000 });
    const held = (await balanceOf(p.cards.rich)).held;
    t.clock.advance(31 * 60_000);
    const early = await post("/v1/purchases/hang-1/confirm");
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe("PURCHASE_EXPIRED");
    const swept = await sweepOnce(t.database, t.clock.now());
    expect(swept.expiredPurchases).toBeGreaterThanOrEqual(1);
    expect((await balanceOf(p.cards.rich)).held).toBe(held - 3000);
    const got = (await call(t, "GET", "/v1/purchases/hang-1", { token: p.tokens.store })).json();
    expect(got.state).toBe("expired");
    expect(got.history.at(-1).kind).toBe("expired");
    const late = await post("/v1/purchases/hang-1/confirm");
    expect(late.json().code).toBe("PURCHASE_EXPIRED");
    await expectLedgerBalanced(t);
  });

  it("pending accruals become active after the hold period", async () => {
    const { sweepOnce } = await import("../../src/modules/purchases/index.js");
    await post("/v1/purchases/calculate", receipt(p, "hold-1", { cardNumber: p.cards.gold }));
    const confirmed = (await post("/v1/purchases/hold-1/confirm")).json();
    expect(confirmed.receipt.balance.pending).toBe(confirmed.totals.accrual);
    t.clock.advance(14 * 86_400_000 + 1);
    const swept = await sweepOnce(t.database, t.clock.now());
    expect(swept.activatedLots).toBeGreaterThanOrEqual(1);
    // Two weeks later the morning's tokens have long expired.
    p.tokens.any = await tokenFor(t, p.logins.any);
    const balance = await balanceOf(p.cards.gold);
    expect(balance).toMatchObject({ pending: 0, active: confirmed.totals.accrual });
    await expectLedgerBalanced(t);
  });
});
