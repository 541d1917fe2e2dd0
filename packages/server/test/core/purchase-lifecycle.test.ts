import type { LineState, PurchaseState } from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareReceipt, type PrintedReceipt } from "../../src/core/printed-receipt.js";
import {
  alternates,
  applyToLines,
  decideCancel,
  decideConfirm,
  decideExpire,
  decideReplace,
  lineStatesOf,
  type PurchaseFacts,
  stateOfLines,
} from "../../src/core/purchase-lifecycle.js";
import type { PricedLine } from "../../src/core/receipt.js";
import { applyRefundPolicy, planRefund, type RefundableLine } from "../../src/core/refund.js";
import { DomainError } from "../../src/kernel/errors.js";
import { check } from "./helpers.js";

const MINUTE = 60_000;
const TTL = 30 * MINUTE;
const WINDOW = 30 * MINUTE;
const LINES = ["1", "2", "3"];

type Step =
  | { op: "confirm"; lines?: string[]; receipt: boolean }
  | { op: "cancel"; lines?: string[] }
  | { op: "advance"; ms: number }
  | { op: "expire" };

const subsetArb = fc.option(fc.subarray(LINES, { minLength: 1 }), { nil: undefined });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("confirm" as const), lines: subsetArb, receipt: fc.boolean() }),
  fc.record({ op: fc.constant("cancel" as const), lines: subsetArb }),
  fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 40 * MINUTE }) }),
  fc.constant({ op: "expire" as const }),
);

/**
 * A purchase as the commands keep it, driven only by the state machine's decisions: what the commands do
 * with each decision, minus the ledger.
 */
interface Model {
  state: PurchaseState;
  lines: Record<string, LineState>;
  confirmAnswered: boolean;
  confirmedAt: number | null;
  now: number;
}

function facts(m: Model, kind: "loyalty" | "discount", movesPoints: boolean): PurchaseFacts {
  return {
    state: m.state,
    now: m.now,
    expiresAt: TTL,
    createdAt: 0,
    confirmedAt: m.confirmedAt,
    programKind: kind,
    cancelWindowMs: WINDOW,
    movesPoints,
    confirmAnswered: m.confirmAnswered,
  };
}

describe("the purchase state machine", () => {
  it("loyalty purchases: one confirm, replays after it, a cancel only within the window, nothing after a close", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), fc.boolean(), (steps, movesPoints) => {
        const m: Model = {
          state: "calculated",
          lines: {},
          confirmAnswered: false,
          confirmedAt: null,
          now: 0,
        };
        let confirms = 0;
        for (const step of steps) {
          const f = facts(m, "loyalty", movesPoints);
          const at = () => `${JSON.stringify(step)} on ${JSON.stringify(m)}`;
          if (step.op === "advance") m.now += step.ms;
          else if (step.op === "expire") {
            if (decideExpire(f).kind === "expire") {
              check(m.state === "calculated" && m.now >= TTL, at);
              m.state = "expired";
            }
          } else if (step.op === "confirm") {
            const d = decideConfirm(f, step.receipt, false);
            if (d.kind === "replay") check(m.confirmAnswered, at);
            if (d.kind === "confirm" || d.kind === "confirm_late") {
              check(!m.confirmAnswered && (m.state === "calculated" || m.state === "expired"), at);
              // A late confirm needs the printed receipt.
              check(d.kind === "confirm" ? m.now < TTL : step.receipt, at);
              confirms++;
              Object.assign(m, { state: "confirmed", confirmAnswered: true, confirmedAt: m.now });
            }
            check(d.kind !== "reconfirm", at);
          } else {
            const d = decideCancel(f, false);
            if (d.kind === "reverse") {
              check(m.state === "confirmed" && m.now <= (m.confirmedAt ?? 0) + WINDOW, at);
              m.state = "cancelled";
            } else if (d.kind === "release") {
              check(m.state === "calculated", at);
              m.state = "cancelled";
            } else if (d.kind === "refuse") {
              check(m.state === "confirmed" && m.now > (m.confirmedAt ?? 0) + WINDOW, at);
            } else if (d.kind === "replay") check(m.state === "cancelled", at);
            else check(d.kind === "closed" && m.state === "expired", at);
          }
          // Calculate and pay replace only while the purchase is open.
          const replace = decideReplace(facts(m, "loyalty", movesPoints));
          check(
            (replace.kind === "replace") === (m.state === "calculated" && m.now < TTL),
            () => `replace on ${JSON.stringify(m)}`,
          );
        }
        expect(confirms).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it("discount purchases that move no points: within the window the last successful call wins, per line", () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 25 }), (steps) => {
        const m: Model = {
          state: "calculated",
          lines: lineStatesOf(LINES, "calculated", undefined),
          confirmAnswered: false,
          confirmedAt: null,
          now: 0,
        };
        for (const step of steps) {
          const f = facts(m, "discount", false);
          check(alternates(f), () => "alternates");
          const at = () => `${JSON.stringify(step)} on ${JSON.stringify(m)}`;
          if (step.op === "advance") m.now += step.ms;
          else if (step.op === "expire") {
            if (decideExpire(f).kind === "expire") m.state = "expired";
          } else {
            const targets = step.lines ?? LINES;
            const target: LineState = step.op === "confirm" ? "confirmed" : "cancelled";
            const done = targets.every((id) => m.lines[id] === target);
            const d = step.op === "confirm" ? decideConfirm(f, step.receipt, done) : decideCancel(f, done);
            if (d.kind === "refuse" || d.kind === "replay" || d.kind === "closed") {
              // Refusals and replays change nothing; after the window only they remain (expired aside).
              if (d.kind === "replay") check(done || m.state === "cancelled" || m.state === "expired", at);
              continue;
            }
            // Past the window only what changes nothing applied: releasing a calculated purchase, or a late
            // confirm (which must match the printed receipt).
            check(m.now <= WINDOW || d.kind === "release" || d.kind === "confirm_late", at);
            const next = applyToLines(m.lines, step.op, targets);
            if ("unknown" in next) throw new Error("unknown lines");
            m.lines = next.lines;
            m.state = stateOfLines(m.lines);
            if (step.op === "confirm") Object.assign(m, { confirmAnswered: true, confirmedAt: m.now });
            // The call just made wins for the lines it named.
            for (const id of targets) check(m.lines[id] === target, at);
          }
          check(
            m.state === "expired" || m.state === stateOfLines(m.lines),
            () => `state ${m.state} vs lines ${JSON.stringify(m.lines)}`,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it("examples: a confirm retried after a cancel replays; a late confirm without a receipt is refused", () => {
    const base: PurchaseFacts = {
      state: "cancelled",
      now: 5 * MINUTE,
      expiresAt: TTL,
      createdAt: 0,
      confirmedAt: MINUTE,
      programKind: "loyalty",
      cancelWindowMs: WINDOW,
      movesPoints: true,
      confirmAnswered: true,
    };
    expect(decideConfirm(base, false, false)).toEqual({ kind: "replay" });
    expect(decideConfirm({ ...base, confirmAnswered: false }, false, false)).toMatchObject({
      kind: "refuse",
      code: "PURCHASE_STATE_CONFLICT",
    });
    const expired = { ...base, state: "expired" as const, confirmAnswered: false, confirmedAt: null };
    expect(decideConfirm(expired, false, false)).toMatchObject({
      kind: "refuse",
      code: "PURCHASE_EXPIRED",
      details: { field: "receipt" },
    });
    expect(decideConfirm(expired, true, false)).toEqual({ kind: "confirm_late" });
    expect(decideCancel({ ...base, state: "hanging" }, false)).toEqual({ kind: "withdraw" });
  });
});

// ---------------------------------------------------------------------------------------------------

const lineArb = fc
  .record({
    quantity: fc.integer({ min: 1, max: 20_000 }),
    total: fc.nat({ max: 1_000_000 }),
    accrual: fc.nat({ max: 100_000 }),
  })
  .chain((l) => fc.nat({ max: l.total }).map((pointsPaid) => ({ ...l, pointsPaid })));
const purchaseArb = fc.array(lineArb, { minLength: 1, maxLength: 5 }).map((ls) =>
  ls.map(
    (l, i): RefundableLine => ({
      lineId: `L${i}`,
      ...l,
      refundedQuantity: 0,
      refundedAmount: 0,
      pointsReturned: 0,
      accrualReversed: 0,
    }),
  ),
);

describe("refund policy", () => {
  it("the minimum is the proportional plan; below it is refused unless allowed, and then marked", () => {
    fc.assert(
      fc.property(
        purchaseArb,
        fc.nat({ max: 1000 }),
        fc.nat({ max: 2000 }),
        fc.nat({ max: 2000 }),
        fc.boolean(),
        (lines, permille, pointsPermille, accrualPermille, allowed) => {
          const request = {
            lines: lines.map((l) => ({
              lineId: l.lineId,
              quantity: Math.max(1, Math.floor((l.quantity * permille) / 1000)),
            })),
          };
          const proportional = planRefund(lines, request);
          const minPoints = Math.min(proportional.pointsReturned, proportional.amount);
          const stated = {
            ...request,
            pointsToReturn: Math.floor((minPoints * pointsPermille) / 1000),
            accrualToReverse: Math.floor((proportional.accrualReversed * accrualPermille) / 1000),
          };
          const below =
            stated.pointsToReturn < minPoints || stated.accrualToReverse < proportional.accrualReversed;
          let outcome: ReturnType<typeof applyRefundPolicy> | DomainError;
          try {
            outcome = applyRefundPolicy(lines, stated, allowed);
          } catch (error) {
            outcome = error as DomainError;
          }
          if (outcome instanceof DomainError) {
            check(!allowed && below, () => `refused ${JSON.stringify(stated)}`);
            const accrualLow = stated.accrualToReverse < proportional.accrualReversed;
            expect(outcome.code).toBe(
              accrualLow ? "REFUND_ACCRUAL_BELOW_MINIMUM" : "REFUND_POINTS_BELOW_MINIMUM",
            );
            expect(outcome.details.min).toBe(accrualLow ? proportional.accrualReversed : minPoints);
          } else {
            check(allowed || !below, () => `accepted ${JSON.stringify(stated)}`);
            expect(outcome.belowProportional).toBe(below);
            expect(outcome.minimum).toEqual({
              pointsToReturn: minPoints,
              accrualToReverse: proportional.accrualReversed,
            });
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------

const priced = (i: number, over: Partial<PricedLine> = {}): PricedLine => ({
  lineId: String(i),
  sku: `S${i}`,
  barcode: null,
  productKnown: true,
  quantity: 1000 + i,
  unitPrice: 10_000 * (i + 1),
  amount: Math.round((10_000 * (i + 1) * (1000 + i)) / 1000),
  discount: 100 * i,
  discountRuleId: null,
  total: 0,
  accrualRateBp: 500,
  accrualRuleId: null,
  pointsPaymentCap: 0,
  pointsPaid: 10 * i,
  accrual: 5 * i,
  refundedQuantity: 0,
  refundedAmount: 0,
  pointsReturned: 0,
  accrualReversed: 0,
  ...over,
});

describe("compareReceipt", () => {
  it("agrees with the receipt it printed and names the first field changed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.nat({ max: 10 }),
        fc.constantFrom("quantity", "price", "discount", "pointsPaid", "accrual"),
        fc.integer({ min: 1, max: 1000 }),
        (count, pick, field, delta) => {
          const lines = Array.from({ length: count }, (_, i) => priced(i));
          const calculated = { storeCode: "S", cardNumber: "C", lines };
          const printed: PrintedReceipt = {
            storeCode: "S",
            posCode: "P",
            cardNumber: "C",
            lines: lines.map((l) => ({
              lineId: l.lineId,
              quantity: l.quantity,
              price: l.unitPrice,
              amount: l.amount,
              discount: l.discount,
              pointsPaid: l.pointsPaid,
              accrual: l.accrual,
            })),
            pointsSpent: lines.reduce((s, l) => s + l.pointsPaid, 0),
            pointsAccrued: lines.reduce((s, l) => s + l.accrual, 0),
          };
          expect(compareReceipt(printed, calculated)).toBeNull();
          const i = pick % count;
          const changed = structuredClone(printed);
          const target = changed.lines[i] as unknown as Record<string, number>;
          target[field] = (target[field] ?? 0) + delta;
          expect(compareReceipt(changed, calculated)?.field).toBe(`receipt.lines[${i}].${field}`);
          expect(compareReceipt({ ...printed, cardNumber: "other" }, calculated)?.field).toBe(
            "receipt.cardNumber",
          );
          expect(
            compareReceipt({ ...printed, pointsAccrued: printed.pointsAccrued + delta }, calculated)?.field,
          ).toBe("receipt.pointsAccrued");
        },
      ),
      { numRuns: 200 },
    );
  });
});
