/**
 * The dashboard (GET /partners/:partnerCode/dashboard): after real purchases through the POS API
 * (confirmed with and without a card, one only calculated, one refunded in part, one cancelled after
 * confirm, one hanging) and the roll-up, its figures equal what the purchases themselves say; the
 * roll-up run again, or twice at once, counts nothing twice; roles and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATS_SETTLE_MS } from "../../src/modules/stats/index.js";
import { type AdminWorld, adminCall, bearerFor, type Persona, seedAdminWorld } from "../support/admin.js";
import { hangingPurchase, registerClient } from "../support/desk.js";
import { call, receipt, startTestApp, type TestApp, tokenFor } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  posToken = w.alpha.tokens.any;
});
afterAll(async () => t?.close());

/** The test clock's day in Moscow (2026-11-20 12:00 there). */
const DAY = "2026-11-20";
const PERIOD = `from=${DAY}&to=${DAY}&timezone=Europe%2FMoscow`;

const as = async (persona: Persona, path: string) =>
  adminCall(t, "GET", path, { token: await bearerFor(t, w.users[persona]) });

/** The till's token; renewed after the clock jumps past its lifetime. */
let posToken: string;
const pos = (url: string, payload: unknown = {}) => call(t, "POST", url, { token: posToken, payload });

async function sale(id: string, extra: Record<string, unknown> = {}) {
  const calculated = await pos("/v1/purchases/calculate", receipt(w.alpha, id, extra));
  expect(calculated.statusCode, calculated.body).toBe(200);
  const confirmed = await pos(`/v1/purchases/${id}/confirm`);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}

/** Settles the events just written and rolls them up, as the background job would a moment later. */
async function rollUp() {
  t.clock.advance(STATS_SETTLE_MS);
  return t.server.services.stats.rollUp();
}

interface Expected {
  purchases: number;
  sales: number;
  discount: number;
  refunded: number;
  accrued: number;
  spent: number;
}

/** What the purchases say: confirmed and refunded ones of alpha (or of those ids), from their own rows. */
async function fromPurchases(withCard: boolean, ids?: string[]): Promise<Expected> {
  const rows = await t.database.db
    .selectFrom("purchases")
    .selectAll()
    .where("partner_id", "=", w.alpha.partnerId)
    .where("state", "in", ["confirmed", "partially_refunded", "refunded"])
    .where("card_id", withCard ? "is not" : "is", null)
    .$if(ids !== undefined, (q) => q.where("external_id", "in", ids!))
    .execute();
  const e: Expected = { purchases: 0, sales: 0, discount: 0, refunded: 0, accrued: 0, spent: 0 };
  for (const r of rows) {
    e.purchases += 1;
    e.sales += r.total - r.refunded_amount;
    // The refunded share of the discount, rounded down.
    e.discount += r.discount_total - Math.floor((r.discount_total * r.refunded_amount) / r.total);
    e.refunded += r.refunded_amount;
    e.accrued += r.points_accrued - r.accrual_reversed;
    e.spent += r.points_spent - r.points_returned;
  }
  return e;
}

describe("dashboard figures", () => {
  it("shows zeros before any purchase", async () => {
    await rollUp();
    const res = await as("owner", `/partners/alpha/dashboard?${PERIOD}`);
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view.withCard).toMatchObject({ purchases: 0, sales: 0, averageReceipt: 0 });
    expect(view.perDay).toEqual([
      { date: DAY, purchases: 0, sales: 0, purchasesWithCard: 0, salesWithCard: 0 },
    ]);
    expect(view.perHour).toHaveLength(24);
    expect(view.perHour[0]).toEqual({
      hour: 0,
      purchases: 0,
      sales: 0,
      purchasesWithCard: 0,
      salesWithCard: 0,
    });
    expect(view.topRules).toEqual([]);
    // Seeded cards: rich, poor and gold are active; blocked and accrual-only are not.
    expect(view.activeCards).toBe(3);
  });

  it("equals what the purchases say after confirm, refund, cancel and a hanging one", async () => {
    await sale("d-1");
    await sale("d-2", { cardNumber: w.alpha.cards.gold });
    await sale("d-3", { cardNumber: undefined });
    await sale("d-4", { cardNumber: undefined, storeCode: w.alpha.storeCodes[1] });
    // Only calculated: no figure.
    expect((await pos("/v1/purchases/calculate", receipt(w.alpha, "d-open"))).statusCode).toBe(200);
    // Cancelled after its confirm: taken back whole.
    await sale("d-5");
    expect((await pos("/v1/purchases/d-5/cancel")).statusCode).toBe(200);
    // Refunded in part: its amount, points and share of discount taken off.
    const refund = await pos("/v1/purchases/d-1/refunds", {
      refundId: "r-1",
      lines: [{ lineId: "3", quantity: 1000 }],
    });
    expect(refund.statusCode, refund.body).toBe(200);
    await registerClient(t, w.alpha, { name: "New Client", phone: "+79160000777" });
    // Advances the clock 31 minutes, still within the same Moscow hour's day.
    await hangingPurchase(t, w.alpha, "d-hanging");

    const rolled = await rollUp();
    expect(rolled.purchaseEvents).toBeGreaterThan(0);
    const view = (await as("owner", `/partners/alpha/dashboard?${PERIOD}`)).json();
    const card = await fromPurchases(true);
    const noCard = await fromPurchases(false);
    expect(card.purchases).toBe(2);
    expect(noCard.purchases).toBe(2);
    expect(card.refunded).toBeGreaterThan(0);
    expect(view.withCard).toEqual({
      purchases: card.purchases,
      sales: card.sales,
      discount: card.discount,
      refunds: 1,
      refunded: card.refunded,
      averageReceipt: Math.round(card.sales / card.purchases),
    });
    expect(view.withoutCard).toMatchObject({
      purchases: noCard.purchases,
      sales: noCard.sales,
      discount: noCard.discount,
      refunds: 0,
    });
    expect(view.points).toEqual({
      accrued: card.accrued + noCard.accrued,
      spent: card.spent + noCard.spent,
      expired: 0,
    });
    expect(view.points.accrued).toBeGreaterThan(0);
    expect(view.newClients).toBe(1);
    expect(view.hangingNow).toBe(1);
    // Each day and hour: the totals and their part with a card.
    const split = {
      purchases: 4,
      sales: card.sales + noCard.sales,
      purchasesWithCard: card.purchases,
      salesWithCard: card.sales,
    };
    expect(view.perDay).toEqual([{ date: DAY, ...split }]);
    const busy = view.perHour.filter((h: { purchases: number }) => h.purchases !== 0);
    expect(busy).toEqual([{ hour: 12, ...split }]);
    expect(view.updatedAt).toBe(new Date(t.clock.now()).toISOString());

    // Top rules: the discount each rule gave on the kept purchases' lines, less the refunded share.
    expect(view.topRules.length).toBeGreaterThan(0);
    const names = view.topRules.map((r: { name: string }) => r.name);
    expect(names).toContain("vitamins -10%");
    const ruleTotal = view.topRules.reduce((s: number, r: { discount: number }) => s + r.discount, 0);
    // Each rule's refunded share is rounded down on its own, so the rules may keep a kopeck or two more.
    expect(ruleTotal - (card.discount + noCard.discount)).toBeGreaterThanOrEqual(0);
    expect(ruleTotal - (card.discount + noCard.discount)).toBeLessThanOrEqual(view.topRules.length);
    const sorted = [...view.topRules].sort((a, b) => b.discount - a.discount);
    expect(view.topRules).toEqual(sorted);

    // One store: its own purchases; cards' and clients' figures belong to no store.
    const second = (
      await as("owner", `/partners/alpha/dashboard?${PERIOD}&storeCode=${w.alpha.storeCodes[1]}`)
    ).json();
    expect(second.withCard.purchases).toBe(0);
    expect(second.withoutCard.purchases).toBe(1);
    expect(second.points.expired).toBeNull();
    expect(second.newClients).toBeNull();
    expect(second.hangingNow).toBe(0);
    // The program filter: the seeded program holds every purchase.
    const main = (await as("owner", `/partners/alpha/dashboard?${PERIOD}&programCode=main`)).json();
    expect(main.withCard).toEqual(view.withCard);
    // Another day: nothing.
    const before = (await as("owner", "/partners/alpha/dashboard?from=2026-11-19&to=2026-11-19")).json();
    expect(before.withCard.purchases + before.withoutCard.purchases).toBe(0);
    // The other partner sees none of it.
    const beta = (await as("outsider", `/partners/beta/dashboard?${PERIOD}`)).json();
    expect(beta.withCard.purchases + beta.withoutCard.purchases).toBe(0);
  });

  it("counts nothing twice: a re-run takes nothing, two runs at once split the work", async () => {
    const path = `/partners/alpha/dashboard?${PERIOD}`;
    const before = (await as("owner", path)).json();
    expect(await rollUp()).toEqual({ purchaseEvents: 0, ledgerEntries: 0, clients: 0 });
    const again = (await as("owner", path)).json();
    expect({ ...again, updatedAt: null }).toEqual({ ...before, updatedAt: null });

    for (let i = 0; i < 5; i++) await sale(`d-more-${i}`);
    t.clock.advance(STATS_SETTLE_MS);
    const runs = await Promise.all([t.server.services.stats.rollUp(), t.server.services.stats.rollUp()]);
    expect(runs[0]!.purchaseEvents + runs[1]!.purchaseEvents).toBe(5);
    const after = (await as("owner", path)).json();
    expect(after.withCard.purchases).toBe(before.withCard.purchases + 5);
    const card = await fromPurchases(true);
    expect(after.withCard.sales).toBe(card.sales);
    expect(after.withCard.discount).toBe(card.discount);
  });

  it("passes over the calculations it does not count: its watermark moves past them", async () => {
    await rollUp();
    for (let i = 0; i < 3; i++)
      expect((await pos("/v1/purchases/calculate", receipt(w.alpha, `d-calc-${i}`))).statusCode).toBe(200);
    expect((await rollUp()).purchaseEvents).toBe(0);
    const position = async () =>
      (
        await t.database.db
          .selectFrom("stats_watermarks")
          .select("position")
          .where("stream", "=", "purchase_events")
          .executeTakeFirstOrThrow()
      ).position;
    const newest = async () =>
      Number(
        (
          await t.database.db
            .selectFrom("purchase_events")
            .select((eb) => eb.fn.max("id").as("id"))
            .executeTakeFirstOrThrow()
        ).id,
      );
    // Only calculations since the last run: the watermark stands on the newest of them, not before them.
    expect(Number(await position())).toBe(await newest());
    await sale("d-after-calcs");
    expect((await rollUp()).purchaseEvents).toBe(1);
    expect(Number(await position())).toBe(await newest());
  });

  it("leaves events younger than the settle time for a later run", async () => {
    await sale("d-fresh");
    const taken = await t.server.services.stats.rollUp();
    expect(taken.purchaseEvents).toBe(0);
    expect((await rollUp()).purchaseEvents).toBe(1);
  });
});

/** A day's or an hour's figures on the dashboard. */
interface Activity {
  purchases: number;
  sales: number;
  purchasesWithCard: number;
  salesWithCard: number;
}

/** What the purchases of those ids say a day or an hour should gain: all of them and those with a card. */
async function activityOf(ids: string[]): Promise<Activity> {
  const card = await fromPurchases(true, ids);
  const noCard = await fromPurchases(false, ids);
  expect(card.purchases + noCard.purchases).toBe(ids.length);
  return {
    purchases: card.purchases + noCard.purchases,
    sales: card.sales + noCard.sales,
    purchasesWithCard: card.purchases,
    salesWithCard: card.sales,
  };
}

const NONE: Activity = { purchases: 0, sales: 0, purchasesWithCard: 0, salesWithCard: 0 };

const plus = (a: Activity, b: Activity): Activity => ({
  purchases: a.purchases + b.purchases,
  sales: a.sales + b.sales,
  purchasesWithCard: a.purchasesWithCard + b.purchasesWithCard,
  salesWithCard: a.salesWithCard + b.salesWithCard,
});

const gained = (after: Activity, before: Activity): Activity => ({
  purchases: after.purchases - before.purchases,
  sales: after.sales - before.sales,
  purchasesWithCard: after.purchasesWithCard - before.purchasesWithCard,
  salesWithCard: after.salesWithCard - before.salesWithCard,
});

/** The local day and hour of an instant in Moscow, as the dashboard groups them. */
function moscow(ms: number): { date: string; hour: number } {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Moscow",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return { date: `${part("year")}-${part("month")}-${part("day")}`, hour: Number(part("hour")) };
}

describe("dashboard per day and per hour, with and without a card", () => {
  it("puts each purchase's part in its own day and hour of the day", async () => {
    const NEXT_DAY = "2026-11-21";
    const path = `/partners/alpha/dashboard?from=${DAY}&to=${NEXT_DAY}&timezone=Europe%2FMoscow`;
    await rollUp();
    const before = (await as("owner", path)).json();
    expect(before.perDay.map((d: { date: string }) => d.date)).toEqual([DAY, NEXT_DAY]);

    // An hour later: one with a card, two without; a day after that, at the same hour, one with a card.
    t.clock.advance(3_600_000);
    const firstAt = moscow(t.clock.now());
    await sale("s-card", { cardNumber: w.alpha.cards.gold });
    await sale("s-plain-1", { cardNumber: undefined });
    await sale("s-plain-2", { cardNumber: undefined, storeCode: w.alpha.storeCodes[1] });
    t.clock.advance(86_400_000);
    const nextAt = moscow(t.clock.now());
    posToken = await tokenFor(t, w.alpha.logins.any);
    await sale("s-next");
    await rollUp();
    expect(firstAt.date).toBe(DAY);
    expect(nextAt).toEqual({ date: NEXT_DAY, hour: firstAt.hour });

    const after = (await as("owner", path)).json();
    const first = await activityOf(["s-card", "s-plain-1", "s-plain-2"]);
    const next = await activityOf(["s-next"]);
    expect(first.purchasesWithCard).toBe(1);
    expect(first.salesWithCard).toBeGreaterThan(0);
    expect(first.sales).toBeGreaterThan(first.salesWithCard);
    expect(gained(after.perDay[0], before.perDay[0])).toEqual(first);
    expect(gained(after.perDay[1], before.perDay[1])).toEqual(next);
    // The hours of the day sum over both days; every other hour is as it was.
    expect(gained(after.perHour[firstAt.hour], before.perHour[firstAt.hour])).toEqual(plus(first, next));
    for (const hour of after.perHour) {
      if (hour.hour !== firstAt.hour) expect(hour).toEqual(before.perHour[hour.hour]);
    }
    // The days and the hours add up to the period's totals, with a card and without.
    for (const rows of [after.perDay, after.perHour] as Activity[][]) {
      const total = rows.reduce(plus, NONE);
      expect(total).toEqual({
        purchases: after.withCard.purchases + after.withoutCard.purchases,
        sales: after.withCard.sales + after.withoutCard.sales,
        purchasesWithCard: after.withCard.purchases,
        salesWithCard: after.withCard.sales,
      });
    }
  });
});

describe("dashboard access and input", () => {
  it("lets owners, marketers, analysts and platform admins read; operators and outsiders get 403", async () => {
    for (const persona of ["owner", "marketer", "analyst", "admin"] as const) {
      const res = await as(persona, `/partners/alpha/dashboard?${PERIOD}`);
      expect(res.statusCode, `${persona}: ${res.body}`).toBe(200);
    }
    for (const persona of ["operator", "outsider"] as const) {
      const res = await as(persona, `/partners/alpha/dashboard?${PERIOD}`);
      expect(res.statusCode, persona).toBe(403);
      expect(res.json().code).toBe("PERMISSION_DENIED");
    }
    const anonymous = await adminCall(t, "GET", `/partners/alpha/dashboard?${PERIOD}`);
    expect(anonymous.statusCode).toBe(401);
  });

  it.each([
    ["from=2026-11-31&to=2026-12-01", 400, "VALIDATION_FAILED", "from"],
    ["from=20261101&to=2026-12-01", 400, "VALIDATION_FAILED", "from"],
    ["from=2026-11-20", 400, "VALIDATION_FAILED", "to"],
    ["from=2026-11-20&to=2026-11-19", 400, "VALIDATION_FAILED", "to"],
    ["from=2024-01-01&to=2026-01-01", 400, "VALIDATION_FAILED", "to"],
    ["from=2026-11-20&to=2026-11-20&timezone=Mars%2FOlympus", 400, "VALIDATION_FAILED", "timezone"],
    ["from=2026-11-20&to=2026-11-20&storeCode=nope", 404, "STORE_NOT_FOUND", "storeCode"],
    ["from=2026-11-20&to=2026-11-20&storeCode=beta-S1", 404, "STORE_NOT_FOUND", "storeCode"],
    ["from=2026-11-20&to=2026-11-20&programCode=nope", 404, "PROGRAM_NOT_FOUND", "programCode"],
    ["from=2026-11-20&to=2026-11-20&extra=1", 400, "VALIDATION_FAILED", "extra"],
  ])("refuses %s with %i %s on %s", async (query, status, code, field) => {
    const res = await as("owner", `/partners/alpha/dashboard?${query}`);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ code, details: { field } });
  });
});
