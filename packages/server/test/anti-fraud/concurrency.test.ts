/** Caps under concurrency: purchases of one card racing for the same allowance never exceed it. */
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  expectLedgerBalanced,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";
import { calculate, confirm, liveUsage, pay, setCaps } from "./support.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t, { richBalance: 1_000_000 });
});
afterAll(async () => t?.close());

it("20 concurrent purchases paying points with one card never spend more than the day cap", async () => {
  await setCaps(t, p, { maxPointsSpentPerCardPerDay: 50_000 });
  const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
  await Promise.all(ids.map((id) => calculate(t, p, id)));
  const results = await Promise.all(
    ids.map(async (id) => {
      const paid = await pay(t, p, id, 10_000);
      if (paid.statusCode !== 200) {
        expect(paid.statusCode, paid.body).toBe(422);
        expect(paid.json().code).toBe("POINTS_SPENDING_CAP_EXCEEDED");
        return false;
      }
      await confirm(t, p, id);
      return true;
    }),
  );
  expect(results.filter(Boolean)).toHaveLength(5);
  expect(await liveUsage(t, "spent", "consumed")).toBe(50_000);
  await expectLedgerBalanced(t);
});

it("20 concurrent calculations of one card never reserve more accrual than the day cap", async () => {
  const full = (await calculate(t, p, "probe", { cardNumber: p.cards.gold })).totals.accrual as number;
  await setCaps(t, p, { maxAccrualPerCardPerDay: full * 3 + 100 });
  const ids = Array.from({ length: 20 }, (_, i) => `acc-${i}`);
  const answers = await Promise.all(ids.map((id) => calculate(t, p, id, { cardNumber: p.cards.gold })));
  const total = answers.reduce((sum, a) => sum + (a.totals.accrual as number), 0);
  // The probe was calculated before the cap, so it reserved nothing: the 20 share the whole allowance.
  expect(total).toBe(full * 3 + 100);
  expect(await liveUsage(t, "accrual", undefined, p.cards.gold)).toBe(full * 3 + 100);
  await Promise.all(ids.map((id) => confirm(t, p, id)));
  expect(await liveUsage(t, "accrual", "consumed", p.cards.gold)).toBe(full * 3 + 100);
  await expectLedgerBalanced(t);
});
