/**
 * Through the application layer: the refund policy (a proportional minimum, or lower stated figures marked
 * and reported) and the alternating confirm/cancel of discount programs, per line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../../src/kernel/errors.js";
import type { Principal } from "../../src/kernel/index.js";
import { upsertCards } from "../../src/modules/cards/index.js";
import { addRules, createProgram } from "../../src/modules/programs/index.js";
import type { PurchaseService } from "../../src/modules/purchases/index.js";
import {
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";
import { principalFor } from "../support/services.js";

let t: TestApp;
let strict: SeededPartner;
let lenient: SeededPartner;
let purchases: PurchaseService;
let strictPos: Principal;
let lenientPos: Principal;
const MINUTE = 60_000;
const DISCOUNT_CARD = "pharma-777";

beforeAll(async () => {
  t = await startTestApp();
  strict = await seedPartner(t, { code: "strict", program: { holdDays: 0 } });
  lenient = await seedPartner(t, {
    code: "lenient",
    program: { holdDays: 0, refundPolicy: "pos_may_state_lower" },
  });
  purchases = t.server.services.purchases;
  strictPos = await principalFor(t, strict, "any");
  lenientPos = await principalFor(t, lenient, "any");
  // A manufacturer's discount program at the strict partner: discounts only, no points.
  const now = t.clock.now();
  const programId = await createProgram(
    t.database.db,
    strict.partnerId,
    { code: "pharma", name: "Manufacturer discount", kind: "discount", cancelWindowMinutes: 30 },
    now,
  );
  await addRules(
    t.database,
    programId,
    [{ name: "brand X -15%", kind: "discount_percent", value: 1500, scope: { brands: ["X"] } }],
    now,
  );
  await upsertCards(t.database, strict.partnerId, programId, [{ number: DISCOUNT_CARD }], now);
});
afterAll(async () => t?.close());

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error("expected a DomainError");
}

async function sale(pos: Principal, p: SeededPartner, id: string, points = 10_000) {
  await purchases.calculate(pos, receipt(p, id));
  await purchases.bonusPayment(pos, id, points);
  return (await purchases.confirm(pos, id, {})).answer as {
    lines: { accrual: number; pointsPaid: number }[];
  };
}

describe("refund policy", () => {
  it("by default refuses stated figures below the proportional share, with the minimum, writing nothing", async () => {
    const sold = await sale(strictPos, strict, "pol-1");
    const line = sold.lines[0]!;
    const before = await writeCounts(t);
    const zeroAccrual = await refusal(
      purchases.refund(strictPos, "pol-1", { refundId: "r", accrualToReverse: 0 }),
    );
    expect(zeroAccrual).toEqual({
      code: "REFUND_ACCRUAL_BELOW_MINIMUM",
      details: { field: "accrualToReverse", min: sold.lines.reduce((s, l) => s + l.accrual, 0) },
    });
    const fewPoints = await refusal(
      purchases.refund(strictPos, "pol-1", {
        refundId: "r",
        lines: [{ lineId: "1", quantity: 1000 }],
        pointsToReturn: 0,
      }),
    );
    expect(fewPoints).toEqual({
      code: "REFUND_POINTS_BELOW_MINIMUM",
      details: { field: "pointsToReturn", min: Math.floor(line.pointsPaid / 2) },
    });
    expect(await writeCounts(t)).toEqual(before);
    // More than the minimum is the POS's choice (within what the lines hold), and is not marked.
    const more = await purchases.refund(strictPos, "pol-1", {
      refundId: "r",
      lines: [{ lineId: "1", quantity: 1000 }],
      accrualToReverse: line.accrual,
    });
    expect(more.answer).toMatchObject({ accrualReversed: line.accrual, belowProportional: false });
    await expectLedgerBalanced(t);
  });

  it("a program that allows lower figures takes them, marks the refund and reports it", async () => {
    const from = t.clock.now();
    const sold = await sale(lenientPos, lenient, "pol-2");
    const result = await purchases.refund(lenientPos, "pol-2", { refundId: "r-low", accrualToReverse: 0 });
    expect(result.answer).toMatchObject({ state: "refunded", accrualReversed: 0, belowProportional: true });
    const history = (await purchases.get(lenientPos, "pol-2")).history;
    expect(history.at(-1)).toMatchObject({
      kind: "refunded",
      data: {
        belowProportional: {
          accrualToReverse: { stated: 0, minimum: sold.lines.reduce((s, l) => s + l.accrual, 0) },
        },
      },
    });
    const report = await purchases.refundsBelowProportional(lenient.partnerId, from, t.clock.now() + 1);
    expect(report).toEqual([
      expect.objectContaining({ purchaseId: "pol-2", refundId: "r-low", accrualReversed: 0 }),
    ]);
    // Another partner's report does not see it.
    expect(await purchases.refundsBelowProportional(strict.partnerId, from, t.clock.now() + 1)).toEqual([]);
    await expectLedgerBalanced(t);
  });
});

describe("discount programs: confirm and cancel alternate within the window", () => {
  const discountSale = (id: string) =>
    purchases.calculate(strictPos, receipt(strict, id, { cardNumber: DISCOUNT_CARD }));

  it("the last successful call wins; a repeat of the last one is a replay", async () => {
    const view = await discountSale("alt-1");
    expect(view.totals).toMatchObject({ discount: 4500, accrual: 0 });
    const first = await purchases.confirm(strictPos, "alt-1", {});
    expect(first).toMatchObject({ replayed: false, answer: { state: "confirmed" } });
    const cancelled = await purchases.cancel(strictPos, "alt-1");
    expect(cancelled).toMatchObject({ replayed: false, answer: { state: "cancelled" } });
    const again = await purchases.confirm(strictPos, "alt-1", {});
    expect(again).toMatchObject({ replayed: false, answer: { state: "confirmed" } });
    expect((await purchases.confirm(strictPos, "alt-1", {})).replayed).toBe(true);
    expect((await purchases.cancel(strictPos, "alt-1")).replayed).toBe(false);
    expect((await purchases.cancel(strictPos, "alt-1")).replayed).toBe(true);
    const detail = await purchases.get(strictPos, "alt-1");
    expect(detail.state).toBe("cancelled");
    expect(detail.history.map((h) => h.kind)).toEqual([
      "calculated",
      "confirmed",
      "cancelled",
      "confirmed",
      "cancelled",
    ]);
    // After the window (counted from the calculation) neither is accepted.
    t.clock.advance(31 * MINUTE);
    expect((await refusal(purchases.confirm(strictPos, "alt-1", {}))).code).toBe("CANCEL_WINDOW_CLOSED");
    await expectLedgerBalanced(t);
  });

  it("each line has its own state: lines are confirmed and cancelled one by one", async () => {
    await discountSale("alt-2");
    const one = await purchases.confirm(strictPos, "alt-2", {}, { lineIds: ["3"] });
    expect(one.answer.current).toEqual({ state: "confirmed" });
    let detail = await purchases.get(strictPos, "alt-2");
    expect(detail.lineStates).toEqual([
      { lineId: "1", state: "open" },
      { lineId: "2", state: "open" },
      { lineId: "3", state: "confirmed" },
    ]);
    await purchases.confirm(strictPos, "alt-2", {}, { lineIds: ["1", "2"] });
    await purchases.cancel(strictPos, "alt-2", { lineIds: ["3"] });
    detail = await purchases.get(strictPos, "alt-2");
    expect(detail.state).toBe("confirmed");
    expect(detail.lineStates.map((l) => l.state)).toEqual(["confirmed", "confirmed", "cancelled"]);
    expect((await purchases.cancel(strictPos, "alt-2", { lineIds: ["3"] })).replayed).toBe(true);
    await purchases.cancel(strictPos, "alt-2", { lineIds: ["1", "2"] });
    expect((await purchases.get(strictPos, "alt-2")).state).toBe("cancelled");
    expect((await refusal(purchases.cancel(strictPos, "alt-2", { lineIds: ["9"] }))).details).toMatchObject({
      field: "lines[0]",
    });
  });

  it("loyalty purchases are confirmed and cancelled as a whole; confirm after cancel is a conflict", async () => {
    await purchases.calculate(strictPos, receipt(strict, "whole-1"));
    expect((await refusal(purchases.confirm(strictPos, "whole-1", {}, { lineIds: ["1"] }))).code).toBe(
      "LINES_NOT_SEPARABLE",
    );
    await purchases.cancel(strictPos, "whole-1");
    expect(await refusal(purchases.confirm(strictPos, "whole-1", {}))).toEqual({
      code: "PURCHASE_STATE_CONFLICT",
      details: { state: "cancelled" },
    });
  });
});
