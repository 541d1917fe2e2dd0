import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lineAmount, sum } from "../../src/core/arithmetic.js";
import { createBasicEngine } from "../../src/core/engine/basic-engine.js";
import type { Rule } from "../../src/core/engine/types.js";
import {
  accrualOf,
  applyPointsPayment,
  type PricedLine,
  pricedLines,
  totalsOf,
} from "../../src/core/receipt.js";
import { planRefund } from "../../src/core/refund.js";
import { scenarioArb, sourcesOf } from "./engine-arbitraries.js";
import { check, expectDomainError } from "./helpers.js";

/** floor((total - pointsPaid) * rate / 10000) in exact BigInt arithmetic. */
const expectedAccrual = (total: number, pointsPaid: number, rateBp: number) =>
  Number((BigInt(total - pointsPaid) * BigInt(rateBp)) / 10_000n);

/** A priced receipt from a random scenario, plus a fraction (‰) of its points limit to pay. */
const pricedArb = fc
  .tuple(scenarioArb, fc.oneof(fc.constantFrom(0, 1_000), fc.nat({ max: 1_000 })))
  .map(([{ rules, terms, input }, permille]) => {
    const evaluation = createBasicEngine(rules, terms).evaluate(input);
    const lines = pricedLines(sourcesOf(input.lines), evaluation);
    const limit = evaluation.pointsPaymentLimit;
    return { input, evaluation, lines, limit, amount: Math.floor((limit * permille) / 1000) };
  });

describe("pricedLines", () => {
  it("joins sources and evaluation into unpaid lines with accrual on the full total", () => {
    fc.assert(
      fc.property(pricedArb, ({ input, evaluation, lines }) => {
        const expected: PricedLine[] = evaluation.lines.map((ev, i) => {
          const src = input.lines[i]!;
          return {
            ...ev,
            sku: src.product?.sku ?? null,
            barcode: null,
            productKnown: src.product !== null,
            unitPrice: src.unitPrice,
            quantity: src.quantity,
            pointsPaid: 0,
            accrual: expectedAccrual(ev.total, 0, ev.accrualRateBp),
            refundedQuantity: 0,
            refundedAmount: 0,
            pointsReturned: 0,
            accrualReversed: 0,
          };
        });
        expect(lines).toEqual(expected);
        const t = totalsOf(lines);
        expect(t).toEqual({
          subtotal: evaluation.subtotal,
          discount: evaluation.discountTotal,
          total: evaluation.total,
          pointsPaid: 0,
          toPay: evaluation.total,
          accrual: sum(lines.map((l) => l.accrual)),
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("applyPointsPayment", () => {
  it("spreads any amount up to the limit exactly, within line caps, and recomputes accrual on money paid", () => {
    fc.assert(
      fc.property(pricedArb, ({ lines, limit, amount }) => {
        const paid = applyPointsPayment(lines, amount, limit);
        expect(sum(paid.map((l) => l.pointsPaid))).toBe(amount);
        paid.forEach((l, i) => {
          const at = () => `line ${i}: ${JSON.stringify(l)}`;
          check(l.pointsPaid >= 0 && l.pointsPaid <= l.pointsPaymentCap, at);
          // Caps keep the min-price floor and the discounted total intact.
          check(l.pointsPaid <= l.total, at);
          check(l.accrual === expectedAccrual(l.total, l.pointsPaid, l.accrualRateBp), at);
          check(l.accrual === accrualOf(l, l.pointsPaid), at);
        });
        // Everything but pointsPaid and accrual is carried over untouched.
        expect(paid).toEqual(
          lines.map((l, i) => ({ ...l, pointsPaid: paid[i]!.pointsPaid, accrual: paid[i]!.accrual })),
        );
        const t = totalsOf(paid);
        expect(t.pointsPaid).toBe(amount);
        expect(t.toPay).toBe(t.total - amount);
        expect(t.toPay).toBeGreaterThanOrEqual(0);
        expect(t.accrual).toBe(sum(paid.map((l) => l.accrual)));
        // Paying with points never increases accrual.
        expect(t.accrual).toBeLessThanOrEqual(totalsOf(lines).accrual);
        // Changing the payment starts afresh from the caps, whatever was paid before.
        expect(applyPointsPayment(paid, limit - amount, limit)).toEqual(
          applyPointsPayment(lines, limit - amount, limit),
        );
        // A full refund of the paid receipt gives back exactly its figures.
        const refund = planRefund(paid, {});
        expect([refund.amount, refund.pointsReturned, refund.accrualReversed]).toEqual([
          t.total,
          t.pointsPaid,
          t.accrual,
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects an amount above the limit with POINTS_PAYMENT_LIMIT_EXCEEDED", () => {
    fc.assert(
      fc.property(pricedArb, fc.integer({ min: 1, max: 100_000 }), ({ lines, limit }, excess) => {
        const err = expectDomainError(
          () => applyPointsPayment(lines, limit + excess, limit),
          "POINTS_PAYMENT_LIMIT_EXCEEDED",
        );
        expect(err.details).toEqual({ field: "amount", max: limit });
      }),
      { numRuns: 300 },
    );
  });

  it("example: 150.00 of points over caps 100.00 and 50.00 → 100.00 / 50.00; accrual 5% on the rest", () => {
    const rules: Rule[] = [
      { id: 1, name: "5%", kind: "accrual_percent", percentBp: 500, scope: {}, priority: 0 },
    ];
    const input = {
      lines: [
        { lineId: "a", product: null, quantity: 1_000, unitPrice: 20_000, amount: lineAmount(20_000, 1_000) },
        { lineId: "b", product: null, quantity: 2_000, unitPrice: 5_000, amount: lineAmount(5_000, 2_000) },
      ],
      card: { status: "active" as const, level: null },
      promoCodes: [],
    };
    // At most half the receipt: caps are 50% of each line, 100.00 and 50.00; limit 150.00.
    const limitRule: Rule = {
      id: 2,
      name: "half",
      kind: "points_payment_limit",
      maxShareBp: 5_000,
      scope: {},
      priority: 0,
    };
    const evaluation = createBasicEngine([...rules, limitRule], { maxPointsPaymentShareBp: 10_000 }).evaluate(
      input,
    );
    expect(evaluation.pointsPaymentLimit).toBe(15_000);
    const lines: PricedLine[] = pricedLines(
      input.lines.map((l) => ({ ...l, sku: null, barcode: null, productKnown: false })),
      evaluation,
    );
    expect(lines.map((l) => l.accrual)).toEqual([1_000, 500]);
    // 60.00 spread 2:1 by caps → 40.00 / 20.00; accrual 5% of 160.00 and 80.00.
    const part = applyPointsPayment(lines, 6_000, evaluation.pointsPaymentLimit);
    expect(part.map((l) => [l.pointsPaid, l.accrual])).toEqual([
      [4_000, 800],
      [2_000, 400],
    ]);
    const full = applyPointsPayment(lines, 15_000, evaluation.pointsPaymentLimit);
    expect(full.map((l) => [l.pointsPaid, l.accrual])).toEqual([
      [10_000, 500],
      [5_000, 250],
    ]);
    expect(totalsOf(full)).toEqual({
      subtotal: 30_000,
      discount: 0,
      total: 30_000,
      pointsPaid: 15_000,
      toPay: 15_000,
      accrual: 750,
    });
  });
});
