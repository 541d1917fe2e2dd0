/** The card answer: points expiring soon (from the lots) and the card's personal promo codes (coupons). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";
import { createCode, ownerToken } from "../support/promo-codes.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t, { program: { pointsLifetimeDays: 20 } });
});
afterAll(async () => t?.close());

const card = async (number: string) => {
  const res = await call(t, "GET", `/v1/cards/${number}`, { token: p.tokens.any });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("the card answer", () => {
  it("shows active, pending and soon-to-expire points and the personal promo codes still usable", async () => {
    const before = await card(p.cards.rich);
    expect(before.expiring).toEqual({ withinDays: 30, amount: 0, lots: [] });
    expect(before.promoCodes).toEqual([]);

    await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.any, payload: receipt(p, "exp-1") });
    const confirmed = await call(t, "POST", "/v1/purchases/exp-1/confirm", {
      token: p.tokens.any,
      payload: {},
    });
    const accrued = confirmed.json().receipt.accrued;
    expect(accrued).toBeGreaterThan(0);
    const after = await card(p.cards.rich);
    expect(after.balance.active).toBe(before.balance.active + accrued);
    expect(after.expiring.amount).toBe(accrued);
    expect(after.expiring.lots).toEqual([
      { amount: accrued, expiresAt: new Date(t.clock.now() + 20 * 86_400_000).toISOString() },
    ]);

    const owner = await ownerToken(t, p);
    await createCode(t, owner, p, {
      code: "GIFT-1",
      cardNumber: p.cards.rich,
      maxUses: 1,
      campaign: "SALE",
      description: "Скидка 20% на следующую покупку",
      validTo: new Date(t.clock.now() + 7 * 86_400_000).toISOString(),
    });
    await createCode(t, owner, p, {
      code: "GIFT-OLD",
      cardNumber: p.cards.rich,
      validTo: "2020-01-01T00:00:00Z",
    });
    await createCode(t, owner, p, { code: "GIFT-OTHER", cardNumber: p.cards.poor });
    const withCoupon = await card(p.cards.rich);
    expect(withCoupon.promoCodes).toEqual([
      {
        code: "GIFT-1",
        campaign: "SALE",
        description: "Скидка 20% на следующую покупку",
        validFrom: null,
        validTo: new Date(t.clock.now() + 7 * 86_400_000).toISOString(),
        usesLeft: 1,
      },
    ]);
    // Used: the coupon is gone from the card.
    const used = await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.any,
      payload: receipt(p, "exp-2", { promoCodes: ["gift-1"] }),
    });
    expect(used.json().promoCodes.applied).toEqual(["GIFT-1"]);
    await call(t, "POST", "/v1/purchases/exp-2/confirm", { token: p.tokens.any, payload: {} });
    expect((await card(p.cards.rich)).promoCodes).toEqual([]);
  });
});
