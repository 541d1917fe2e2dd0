/**
 * The card's purchase history as rules read it (modules/purchases/history.ts), on the database it runs on:
 * counts and net amounts of confirmed purchases per period, refunds taken off, other cards and open or
 * cancelled purchases left out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryFactSpec } from "../../src/core/rules/types.js";
import { committedCard } from "../../src/modules/cards/index.js";
import { loadHistory } from "../../src/modules/purchases/history.js";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const SPECS: HistoryFactSpec[] = [
  { key: "count:today", metric: "count", period: "today" },
  { key: "amount:today", metric: "amount", period: "today" },
  { key: "count:last_days:7", metric: "count", period: "last_days", days: 7 },
  { key: "amount:last_days:7", metric: "amount", period: "last_days", days: 7 },
  { key: "amount:calendar_month", metric: "amount", period: "calendar_month" },
];

let token: string;
const post = (path: string, payload: object) => call(t, "POST", path, { token, payload });
/** Moves the clock on; a till signs in again, since its token has a lifetime. */
async function later(ms: number): Promise<void> {
  t.clock.advance(ms);
  token = await tokenFor(t, p.logins.any);
}

async function sale(id: string, cardNumber: string): Promise<number> {
  const calculated = await post("/v1/purchases/calculate", receipt(p, id, { cardNumber }));
  expect(calculated.statusCode).toBe(200);
  const confirmed = await post(`/v1/purchases/${id}/confirm`, {});
  expect(confirmed.statusCode).toBe(200);
  return confirmed.json().totals.total as number;
}

async function historyOf(cardNumber: string): Promise<Record<string, number>> {
  const card = await committedCard(t.database, p.partnerId, cardNumber);
  return loadHistory(t.database, card!.id, SPECS, t.clock.now(), "Europe/Moscow");
}

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  token = p.tokens.any;
});
afterAll(async () => t?.close());

describe("the card's purchase history", () => {
  it("counts confirmed purchases and their amounts net of refunds, per period, for that card only", async () => {
    expect(await historyOf(p.cards.rich)).toEqual({
      "count:today": 0,
      "amount:today": 0,
      "count:last_days:7": 0,
      "amount:last_days:7": 0,
      "amount:calendar_month": 0,
    });
    // Three days ago, then today (the clock starts on 20 November at 12:00 in Moscow).
    const old = await sale("h-old", p.cards.rich);
    await later(3 * DAY);
    const first = await sale("h-1", p.cards.rich);
    const second = await sale("h-2", p.cards.rich);
    const refunded = await post("/v1/purchases/h-2/refunds", {
      refundId: "h-2-r",
      lines: [{ lineId: "1", quantity: 1000 }],
    });
    expect(refunded.statusCode).toBe(200);
    const back = refunded.json().amount as number;
    expect(back).toBeGreaterThan(0);
    // Neither an open nor a cancelled purchase, nor another card's, counts.
    await post("/v1/purchases/calculate", receipt(p, "h-open", { cardNumber: p.cards.rich }));
    await post("/v1/purchases/calculate", receipt(p, "h-cancelled", { cardNumber: p.cards.rich }));
    expect((await post("/v1/purchases/h-cancelled/cancel", {})).statusCode).toBe(200);
    await sale("h-other", p.cards.poor);

    expect(await historyOf(p.cards.rich)).toEqual({
      "count:today": 2,
      "amount:today": first + second - back,
      "count:last_days:7": 3,
      "amount:last_days:7": old + first + second - back,
      "amount:calendar_month": old + first + second - back,
    });
    // A week later only the calendar month still holds them.
    await later(7 * DAY + HOUR);
    expect(await historyOf(p.cards.rich)).toMatchObject({
      "count:today": 0,
      "count:last_days:7": 0,
      "amount:calendar_month": old + first + second - back,
    });
  });
});
