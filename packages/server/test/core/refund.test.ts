import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sum } from "../../src/core/arithmetic.js";
import { applyRefund, planRefund, type RefundableLine, type RefundRequest } from "../../src/core/refund.js";
import { check, expectDomainError } from "./helpers.js";

const lineArb = fc
  .record({
    quantity: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 20_000 })),
    total: fc.oneof(fc.constant(0), fc.nat({ max: 1_000 }), fc.nat({ max: 10_000_000 })),
  })
  .chain(({ quantity, total }) =>
    fc
      .record({
        pointsPaid: fc.oneof(fc.constant(0), fc.constant(total), fc.nat({ max: total })),
        accrual: fc.oneof(fc.constant(0), fc.nat({ max: 1_000 }), fc.nat({ max: 1_000_000 })),
      })
      .map(({ pointsPaid, accrual }) => ({ quantity, total, pointsPaid, accrual })),
  );

const purchaseArb = fc.array(lineArb, { minLength: 1, maxLength: 6 }).map((ls) =>
  ls.map(
    (l, i): RefundableLine => ({
      lineId: `L${i + 1}`,
      ...l,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    }),
  ),
);

/** A refund step: which open lines (by index into the still-open ones), how much of each, optional overrides. */
const stepArb = fc.record({
  picks: fc.array(
    fc.record({ line: fc.nat({ max: 20 }), permille: fc.oneof(fc.constant(1000), fc.nat({ max: 1000 })) }),
    { minLength: 1, maxLength: 6 },
  ),
  statePoints: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
  stateAccrual: fc.option(fc.nat({ max: 1000 }), { nil: undefined }),
});

/** What is due cumulatively once `q` of a line is refunded, per refund.ts's documented contract. */
const cumulativeDue = (whole: number, q: number, quantity: number) =>
  q >= quantity ? whole : Number((BigInt(whole) * BigInt(q)) / BigInt(quantity));

const left = (l: RefundableLine) => l.quantity - l.refundedQuantity;

function checkPlanShape(before: readonly RefundableLine[], request: RefundRequest, after: RefundableLine[]) {
  const asked = new Map((request.lines ?? []).map((r) => [r.lineId, r.quantity]));
  after.forEach((l, i) => {
    const b = before[i]!;
    const at = () => `line ${l.lineId}: ${JSON.stringify(l)} (before ${JSON.stringify(b)})`;
    check(l.lineId === b.lineId, at);
    check(l.refundedQuantity <= l.quantity, at);
    check(l.refundedAmount <= l.total, at);
    check(l.pointsReturned <= l.pointsPaid, at);
    check(l.accrualReversed <= l.accrual, at);
    // Monotone: nothing already given back is ever taken again.
    check(l.refundedAmount >= b.refundedAmount, at);
    check(l.pointsReturned >= b.pointsReturned, at);
    check(l.accrualReversed >= b.accrualReversed, at);
    if (request.lines) check(l.refundedQuantity === b.refundedQuantity + (asked.get(l.lineId) ?? 0), at);
  });
}

describe("planRefund / applyRefund over random sequences of partial refunds", () => {
  it("keep every step non-negative, never exceed the purchase, and end exactly at its figures", () => {
    fc.assert(
      fc.property(purchaseArb, fc.array(stepArb, { maxLength: 10 }), (purchase, steps) => {
        const snapshot = structuredClone(purchase);
        let lines = purchase;
        // Lines whose points/accrual were set by the POS at some step, so the proportional formula no longer holds.
        const pointsOverridden = new Set<string>();
        const accrualOverridden = new Set<string>();

        const runStep = (request: RefundRequest) => {
          const plan = planRefund(lines, request);
          const expectedLines =
            request.lines ??
            lines.filter((l) => left(l) > 0).map((l) => ({ lineId: l.lineId, quantity: left(l) }));
          expect(plan.lines.map((p) => [p.lineId, p.quantity])).toEqual(
            expectedLines.map((r) => [r.lineId, r.quantity]),
          );
          for (const p of plan.lines) {
            for (const v of [p.amount, p.pointsReturned, p.accrualReversed]) {
              check(
                Number.isSafeInteger(v) && v >= 0,
                () => `negative or fractional figure in ${JSON.stringify(p)}`,
              );
            }
          }
          expect(plan.amount).toBe(sum(plan.lines.map((p) => p.amount)));
          expect(plan.pointsReturned).toBe(sum(plan.lines.map((p) => p.pointsReturned)));
          expect(plan.accrualReversed).toBe(sum(plan.lines.map((p) => p.accrualReversed)));
          if (request.pointsToReturn !== undefined) expect(plan.pointsReturned).toBe(request.pointsToReturn);
          if (request.accrualToReverse !== undefined)
            expect(plan.accrualReversed).toBe(request.accrualToReverse);

          const next = applyRefund(lines, plan);
          checkPlanShape(lines, request, next);
          expect(plan.completesPurchase).toBe(next.every((l) => l.refundedQuantity === l.quantity));
          for (const l of next) {
            const at = () => `line ${JSON.stringify(l)}`;
            // The amount is always the cumulative proportion of the refunded quantity, whatever the path.
            check(l.refundedAmount === cumulativeDue(l.total, l.refundedQuantity, l.quantity), at);
            if (!pointsOverridden.has(l.lineId)) {
              check(l.pointsReturned === cumulativeDue(l.pointsPaid, l.refundedQuantity, l.quantity), at);
            }
            if (!accrualOverridden.has(l.lineId)) {
              check(l.accrualReversed === cumulativeDue(l.accrual, l.refundedQuantity, l.quantity), at);
            }
          }
          lines = next;
          return plan;
        };

        for (const step of steps) {
          const open = lines.filter((l) => left(l) > 0);
          if (open.length === 0) break;
          const asked = new Map<string, number>();
          for (const pick of step.picks) {
            const l = open[pick.line % open.length]!;
            if (asked.has(l.lineId)) continue;
            asked.set(l.lineId, Math.max(1, Math.floor((left(l) * pick.permille) / 1000)));
          }
          const request: RefundRequest = {
            lines: [...asked].map(([lineId, quantity]) => ({ lineId, quantity })),
          };
          // Overrides only where no chosen line is finished by this step: a later step refunds the rest of every
          // overridden line, so the purchase's figures must still be reached exactly in the end.
          const finishesALine = lines.some((l) => asked.get(l.lineId) === left(l));
          if (!finishesALine) {
            const chosen = lines.filter((l) => asked.has(l.lineId));
            if (step.statePoints !== undefined) {
              // Bounded by what the lines hold and by the value of the goods returned.
              const refundable = Math.min(
                sum(chosen.map((l) => l.pointsPaid - l.pointsReturned)),
                planRefund(lines, request).amount,
              );
              request.pointsToReturn = Math.floor((refundable * step.statePoints) / 1000);
              for (const l of chosen) pointsOverridden.add(l.lineId);
            }
            if (step.stateAccrual !== undefined) {
              const refundable = sum(chosen.map((l) => l.accrual - l.accrualReversed));
              request.accrualToReverse = Math.floor((refundable * step.stateAccrual) / 1000);
              for (const l of chosen) accrualOverridden.add(l.lineId);
            }
          }
          runStep(request);
        }

        // Refund whatever is left with a request that names no lines.
        if (lines.some((l) => left(l) > 0)) {
          const plan = runStep({});
          expect(plan.completesPurchase).toBe(true);
        }
        for (const l of lines) {
          expect(l.refundedQuantity).toBe(l.quantity);
          expect(l.refundedAmount).toBe(l.total);
          expect(l.pointsReturned).toBe(l.pointsPaid);
          expect(l.accrualReversed).toBe(l.accrual);
        }
        expectDomainError(() => planRefund(lines, {}), "NOTHING_TO_REFUND");
        // The inputs were never mutated.
        expect(purchase).toEqual(snapshot);
      }),
      { numRuns: 400 },
    );
  });

  it("refunding everything at once returns exactly the purchase's figures", () => {
    fc.assert(
      fc.property(purchaseArb, (purchase) => {
        const plan = planRefund(purchase, {});
        expect(plan.completesPurchase).toBe(true);
        expect(plan.amount).toBe(sum(purchase.map((l) => l.total)));
        expect(plan.pointsReturned).toBe(sum(purchase.map((l) => l.pointsPaid)));
        expect(plan.accrualReversed).toBe(sum(purchase.map((l) => l.accrual)));
      }),
      { numRuns: 300 },
    );
  });
});

/** A purchase after one random partial refund, and the index of a line that still has something left. */
const partlyRefundedArb = fc
  .tuple(purchaseArb, fc.nat({ max: 20 }), fc.nat({ max: 999 }), fc.nat({ max: 20 }))
  .map(([purchase, first, permille, target]) => {
    const l = purchase[first % purchase.length]!;
    const quantity = Math.floor((l.quantity * permille) / 1000);
    const lines =
      quantity > 0
        ? applyRefund(purchase, planRefund(purchase, { lines: [{ lineId: l.lineId, quantity }] }))
        : purchase;
    const open = lines.filter((x) => left(x) > 0);
    return { lines, line: open[target % open.length]! };
  });

describe("planRefund rejections", () => {
  it("rejects more than what is left, and a non-positive quantity", () => {
    fc.assert(
      fc.property(partlyRefundedArb, fc.integer({ min: 1, max: 1_000 }), ({ lines, line }, excess) => {
        const max = left(line);
        for (const quantity of [max + excess, 0, -1]) {
          const err = expectDomainError(
            () => planRefund(lines, { lines: [{ lineId: line.lineId, quantity }] }),
            "REFUND_QUANTITY_EXCEEDS_PURCHASED",
          );
          expect(err.details).toEqual({ field: "lines[0].quantity", max });
        }
        // Exactly what is left is accepted.
        expect(
          planRefund(lines, { lines: [{ lineId: line.lineId, quantity: max }] }).lines[0]!.quantity,
        ).toBe(max);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects an unknown line and a line listed twice, naming the offending entry", () => {
    fc.assert(
      fc.property(partlyRefundedArb, ({ lines, line }) => {
        const unknown = expectDomainError(
          () =>
            planRefund(lines, {
              lines: [
                { lineId: line.lineId, quantity: 1 },
                { lineId: "no-such-line", quantity: 1 },
              ],
            }),
          "REFUND_LINE_UNKNOWN",
        );
        expect(unknown.details.field).toBe("lines[1].lineId");
        const dup = expectDomainError(
          () =>
            planRefund(lines, {
              lines: [
                { lineId: line.lineId, quantity: 1 },
                { lineId: line.lineId, quantity: 1 },
              ],
            }),
          "DUPLICATE_LINE_ID",
        );
        expect(dup.details.field).toBe("lines[1].lineId");
      }),
      { numRuns: 300 },
    );
  });

  it("rejects an empty line list", () => {
    fc.assert(
      fc.property(purchaseArb, (purchase) => {
        expectDomainError(() => planRefund(purchase, { lines: [] }), "NOTHING_TO_REFUND");
      }),
      { numRuns: 50 },
    );
  });

  it("rejects stated points/accrual above the refundable and honours any value within it exactly", () => {
    fc.assert(
      fc.property(
        partlyRefundedArb,
        fc.nat({ max: 1000 }),
        fc.nat({ max: 1000 }),
        fc.integer({ min: 1, max: 1_000 }),
        ({ lines, line }, pointsPermille, accrualPermille, excess) => {
          const quantity = Math.max(1, Math.floor(left(line) / 2));
          const base = { lines: [{ lineId: line.lineId, quantity }] };
          const refundablePoints = Math.min(
            line.pointsPaid - line.pointsReturned,
            planRefund(lines, base).amount,
          );
          const refundableAccrual = line.accrual - line.accrualReversed;

          const tooManyPoints = expectDomainError(
            () => planRefund(lines, { ...base, pointsToReturn: refundablePoints + excess }),
            "REFUND_POINTS_EXCEED_REFUNDABLE",
          );
          expect(tooManyPoints.details).toEqual({ field: "pointsToReturn", max: refundablePoints });
          const tooMuchAccrual = expectDomainError(
            () => planRefund(lines, { ...base, accrualToReverse: refundableAccrual + excess }),
            "REFUND_POINTS_EXCEED_REFUNDABLE",
          );
          expect(tooMuchAccrual.details).toEqual({ field: "accrualToReverse", max: refundableAccrual });

          const pointsToReturn = Math.floor((refundablePoints * pointsPermille) / 1000);
          const accrualToReverse = Math.floor((refundableAccrual * accrualPermille) / 1000);
          const plan = planRefund(lines, { ...base, pointsToReturn, accrualToReverse });
          expect(plan.pointsReturned).toBe(pointsToReturn);
          expect(plan.accrualReversed).toBe(accrualToReverse);
          expect(plan.lines[0]!.pointsReturned).toBe(pointsToReturn);
          expect(plan.lines[0]!.accrualReversed).toBe(accrualToReverse);
          // The amount is never affected by the overrides.
          expect(plan.amount).toBe(planRefund(lines, base).amount);
          // The whole refundable is also accepted.
          expect(
            planRefund(lines, {
              ...base,
              pointsToReturn: refundablePoints,
              accrualToReverse: refundableAccrual,
            }).pointsReturned,
          ).toBe(refundablePoints);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("spreads a stated value over several lines within each line's remaining; the default figures change nothing", () => {
    fc.assert(
      fc.property(purchaseArb, fc.nat({ max: 1000 }), (purchase, permille) => {
        const request = { lines: purchase.map((l) => ({ lineId: l.lineId, quantity: 1 })) };
        const refundable = Math.min(
          sum(purchase.map((l) => l.pointsPaid)),
          planRefund(purchase, request).amount,
        );
        const pointsToReturn = Math.floor((refundable * permille) / 1000);
        const plan = planRefund(purchase, { ...request, pointsToReturn });
        expect(plan.pointsReturned).toBe(pointsToReturn);
        // Stating exactly the proportional figures reproduces the default plan line by line.
        const proportional = planRefund(purchase, request);
        expect(
          planRefund(purchase, {
            ...request,
            pointsToReturn: proportional.pointsReturned,
            accrualToReverse: proportional.accrualReversed,
          }),
        ).toEqual(proportional);
        plan.lines.forEach((p, i) => {
          expect(p.pointsReturned).toBeGreaterThanOrEqual(0);
          expect(p.pointsReturned).toBeLessThanOrEqual(purchase[i]!.pointsPaid);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe("planRefund examples", () => {
  const line = (over: Partial<RefundableLine>): RefundableLine => ({
    lineId: "A",
    quantity: 3_000,
    total: 1_000,
    pointsPaid: 100,
    accrual: 10,
    refundedQuantity: 0,
    refundedAmount: 0,
    pointsReturned: 0,
    accrualReversed: 0,
    ...over,
  });

  it("refunds thirds of 10.00 as 3.33, 3.33, 3.34 (cumulative floors, remainder at the end)", () => {
    let lines = [line({})];
    const amounts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const plan = planRefund(lines, { lines: [{ lineId: "A", quantity: 1_000 }] });
      amounts.push(plan.amount);
      expect(plan.completesPurchase).toBe(i === 2);
      lines = applyRefund(lines, plan);
    }
    expect(amounts).toEqual([333, 333, 334]);
    expect(lines[0]).toMatchObject({ refundedAmount: 1_000, pointsReturned: 100, accrualReversed: 10 });
  });

  it("a smaller stated points return is made up at the end", () => {
    let lines = [line({})];
    // First third: the POS returns no points at all (proportional would be 33).
    let plan = planRefund(lines, { lines: [{ lineId: "A", quantity: 1_000 }], pointsToReturn: 0 });
    expect(plan.pointsReturned).toBe(0);
    lines = applyRefund(lines, plan);
    // Second third: cumulative due is floor(100 * 2/3) = 66, nothing given yet → 66.
    plan = planRefund(lines, { lines: [{ lineId: "A", quantity: 1_000 }] });
    expect(plan.pointsReturned).toBe(66);
    lines = applyRefund(lines, plan);
    plan = planRefund(lines, {});
    expect(plan.pointsReturned).toBe(34);
  });
});
