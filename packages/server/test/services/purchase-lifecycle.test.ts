/**
 * The purchase flow through the application layer: the commands called directly on a real database, as
 * any protocol (the POS API, PharmApi) calls them. HTTP specifics live in test/http.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrintedReceipt } from "../../src/core/printed-receipt.js";
import { DomainError } from "../../src/kernel/errors.js";
import type { Principal } from "../../src/kernel/index.js";
import { addRules } from "../../src/modules/programs/index.js";
import {
  type ConfirmView,
  type PurchaseService,
  type PurchaseView,
  sweepOnce,
} from "../../src/modules/purchases/index.js";
import {
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  type TestApp,
  writeCounts,
} from "../support/harness.js";
import { holdsOf, losePurchase, startPurchaseDesk } from "../support/services.js";

let t: TestApp;
let p: SeededPartner;
let purchases: PurchaseService;
let pos: Principal;

beforeAll(async () => {
  ({ t, p, purchases, pos } = await startPurchaseDesk(0));
});
afterAll(async () => t?.close());

const MINUTE = 60_000;

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error("expected a DomainError");
}

/** The receipt a till prints from a calculate (or bonus payment) answer. */
function printed(view: PurchaseView, posCode = "POS-1"): PrintedReceipt {
  return {
    ...(view.rulesVersion ? { rulesVersion: view.rulesVersion } : {}),
    storeCode: view.storeCode,
    posCode,
    ...(view.cardNumber ? { cardNumber: view.cardNumber } : {}),
    lines: view.lines.map((l) => ({
      lineId: l.lineId,
      ...(l.sku ? { sku: l.sku } : {}),
      quantity: l.quantity,
      price: l.unitPrice,
      amount: l.amount,
      discount: l.discount,
      pointsPaid: l.pointsPaid,
      accrual: l.accrual,
    })),
    pointsSpent: view.totals.pointsPaid,
    pointsAccrued: view.totals.accrual,
  };
}

/** The card's balance, read by a probe calculation (written before the next step, like every call here). */
const balance = async () => {
  const probe = await purchases.calculate(pos, receipt(p, `probe-${Math.random()}`));
  await purchases.settled();
  return probe.points.balance!;
};

describe("confirm, cancel and refund replay", () => {
  it("a repeat returns the first answer marked as a replay; the same key with another body is a conflict", async () => {
    await purchases.calculate(pos, receipt(p, "svc-1"));
    await purchases.bonusPayment(pos, "svc-1", 5000);
    const first = await purchases.confirm(pos, "svc-1", { receiptNumber: "R1" });
    expect(first.replayed).toBe(false);
    expect(first.answer).toMatchObject({ state: "confirmed", late: false, current: { state: "confirmed" } });
    const before = await writeCounts(t);
    const again = await purchases.confirm(pos, "svc-1", { receiptNumber: "R1" });
    expect(again).toEqual({ answer: first.answer, replayed: true });
    expect(await writeCounts(t)).toEqual(before);
    expect((await codeOf(purchases.confirm(pos, "svc-1", { receiptNumber: "R2" }))).code).toBe(
      "IDEMPOTENCY_CONFLICT",
    );
  });

  it("after a confirmed purchase is cancelled, a retried confirm answers the first answer with the current state", async () => {
    await purchases.calculate(pos, receipt(p, "svc-2"));
    const confirmed = await purchases.confirm(pos, "svc-2", {});
    const cancelled = await purchases.cancel(pos, "svc-2");
    expect(cancelled).toMatchObject({ replayed: false, answer: { state: "cancelled" } });
    const retried = await purchases.confirm(pos, "svc-2", {});
    expect(retried.replayed).toBe(true);
    expect(retried.answer.state).toBe("confirmed");
    expect(retried.answer.current).toEqual({ state: "cancelled" });
    expect({ ...retried.answer, current: null }).toEqual({ ...confirmed.answer, current: null });
    const cancelAgain = await purchases.cancel(pos, "svc-2");
    expect(cancelAgain).toEqual({ answer: cancelled.answer, replayed: true });
    await expectLedgerBalanced(t);
  });

  it("a replayed refund carries the state the purchase reached since", async () => {
    await purchases.calculate(pos, receipt(p, "svc-3"));
    await purchases.confirm(pos, "svc-3", {});
    const body = { refundId: "r1", lines: [{ lineId: "1", quantity: 1000 }] };
    const first = await purchases.refund(pos, "svc-3", body);
    expect(first.answer.current).toEqual({ state: "partially_refunded" });
    await purchases.refund(pos, "svc-3", { refundId: "r2" });
    const again = await purchases.refund(pos, "svc-3", body);
    expect(again.replayed).toBe(true);
    expect(again.answer.state).toBe("partially_refunded");
    expect(again.answer.current).toEqual({ state: "refunded" });
  });
});

describe("holds are records", () => {
  it("a bonus payment holds, a new amount re-holds, confirm spends; each hold resolves once", async () => {
    await purchases.calculate(pos, receipt(p, "hold-1"));
    await purchases.bonusPayment(pos, "hold-1", 3000);
    await purchases.bonusPayment(pos, "hold-1", 4000);
    let holds = await holdsOf(t, "hold-1");
    expect(holds.map((h) => [h.amount, h.resolution])).toEqual([
      [3000, "released"],
      [4000, null],
    ]);
    await expectLedgerBalanced(t);
    await purchases.confirm(pos, "hold-1", {});
    holds = await holdsOf(t, "hold-1");
    expect(holds.map((h) => [h.amount, h.resolution])).toEqual([
      [3000, "released"],
      [4000, "spent"],
    ]);
    expect(holds.every((h) => h.resolved_at !== null)).toBe(true);
    await expectLedgerBalanced(t);
  });

  it("cancel releases the hold and the sweeper's expire expires it", async () => {
    await purchases.calculate(pos, receipt(p, "hold-2"));
    await purchases.bonusPayment(pos, "hold-2", 1500);
    await purchases.cancel(pos, "hold-2");
    expect((await holdsOf(t, "hold-2")).map((h) => h.resolution)).toEqual(["released"]);

    await purchases.calculate(pos, receipt(p, "hold-3"));
    await purchases.bonusPayment(pos, "hold-3", 1700);
    const held = (await balance()).held;
    t.clock.advance(31 * MINUTE);
    const swept = await sweepOnce(t.database, t.clock.now());
    expect(swept.expiredPurchases).toBeGreaterThanOrEqual(1);
    expect((await holdsOf(t, "hold-3")).map((h) => h.resolution)).toEqual(["expired"]);
    expect((await balance()).held).toBe(held - 1700);
    // A second sweep finds nothing more to do.
    expect((await sweepOnce(t.database, t.clock.now())).expiredPurchases).toBe(0);
    await expectLedgerBalanced(t);
  });

  it("verifyLedger notices a cached held that disagrees with the open holds", async () => {
    await purchases.calculate(pos, receipt(p, "hold-4"));
    await purchases.bonusPayment(pos, "hold-4", 1000);
    const card = await t.database.db
      .selectFrom("cards")
      .select("id")
      .where("number", "=", p.cards.rich)
      .executeTakeFirstOrThrow();
    await t.database.db
      .updateTable("points_accounts")
      .set((eb) => ({ held: eb("held", "+", 1) }))
      .where("card_id", "=", card.id)
      .execute();
    const { verifyLedger } = await import("../../src/modules/points/index.js");
    const violations = await verifyLedger(t.database);
    expect(violations.map((v) => v.problem).join()).toContain("open holds");
    await t.database.db
      .updateTable("points_accounts")
      .set((eb) => ({ held: eb("held", "-", 1) }))
      .where("card_id", "=", card.id)
      .execute();
    await purchases.cancel(pos, "hold-4");
    await expectLedgerBalanced(t);
  });
});

describe("late confirm of an expired purchase", () => {
  it("without the printed receipt it is refused as expired, writing nothing", async () => {
    await purchases.calculate(pos, receipt(p, "late-0"));
    t.clock.advance(31 * MINUTE);
    const before = await writeCounts(t);
    const refused = await codeOf(purchases.confirm(pos, "late-0", {}));
    expect(refused).toMatchObject({ code: "PURCHASE_EXPIRED", details: { field: "receipt" } });
    expect(await writeCounts(t)).toEqual(before);
  });

  it("with the matching receipt it is confirmed, late, spending the points again", async () => {
    await purchases.calculate(pos, receipt(p, "late-1"));
    const paid = await purchases.bonusPayment(pos, "late-1", 6000);
    t.clock.advance(31 * MINUTE);
    await sweepOnce(t.database, t.clock.now());
    const before = await balance();
    const late = await purchases.confirm(pos, "late-1", { receipt: printed(paid) });
    expect(late.answer).toMatchObject({ state: "confirmed", late: true });
    const view = late.answer as ConfirmView;
    expect(view.receipt).toMatchObject({ spent: 6000, accrued: paid.totals.accrual });
    expect(view.receipt.balance!.active).toBe(before.active - 6000 + paid.totals.accrual);
    expect((await holdsOf(t, "late-1")).map((h) => [h.amount, h.resolution])).toEqual([
      [6000, "expired"],
      [6000, "spent"],
    ]);
    // Applied once: a retry is a replay.
    const again = await purchases.confirm(pos, "late-1", { receipt: printed(paid) });
    expect(again.replayed).toBe(true);
    const detail = await purchases.get(pos, "late-1");
    expect(detail.history.filter((h) => h.kind === "confirmed")).toHaveLength(1);
    await expectLedgerBalanced(t);
  });

  it("a purchase past its TTL the sweeper has not reached spends its still open hold", async () => {
    await purchases.calculate(pos, receipt(p, "late-2"));
    const paid = await purchases.bonusPayment(pos, "late-2", 2500);
    t.clock.advance(31 * MINUTE);
    const late = await purchases.confirm(pos, "late-2", { receipt: printed(paid) });
    expect(late.answer).toMatchObject({ state: "confirmed", late: true });
    expect((await holdsOf(t, "late-2")).map((h) => h.resolution)).toEqual(["spent"]);
    await expectLedgerBalanced(t);
  });

  it("a receipt with another discount is kept hanging for an operator: nothing applied, listed, replayed", async () => {
    await purchases.calculate(pos, receipt(p, "late-3"));
    const view = await purchases.bonusPayment(pos, "late-3", 1000);
    t.clock.advance(31 * MINUTE);
    await sweepOnce(t.database, t.clock.now());
    const wrong = printed(view);
    wrong.lines[1]!.discount += 100;
    const before = await writeCounts(t);
    const hung = await purchases.confirm(pos, "late-3", { receipt: wrong });
    expect(hung.answer).toMatchObject({
      state: "hanging",
      late: true,
      hanging: { reason: "RECEIPT_MISMATCH" },
      current: { state: "hanging" },
    });
    const after = await writeCounts(t);
    expect({ ...after, purchase_events: 0 }).toEqual({ ...before, purchase_events: 0 });
    const detail = await purchases.get(pos, "late-3");
    expect(detail).toMatchObject({ state: "hanging", hangingReason: "RECEIPT_MISMATCH" });
    const event = detail.history.at(-1)!;
    expect(event.kind).toBe("confirm_hanging");
    expect(event.data).toMatchObject({ mismatch: { field: "receipt.lines[1].discount" }, printed: wrong });
    expect((await purchases.hanging(p.partnerId)).map((h) => h.purchaseId)).toContain("late-3");
    expect(await purchases.confirm(pos, "late-3", { receipt: wrong })).toEqual({
      answer: hung.answer,
      replayed: true,
    });
    // The till voids the sale: a hanging purchase is withdrawn, nothing to undo.
    const cancelled = await purchases.cancel(pos, "late-3");
    expect(cancelled.answer).toMatchObject({ state: "cancelled", pointsReleased: 0, pointsReturned: 0 });
    await expectLedgerBalanced(t);
  });

  it("points spent elsewhere in the meantime keep it hanging", async () => {
    await purchases.calculate(pos, receipt(p, "late-4", { cardNumber: p.cards.gold }));
    const { credit, lockAccount } = await import("../../src/modules/points/index.js");
    const gold = await t.database.db
      .selectFrom("cards")
      .select("id")
      .where("number", "=", p.cards.gold)
      .executeTakeFirstOrThrow();
    await t.database.transaction(async (trx) => {
      const account = await lockAccount(t.database, trx, gold.id);
      await credit(trx, account, 5000, "adjustment", null, { now: t.clock.now() });
    });
    const paid = await purchases.bonusPayment(pos, "late-4", 5000);
    t.clock.advance(31 * MINUTE);
    await sweepOnce(t.database, t.clock.now());
    // Another sale holds the points the expired one had held.
    await purchases.calculate(pos, receipt(p, "late-4b", { cardNumber: p.cards.gold }));
    await purchases.bonusPayment(pos, "late-4b", 5000);
    const hung = await purchases.confirm(pos, "late-4", { receipt: printed(paid) });
    expect(hung.answer).toMatchObject({ state: "hanging", hanging: { reason: "POINTS_UNAVAILABLE" } });
    await expectLedgerBalanced(t);
  });

  it("a timely confirm with a receipt other than the calculated one hangs instead of confirming", async () => {
    const view = await purchases.calculate(pos, receipt(p, "late-5"));
    const wrong = printed(view);
    wrong.pointsAccrued += 1;
    const hung = await purchases.confirm(pos, "late-5", { receipt: wrong });
    expect(hung.answer).toMatchObject({
      state: "hanging",
      late: false,
      hanging: { reason: "RECEIPT_MISMATCH" },
    });
  });
});

describe("late confirm of a purchase the server lost", () => {
  it("is priced again with the same rules version and confirmed, late", async () => {
    const view = await purchases.calculate(pos, receipt(p, "lost-1"));
    await losePurchase(t, "lost-1");
    expect((await codeOf(purchases.confirm(pos, "lost-1", {}))).code).toBe("PURCHASE_NOT_FOUND");
    const late = await purchases.confirm(pos, "lost-1", { receipt: printed(view) });
    expect(late.answer).toMatchObject({ state: "confirmed", late: true });
    expect((late.answer as ConfirmView).totals).toEqual(view.totals);
    const detail = await purchases.get(pos, "lost-1");
    expect(detail.history.map((h) => h.kind)).toEqual(["recovered", "confirmed"]);
    expect((await purchases.confirm(pos, "lost-1", { receipt: printed(view) })).replayed).toBe(true);
    await expectLedgerBalanced(t);
  });

  it("spends the points the printed receipt paid when they are free", async () => {
    const calculated = await purchases.calculate(pos, receipt(p, "lost-2"));
    const paid = await purchases.bonusPayment(pos, "lost-2", 3000);
    // The payment's hold would have gone with the purchase.
    await purchases.cancel(pos, "lost-2");
    await losePurchase(t, "lost-2");
    const before = await balance();
    const late = await purchases.confirm(pos, "lost-2", { receipt: printed(paid) });
    expect(late.answer).toMatchObject({ state: "confirmed", late: true, receipt: { spent: 3000 } });
    expect((late.answer as ConfirmView).receipt.balance!.active).toBe(
      before.active - 3000 + paid.totals.accrual,
    );
    expect(calculated.totals.pointsPaid).toBe(0);
    await expectLedgerBalanced(t);
  });

  it("hangs without the rules version or with an unknown one, with another discount, or an unknown card; rebuilds the exact rules after they changed", async () => {
    const views: Record<string, PurchaseView> = {};
    for (const id of ["lost-3", "lost-4", "lost-5", "lost-6"]) {
      views[id] = await purchases.calculate(pos, receipt(p, id));
      await losePurchase(t, id);
    }
    const { rulesVersion: _, ...unversioned } = printed(views["lost-3"]!);
    const noVersion = await purchases.confirm(pos, "lost-3", { receipt: unversioned });
    expect(noVersion.answer).toMatchObject({
      state: "hanging",
      hanging: { reason: "RULES_VERSION_UNKNOWN" },
    });

    const wrong = printed(views["lost-4"]!);
    wrong.lines[0]!.discount = 1;
    expect((await purchases.confirm(pos, "lost-4", { receipt: wrong })).answer).toMatchObject({
      hanging: { reason: "RECEIPT_MISMATCH" },
    });

    const unknownCard = { ...printed(views["lost-5"]!), cardNumber: "no-such-card" };
    expect((await purchases.confirm(pos, "lost-5", { receipt: unknownCard })).answer).toMatchObject({
      hanging: { reason: "CARD_UNUSABLE" },
    });

    await addRules(
      t.database,
      p.programId,
      [{ name: "new 1%", kind: "accrual_percent", value: 100 }],
      t.clock.now(),
    );
    t.clock.advance(10_000);
    // The rules changed since, but the purchase is priced again with exactly the versions it named.
    expect(
      (await purchases.confirm(pos, "lost-6", { receipt: printed(views["lost-6"]!) })).answer,
    ).toMatchObject({ state: "confirmed", late: true, totals: views["lost-6"]!.totals });
    const lost7 = await purchases.calculate(pos, receipt(p, "lost-7"));
    await losePurchase(t, "lost-7");
    const unknownVersion = { ...printed(lost7), rulesVersion: `rules-1/${p.programId}/999` };
    expect((await purchases.confirm(pos, "lost-7", { receipt: unknownVersion })).answer).toMatchObject({
      hanging: { reason: "RULES_VERSION_UNKNOWN" },
    });
    const listed = (await purchases.hanging(p.partnerId)).map((h) => [h.purchaseId, h.reason]);
    expect(listed).toEqual(
      expect.arrayContaining([
        ["lost-3", "RULES_VERSION_UNKNOWN"],
        ["lost-4", "RECEIPT_MISMATCH"],
        ["lost-5", "CARD_UNUSABLE"],
        ["lost-7", "RULES_VERSION_UNKNOWN"],
      ]),
    );
    await expectLedgerBalanced(t);
  });
});
