/**
 * Under any concurrency a code with N uses is used at most N times: 50 tills calculate and confirm at once
 * with a 10-use code, over real sockets, on whichever database the suite runs on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";
import { codeRow, createCode, ownerToken, useStates } from "../support/promo-codes.js";

let t: TestApp;
let p: SeededPartner;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  const owner = await ownerToken(t, p);
  // The seeded program's rule "promo SALE -20%" is switched on by this code's campaign.
  await createCode(t, owner, p, { code: "RUSH10", maxUses: 10, campaign: "SALE" });
  await createCode(t, owner, p, { code: "ONE", maxUses: 1, campaign: "SALE" });
  base = await t.server.app.listen({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => t?.close());

interface Answer {
  promoCodes: { applied: string[]; refused?: { code: string; reason: string }[] };
  totals: { discount: number };
}

async function post(path: string, payload: unknown = {}) {
  const res = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${p.tokens.any}`, "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe("promo code limits under concurrency", () => {
  it("50 concurrent purchases with a 10-use code: exactly 10 use it, the rest are told it is exhausted", async () => {
    const plain = await post("/v1/purchases/calculate", receipt(p, "plain"));
    const ids = Array.from({ length: 50 }, (_, i) => `rush-${i}`);
    const outcomes = await Promise.all(
      ids.map(async (id) => {
        const calculated = await post("/v1/purchases/calculate", receipt(p, id, { promoCodes: ["rush10"] }));
        expect(calculated.status, JSON.stringify(calculated.body)).toBe(200);
        const confirmed = await post(`/v1/purchases/${id}/confirm`);
        expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
        return calculated.body;
      }),
    );
    const applied = outcomes.filter((o) => o.promoCodes.applied.includes("RUSH10"));
    const refused = outcomes.filter((o) => !o.promoCodes.applied.includes("RUSH10"));
    expect(applied.length).toBe(10);
    for (const o of refused) {
      expect(o.promoCodes.refused).toMatchObject([{ code: "RUSH10", reason: "EXHAUSTED" }]);
      expect(o.totals.discount).toBe(plain.body.totals.discount);
    }
    for (const o of applied) expect(o.totals.discount).toBeGreaterThan(plain.body.totals.discount);
    expect(await codeRow(t, "RUSH10")).toEqual({ uses_reserved: 0, uses_consumed: 10 });
    expect(await useStates(t, "RUSH10")).toEqual({ consumed: 10 });
    await expectLedgerBalanced(t);
  });

  it("a confirm sent ten times at once consumes the code once", async () => {
    const calculated = await post("/v1/purchases/calculate", receipt(p, "once-1", { promoCodes: ["ONE"] }));
    expect(calculated.body.promoCodes.applied).toEqual(["ONE"]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => post("/v1/purchases/once-1/confirm")));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await codeRow(t, "ONE")).toEqual({ uses_reserved: 0, uses_consumed: 1 });
    const second = await post("/v1/purchases/calculate", receipt(p, "once-2", { promoCodes: ["ONE"] }));
    expect(second.body.promoCodes.refused).toMatchObject([{ code: "ONE", reason: "EXHAUSTED" }]);
  });
});
