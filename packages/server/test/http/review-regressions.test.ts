/**
 * Points must never be lost or made up at the edges where expiry, holds, blocking and refunds meet.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credit, lockAccount } from "../../src/modules/points/index.js";
import { sweepOnce } from "../../src/modules/purchases/index.js";
import { setCardStatus } from "../support/cards.js";
import {
  call,
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
} from "../support/harness.js";

const DAY = 86_400_000;
let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp({ TOKEN_TTL_SECONDS: String(31 * 86_400) });
  // Points live 30 days; accruals are active at once.
  p = await seedPartner(t, { richBalance: 0, program: { holdDays: 0, pointsLifetimeDays: 30 } });
});
afterAll(async () => t?.close());

const post = (url: string, payload: unknown = {}) => call(t, "POST", url, { token: p.tokens.any, payload });
const balanceOf = async (card: string) =>
  (await call(t, "GET", `/v1/cards/${card}`, { token: p.tokens.any })).json().balance;

async function grant(card: string, amount: number, lifetimeDays: number | null) {
  const row = await t.database.db
    .selectFrom("cards")
    .select("id")
    .where("number", "=", card)
    .executeTakeFirstOrThrow();
  await t.database.transaction(async (trx) => {
    const account = await lockAccount(t.database, trx, row.id);
    await credit(trx, account, amount, "adjustment", lifetimeDays, { now: t.clock.now(), note: "grant" });
  });
}

describe("expiry and holds", () => {
  it("points held by an open purchase do not expire under it; the rest of the lot does", async () => {
    const card = p.cards.poor;
    await grant(card, 10_000, 1);
    // Ten minutes before the lot expires the customer pays 60.00 of it with points…
    t.clock.advance(DAY - 10 * 60_000);
    await post("/v1/purchases/calculate", receipt(p, "hold-vs-expiry", { cardNumber: card }));
    await post("/v1/purchases/hold-vs-expiry/bonus-payment", { amount: 6000 });
    // …and the lot expires while the purchase is still open.
    t.clock.advance(11 * 60_000);
    await sweepOnce(t.database, t.clock.now());
    expect(await balanceOf(card)).toMatchObject({ active: 6000, held: 6000, available: 0 });
    const confirmed = (await post("/v1/purchases/hold-vs-expiry/confirm")).json();
    expect(confirmed.receipt.spent).toBe(6000);
    expect(confirmed.receipt.balance.active).toBe(confirmed.receipt.accrued);
    await expectLedgerBalanced(t);
  });

  it("a refund after the accrual expired does not take those points a second time", async () => {
    const card = p.cards.gold;
    await grant(card, 50_000, null);
    await post("/v1/purchases/calculate", receipt(p, "expired-accrual", { cardNumber: card }));
    const sale = (await post("/v1/purchases/expired-accrual/confirm")).json();
    expect(sale.receipt.accrued).toBeGreaterThan(0);
    t.clock.advance(31 * DAY);
    await sweepOnce(t.database, t.clock.now());
    p.tokens.any = await tokenFor(t, p.logins.any);
    expect((await balanceOf(card)).active).toBe(50_000);
    const refund = (await post("/v1/purchases/expired-accrual/refunds", { refundId: "late" })).json();
    expect(refund.state).toBe("refunded");
    expect(refund.accrualReversed).toBe(0);
    expect((await balanceOf(card)).active).toBe(50_000);
    await expectLedgerBalanced(t);
  });
});

describe("refunds and cards", () => {
  it("stated points to return may not exceed the value of the goods returned", async () => {
    const card = p.cards.rich;
    await grant(card, 100_000, null);
    await post("/v1/purchases/calculate", receipt(p, "stated-cap", { cardNumber: card }));
    await post("/v1/purchases/stated-cap/bonus-payment", { amount: 40_000 });
    await post("/v1/purchases/stated-cap/confirm");
    const oneUnit = { refundId: "r1", lines: [{ lineId: "1", quantity: 1000 }] }; // 150.00 of goods
    const res = await post("/v1/purchases/stated-cap/refunds", { ...oneUnit, pointsToReturn: 15_001 });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toMatchObject({ field: "pointsToReturn" });
    expect(res.json().details.max).toBeLessThanOrEqual(15_000);
  });

  it("a card blocked between calculate and confirm spends its held points but earns nothing", async () => {
    const card = p.cards.accrualOnly;
    await setCardStatus(t, card, "active");
    await grant(card, 20_000, null);
    await post("/v1/purchases/calculate", receipt(p, "blocked-later", { cardNumber: card }));
    await post("/v1/purchases/blocked-later/bonus-payment", { amount: 5000 });
    await setCardStatus(t, card, "blocked");
    const confirmed = (await post("/v1/purchases/blocked-later/confirm")).json();
    expect(confirmed.receipt).toMatchObject({ spent: 5000, accrued: 0 });
    expect(confirmed.lines.every((l: { accrual: number }) => l.accrual === 0)).toBe(true);
    const refund = (await post("/v1/purchases/blocked-later/refunds", { refundId: "r" })).json();
    expect(refund).toMatchObject({ pointsReturned: 5000, accrualReversed: 0 });
    expect((await balanceOf(card)).active).toBe(20_000);
    await expectLedgerBalanced(t);
  });

  it("a repeated cancel answers what the first one released", async () => {
    const card = p.cards.rich;
    await post("/v1/purchases/calculate", receipt(p, "cancel-twice", { cardNumber: card }));
    await post("/v1/purchases/cancel-twice/bonus-payment", { amount: 1234 });
    const first = (await post("/v1/purchases/cancel-twice/cancel")).json();
    const again = (await post("/v1/purchases/cancel-twice/cancel")).json();
    expect(first.pointsReleased).toBe(1234);
    expect(again).toEqual(first);
  });
});
