/** Anti-fraud caps in tests: set them through the admin API, and shortcuts over the POS API. */
import { expect } from "vitest";
import { call, receipt, type SeededPartner, type TestApp, tokenFor } from "../support/harness.js";
import { admin, ownerToken, programPath } from "../support/promo-codes.js";

export const DAY_MS = 86_400_000;

/** Moves the clock on by whole days; the POS tokens, which would have expired, are issued again. */
export async function advanceDays(t: TestApp, p: SeededPartner, days: number): Promise<void> {
  t.clock.advance(days * DAY_MS);
  p.tokens = { any: await tokenFor(t, p.logins.any), store: await tokenFor(t, p.logins.store) };
}

export async function setCaps(t: TestApp, p: SeededPartner, antiFraud: Record<string, number | null> | null) {
  const res = await admin(t, await ownerToken(t, p), "PATCH", programPath(p), { antiFraud });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export async function calculate(
  t: TestApp,
  p: SeededPartner,
  id: string,
  extra: Record<string, unknown> = {},
  token = p.tokens.store,
) {
  const res = await call(t, "POST", "/v1/purchases/calculate", { token, payload: receipt(p, id, extra) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export function pay(t: TestApp, p: SeededPartner, id: string, amount: number, token = p.tokens.store) {
  return call(t, "POST", `/v1/purchases/${id}/bonus-payment`, { token, payload: { amount } });
}

export async function confirm(t: TestApp, p: SeededPartner, id: string, token = p.tokens.store) {
  const res = await call(t, "POST", `/v1/purchases/${id}/confirm`, { token, payload: {} });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

export function cancel(t: TestApp, p: SeededPartner, id: string, token = p.tokens.store) {
  return call(t, "POST", `/v1/purchases/${id}/cancel`, { token, payload: {} });
}

export function refund(t: TestApp, p: SeededPartner, id: string, refundId: string, token = p.tokens.store) {
  return call(t, "POST", `/v1/purchases/${id}/refunds`, { token, payload: { refundId } });
}

/** A purchase with the rich card, paid partly with points and confirmed. */
export async function sale(t: TestApp, p: SeededPartner, id: string, points = 0) {
  await calculate(t, p, id);
  if (points > 0) {
    const paid = await pay(t, p, id, points);
    expect(paid.statusCode, paid.body).toBe(200);
  }
  return confirm(t, p, id);
}

export async function hits(t: TestApp, p: SeededPartner, day: string) {
  const res = await admin(
    t,
    await ownerToken(t, p),
    "GET",
    `/admin/v1/partners/${p.code}/anti-fraud/hits?day=${day}`,
  );
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    day: string;
    items: {
      programCode: string;
      programName: string;
      programOwnerCode: string;
      partnerCode: string;
      cap: string;
      subject: string;
      cardNumber: string | null;
      login: string | null;
      hits: number;
    }[];
  };
}

/** Live usage (consumed, or reserved and not expired) per metric, summed over the partner's purchases. */
export async function liveUsage(
  t: TestApp,
  metric: string,
  state?: string,
  cardNumber?: string,
): Promise<number> {
  let q = t.database.db
    .selectFrom("anti_fraud_usage")
    .select((eb) => eb.fn.sum<string | number | null>("amount").as("n"))
    .where("metric", "=", metric);
  q = state ? q.where("state", "=", state) : q.where("state", "in", ["reserved", "consumed"]);
  if (cardNumber !== undefined) {
    const card = await t.database.db
      .selectFrom("cards")
      .select("id")
      .where("number", "=", cardNumber)
      .executeTakeFirstOrThrow();
    q = q.where("subject_kind", "=", "card").where("subject_id", "=", card.id);
  }
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n ?? 0);
}
