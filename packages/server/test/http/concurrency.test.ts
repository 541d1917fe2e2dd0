import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";

// Real sockets: concurrent requests interleave in the server exactly as a chain's tills would make them.
let t: TestApp;
let p: SeededPartner;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  // Accruals stay pending for two weeks, so the only spendable points are the opening 100.00.
  p = await seedPartner(t, { richBalance: 10_000, program: { holdDays: 14 } });
  base = await t.server.app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => t?.close());

async function post(path: string, payload: unknown = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${p.tokens.any}`, "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: await res.text() };
}

const balance = async () => {
  const row = await t.database.db
    .selectFrom("points_accounts as a")
    .innerJoin("cards as c", "c.id", "a.card_id")
    .select(["a.active", "a.held", "a.pending"])
    .where("c.number", "=", p.cards.rich)
    .executeTakeFirstOrThrow();
  return row;
};

describe("concurrency", () => {
  it("100 concurrent bonus payments and confirms on one card never overdraw it", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `race-${i}`);
    const calculated = await Promise.all(ids.map((id) => post("/v1/purchases/calculate", receipt(p, id))));
    expect(calculated.every((r) => r.status === 200)).toBe(true);
    const start = await balance();
    const spend = 300;
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const paid = await post(`/v1/purchases/${id}/bonus-payment`, { amount: spend });
        const confirmed = await post(`/v1/purchases/${id}/confirm`);
        expect(confirmed.status).toBe(200);
        return {
          paid: paid.status,
          code: paid.status === 200 ? null : JSON.parse(paid.body).code,
          spent: JSON.parse(confirmed.body).receipt.spent,
        };
      }),
    );
    const succeeded = outcomes.filter((o) => o.paid === 200);
    expect(outcomes.filter((o) => o.paid !== 200).every((o) => o.code === "INSUFFICIENT_POINTS")).toBe(true);
    expect(succeeded.length).toBe(Math.floor(start.active / spend));
    const end = await balance();
    const totalSpent = outcomes.reduce((sum, o) => sum + o.spent, 0);
    expect(totalSpent).toBe(succeeded.length * spend);
    expect(end.active).toBe(start.active - totalSpent);
    expect(end.active).toBeGreaterThanOrEqual(0);
    expect(end.held).toBe(0);
    await expectLedgerBalanced(t);
  });

  it("the same confirm sent 20 times at once applies once", async () => {
    await post("/v1/purchases/calculate", receipt(p, "dup-confirm", { cardNumber: p.cards.gold }));
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post("/v1/purchases/dup-confirm/confirm")),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    const entries = await t.database.db
      .selectFrom("ledger_entries as e")
      .innerJoin("purchases as p", "p.id", "e.purchase_id")
      .select(["e.kind"])
      .where("p.external_id", "=", "dup-confirm")
      .execute();
    expect(entries.map((e) => e.kind)).toEqual(["accrual"]);
    await expectLedgerBalanced(t);
  });

  it("the same refund sent 20 times at once applies once, and different refunds never exceed the purchase", async () => {
    await post("/v1/purchases/calculate", receipt(p, "dup-refund", { cardNumber: p.cards.gold }));
    await post("/v1/purchases/dup-refund/confirm");
    const same = await Promise.all(
      Array.from({ length: 20 }, () =>
        post("/v1/purchases/dup-refund/refunds", {
          refundId: "r-1",
          lines: [{ lineId: "1", quantity: 1000 }],
        }),
      ),
    );
    expect(same.every((a) => a.status === 200)).toBe(true);
    expect(new Set(same.map((a) => a.body)).size).toBe(1);
    // Line 1 has 2 units: 20 different refunds of one unit each race for the one unit left.
    const different = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post("/v1/purchases/dup-refund/refunds", {
          refundId: `r-${i + 2}`,
          lines: [{ lineId: "1", quantity: 1000 }],
        }),
      ),
    );
    expect(different.filter((a) => a.status === 200)).toHaveLength(1);
    expect(
      different
        .filter((a) => a.status !== 200)
        .every((a) => JSON.parse(a.body).code === "REFUND_QUANTITY_EXCEEDS_PURCHASED"),
    ).toBe(true);
    const refunds = await t.database.db
      .selectFrom("refunds as r")
      .innerJoin("purchases as p", "p.id", "r.purchase_id")
      .select(["r.amount", "p.total"])
      .where("p.external_id", "=", "dup-refund")
      .execute();
    expect(refunds).toHaveLength(2);
    expect(refunds.reduce((s, r) => s + r.amount, 0)).toBe(30_000);
    await expectLedgerBalanced(t);
  });

  it("concurrent calculates of one new purchase id create exactly one purchase", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post("/v1/purchases/calculate", receipt(p, "same-new"))),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Answered calculations are written behind the answer, within the event loop's next turns.
    await t.server.services.purchases.settled();
    const rows = await t.database.db
      .selectFrom("purchases")
      .select("id")
      .where("external_id", "=", "same-new")
      .execute();
    expect(rows).toHaveLength(1);
  });
});
