/**
 * Programs and rules through the admin API: terms, rules as versioned definitions with field-by-field
 * validation, versions and diffs, enabling, simulate with its reasons, calculate naming the rule versions,
 * local time per store, purchase history, and owner-only edits.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addParticipant } from "../../src/modules/programs/index.js";
import { type AdminWorld, adminCall, bearerFor, seedAdminWorld } from "../support/admin.js";
import { call, startTestApp, type TestApp, tokenFor } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
let owner: string;
let marketer: string;
let analyst: string;
let outsider: string;

beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  owner = await bearerFor(t, w.users.owner);
  marketer = await bearerFor(t, w.users.marketer);
  analyst = await bearerFor(t, w.users.analyst);
  outsider = await bearerFor(t, w.users.outsider);
});
afterAll(async () => t?.close());

const rule = (over: Record<string, unknown> = {}) => ({
  name: "Vitamins −15 %",
  description: "Every vitamin 15 % off",
  priority: 10,
  stacking: { mode: "exclusive", group: "discount", per: "line" },
  conditions: [{ type: "products", params: { set: { categories: ["vitamins"] } } }],
  effects: [{ type: "line_discount_percent", params: { percentBp: 1500 } }],
  ...over,
});

const calc = async (partner: AdminWorld["alpha"], body: Record<string, unknown>) => {
  const res = await call(t, "POST", "/v1/purchases/calculate", {
    token: partner.tokens.any,
    payload: { posCode: "POS-1", storeCode: partner.storeCodes[0], ...body },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

let seq = 0;
const id = () => `adm-${++seq}`;

describe("programs", () => {
  it("creates a program with its terms, reads and changes them; a code is unique per partner", async () => {
    const created = await adminCall(t, "POST", "/partners/alpha/programs", {
      token: marketer,
      payload: { code: "spring", name: "Spring", holdDays: 3, maxPointsPaymentShareBp: 3000 },
    });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json()).toMatchObject({
      code: "spring",
      kind: "loyalty",
      active: true,
      holdDays: 3,
      maxPointsPaymentShareBp: 3000,
      discountRounding: "half_up",
      relation: "owner",
      version: 1,
    });
    const again = await adminCall(t, "POST", "/partners/alpha/programs", {
      token: marketer,
      payload: { code: "spring", name: "Spring" },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "PROGRAM_EXISTS", details: { field: "code" } });
    const patched = await adminCall(t, "PATCH", "/partners/alpha/programs/spring", {
      token: owner,
      payload: { pointsLifetimeDays: 365, active: false },
    });
    expect(patched.json()).toMatchObject({ pointsLifetimeDays: 365, active: false, version: 2 });
    const bad = await adminCall(t, "PATCH", "/partners/alpha/programs/spring", {
      token: owner,
      payload: { maxPointsPaymentShareBp: 20_000 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.field).toBe("maxPointsPaymentShareBp");
    const read = await adminCall(t, "GET", "/partners/alpha/programs/spring", { token: analyst });
    expect(read.json()).toMatchObject({ code: "spring", pointsLifetimeDays: 365 });
  });

  it("lets a participant read a program but only its owner change it", async () => {
    await addParticipant(t.database.db, w.alpha.programId, w.beta.partnerId, t.clock.now());
    const read = await adminCall(t, "GET", "/partners/beta/programs/main/rules", { token: outsider });
    // beta owns a "main" too: its own program is the one it sees under that code.
    expect(read.statusCode).toBe(200);
    await adminCall(t, "POST", "/partners/alpha/programs", {
      token: owner,
      payload: { code: "shared", name: "Shared" },
    });
    const shared = await t.database.db
      .selectFrom("programs")
      .select("id")
      .where("code", "=", "shared")
      .executeTakeFirstOrThrow();
    await addParticipant(t.database.db, shared.id, w.beta.partnerId, t.clock.now());
    const seen = await adminCall(t, "GET", "/partners/beta/programs/shared", { token: outsider });
    expect(seen.json()).toMatchObject({ relation: "participant", ownerPartnerCode: "alpha" });
    const edit = await adminCall(t, "POST", "/partners/beta/programs/shared/rules", {
      token: outsider,
      payload: rule(),
    });
    expect(edit.statusCode).toBe(403);
    expect(edit.json()).toMatchObject({ code: "PROGRAM_NOT_OWNED", details: { field: "programCode" } });
    const foreign = await adminCall(t, "GET", "/partners/beta/programs/spring", { token: outsider });
    expect(foreign.statusCode).toBe(404);
  });
});

describe("rules", () => {
  it("refuses bad rules with every problem, each naming its field, and writes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...rule(), name: undefined }, "name"],
      [rule({ priority: "high" }), "priority"],
      [rule({ stacking: { mode: "exclusive" } }), "stacking.group"],
      [rule({ effects: [] }), "effects"],
      [
        rule({ effects: [{ type: "line_discount_percent", params: { percentBp: 0 } }] }),
        "effects[0].params.percentBp",
      ],
      [rule({ effects: [{ type: "teleport", params: {} }] }), "effects[0].type"],
      [
        rule({
          conditions: [
            { type: "purchase_history", params: { metric: "count", period: "last_days", min: 1 } },
          ],
        }),
        "conditions[0].params.days",
      ],
      [
        rule({ conditions: [{ type: "time_of_day", params: { from: "25:00", to: "10:00" } }] }),
        "conditions[0].params.from",
      ],
      [rule({ validFrom: "2026-12-01T00:00:00+03:00", validTo: "2026-11-01T00:00:00+03:00" }), "validTo"],
      [rule({ name: "bad\u0000name" }), "name"],
      [rule({ colour: "red" }), "colour"],
      [
        rule({ effects: [{ type: "cashier_message", params: { template: "Скидка {oops}" } }] }),
        "effects[0].params.template",
      ],
    ];
    const before = await t.database.db
      .selectFrom("rule_versions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    for (const [body, field] of cases) {
      const res = await adminCall(t, "POST", "/partners/alpha/programs/main/rules", {
        token: marketer,
        payload: body,
      });
      expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
      const error = res.json();
      expect(error.code, field).toBe("RULE_INVALID");
      expect(error.details.field, res.body).toBe(field);
      expect(error.details.issues[0]).toMatchObject({ field });
      expect(error.message).toContain(field);
    }
    const both = await adminCall(t, "POST", "/partners/alpha/programs/main/rules", {
      token: marketer,
      payload: { ...rule({ priority: "high" }), name: undefined },
    });
    expect(
      both
        .json()
        .details.issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(["name", "priority"]);
    const after = await t.database.db
      .selectFrom("rule_versions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("versions every change, lists versions, diffs two, and prices with the current one", async () => {
    const created = await adminCall(t, "POST", "/partners/alpha/programs/main/rules", {
      token: marketer,
      payload: rule(),
    });
    expect(created.statusCode, created.body).toBe(200);
    const ruleId = created.json().id as number;
    expect(created.json()).toMatchObject({
      version: 1,
      active: true,
      definition: { id: ruleId, program: "main" },
    });

    // Vitamin C (P2, category vitamins): 15 % wins the per-line group over the seeded 10 %.
    const first = await calc(w.alpha, {
      purchaseId: id(),
      cardNumber: w.alpha.cards.rich,
      lines: [{ lineId: "1", sku: "P2", quantity: 1000, price: 10_000 }],
    });
    expect(first.lines[0]).toMatchObject({
      discount: 1500,
      discountRuleId: ruleId,
      discounts: [{ ruleId, version: 1, amount: 1500 }],
    });
    // 5 % of what is paid with money: 85.00 → 4.25 points, named with its rule and version.
    expect(first.lines[0].accruals).toEqual([{ ruleId: 1, version: 1, amount: 425, rateBp: 500 }]);

    const updated = await adminCall(t, "PUT", `/partners/alpha/programs/main/rules/${ruleId}`, {
      token: marketer,
      payload: rule({ effects: [{ type: "line_discount_percent", params: { percentBp: 2000 } }] }),
    });
    expect(updated.json()).toMatchObject({ version: 2 });
    const same = await adminCall(t, "PUT", `/partners/alpha/programs/main/rules/${ruleId}`, {
      token: marketer,
      payload: rule({ effects: [{ type: "line_discount_percent", params: { percentBp: 2000 } }] }),
    });
    expect(same.json()).toMatchObject({ version: 2 });

    const second = await calc(w.alpha, {
      purchaseId: id(),
      lines: [{ lineId: "1", sku: "P2", quantity: 1000, price: 10_000 }],
    });
    expect(second.lines[0].discounts).toEqual([{ ruleId, version: 2, amount: 2000 }]);
    expect(second.rulesVersion).not.toBe(first.rulesVersion);

    const versions = await adminCall(t, "GET", `/partners/alpha/programs/main/rules/${ruleId}/versions`, {
      token: analyst,
    });
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const one = await adminCall(t, "GET", `/partners/alpha/programs/main/rules/${ruleId}/versions/1`, {
      token: analyst,
    });
    expect(one.json().definition.effects[0].params.percentBp).toBe(1500);
    const diff = await adminCall(t, "GET", `/partners/alpha/programs/main/rules/${ruleId}/diff?from=1&to=2`, {
      token: analyst,
    });
    expect(diff.json()).toEqual({
      ruleId,
      from: 1,
      to: 2,
      changes: [{ path: "effects[0].params.percentBp", before: 1500, after: 2000 }],
    });
    const missing = await adminCall(
      t,
      "GET",
      `/partners/alpha/programs/main/rules/${ruleId}/diff?from=1&to=9`,
      { token: analyst },
    );
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "RULE_VERSION_NOT_FOUND", details: { field: "to" } });

    const disabled = await adminCall(t, "POST", `/partners/alpha/programs/main/rules/${ruleId}/disable`, {
      token: marketer,
    });
    expect(disabled.json()).toMatchObject({ active: false, version: 2 });
    const third = await calc(w.alpha, {
      purchaseId: id(),
      lines: [{ lineId: "1", sku: "P2", quantity: 1000, price: 10_000 }],
    });
    expect(third.lines[0].discounts).toEqual([{ ruleId: 3, version: 1, amount: 1000 }]);
    const listed = await adminCall(t, "GET", "/partners/alpha/programs/main/rules?active=false", {
      token: analyst,
    });
    expect(listed.json().items.map((r: { id: number }) => r.id)).toContain(ruleId);

    const denied = await adminCall(t, "PUT", `/partners/alpha/programs/main/rules/${ruleId}`, {
      token: analyst,
      payload: rule(),
    });
    expect(denied.statusCode).toBe(403);
    const unknown = await adminCall(t, "GET", "/partners/alpha/programs/main/rules/999999", {
      token: analyst,
    });
    expect(unknown.json()).toMatchObject({ code: "RULE_NOT_FOUND", details: { field: "ruleId" } });
  });

  it("gives the condition and effect registries with their schemas", async () => {
    const res = await adminCall(t, "GET", "/partners/alpha/rule-types", { token: analyst });
    expect(res.statusCode).toBe(200);
    const types = res.json();
    expect(Object.keys(types.conditions)).toContain("purchase_history");
    expect(types.effects.line_discount_percent.params).toMatchObject({
      type: "object",
      properties: { percentBp: { type: "integer", minimum: 1 } },
    });
    expect(types.effects.n_plus_m.receiptLevel).toBe(true);
    expect(types.messagePlaceholders).toContain("toPay");
  });
});

describe("rules in the purchase flow", () => {
  it("applies a time-of-day rule in the store's own time zone", async () => {
    // 09:00 UTC is 12:00 in Moscow (store S1) and 19:00 in Vladivostok (store S2).
    const evening = await adminCall(t, "POST", "/partners/beta/programs/main/rules", {
      token: outsider,
      payload: {
        name: "Evening −5 %",
        priority: 0,
        stacking: { mode: "stackable" },
        conditions: [{ type: "time_of_day", params: { from: "18:00", to: "23:00" } }],
        effects: [{ type: "line_discount_percent", params: { percentBp: 500 } }],
      },
    });
    expect(evening.statusCode, evening.body).toBe(200);
    const lines = [{ lineId: "1", sku: "P1", quantity: 1000, price: 10_000 }];
    const moscow = await calc(w.beta, { purchaseId: id(), storeCode: w.beta.storeCodes[0], lines });
    const vladivostok = await calc(w.beta, { purchaseId: id(), storeCode: w.beta.storeCodes[1], lines });
    expect(moscow.totals.discount).toBe(0);
    expect(vladivostok.lines[0].discounts).toEqual([{ ruleId: evening.json().id, version: 1, amount: 500 }]);
  });

  it("reads the card's confirmed purchases today only when a rule needs them", async () => {
    const third = await adminCall(t, "POST", "/partners/beta/programs/main/rules", {
      token: outsider,
      payload: {
        name: "Third purchase today: 100 points",
        priority: 0,
        stacking: { mode: "stackable" },
        conditions: [{ type: "purchase_history", params: { metric: "count", period: "today", min: 2 } }],
        effects: [
          { type: "accrual_fixed", params: { points: 10_000, per: "receipt" } },
          { type: "cashier_message", params: { template: "Третья покупка за день: +{ruleAccrual}" } },
        ],
      },
    });
    expect(third.statusCode, third.body).toBe(200);
    const thirdId = third.json().id as number;
    const buy = async () => {
      const purchaseId = id();
      const view = await calc(w.beta, {
        purchaseId,
        cardNumber: w.beta.cards.poor,
        lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 10_000 }],
      });
      const confirmed = await call(t, "POST", `/v1/purchases/${purchaseId}/confirm`, {
        token: w.beta.tokens.any,
        payload: {},
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      return view;
    };
    const gave = (v: { lines: { accruals: { ruleId: number }[] }[] }) =>
      v.lines.some((l) => l.accruals.some((a) => a.ruleId === thirdId));
    expect(gave(await buy())).toBe(false);
    expect(gave(await buy())).toBe(false);
    const bonus = await buy();
    expect(gave(bonus)).toBe(true);
    expect(bonus.messages.map((m: { text: string }) => m.text)).toContain(
      "Третья покупка за день: +100 баллов",
    );
    // Tomorrow the count starts again (sessions and tokens are renewed for the new day).
    t.clock.advance(86_400_000);
    w.beta.tokens.any = await tokenFor(t, w.beta.logins.any);
    analyst = await bearerFor(t, w.users.analyst);
    marketer = await bearerFor(t, w.users.marketer);
    expect(gave(await buy())).toBe(false);
  });

  it("simulates a receipt for a card profile without saving, with the reasons rules gave nothing", async () => {
    const counts = async () =>
      Number(
        (
          await t.database.db
            .selectFrom("purchases")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await counts();
    const res = await adminCall(t, "POST", "/partners/alpha/simulate", {
      token: analyst,
      payload: {
        storeCode: w.alpha.storeCodes[0],
        profile: { level: "gold", status: "active" },
        promoCodes: ["nope"],
        lines: [
          { lineId: "1", sku: "P2", quantity: 2000, price: 10_000 },
          { lineId: "2", sku: "P1", quantity: 1000, price: 5_000 },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const sim = res.json();
    expect(await counts()).toBe(before);
    expect(sim).toMatchObject({ programCode: "main", subtotal: 25_000, discountTotal: 2_000 });
    expect(sim.lines[0].discounts).toEqual([{ ruleId: 3, version: 1, amount: 2_000 }]);
    // Gold: 10 % accrual beats 5 % in the per-line accrual group.
    expect(sim.lines[1].accruals).toEqual([{ ruleId: 2, version: 1, amount: 500, rateBp: 1000 }]);
    const skipped = new Map(
      sim.skippedRules.map((s: { ruleId: number; reason: { code: string } }) => [s.ruleId, s.reason]),
    );
    expect(skipped.get(1)).toMatchObject({ code: "LOST_IN_GROUP", winnerRuleId: 2, group: "accrual" });
    expect(skipped.get(4)).toMatchObject({ code: "PRODUCTS_MISSING" });
    expect(skipped.get(5)).toMatchObject({ code: "PROMO_CODE_ABSENT", path: "conditions[0]" });
    expect(sim.unknownPromoCodes).toEqual(["NOPE"]);
    expect(sim.messages.map((m: { code: string }) => m.code)).toContain("PROMO_CODE_UNKNOWN");

    const card = await adminCall(t, "POST", "/partners/alpha/simulate", {
      token: marketer,
      payload: {
        storeCode: w.alpha.storeCodes[0],
        cardNumber: w.alpha.cards.gold,
        at: "2026-11-20T21:00:00+03:00",
        lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 5_000 }],
      },
    });
    expect(card.json()).toMatchObject({ accrualTotal: 500, at: "2026-11-20T18:00:00.000Z" });
    const noStore = await adminCall(t, "POST", "/partners/alpha/simulate", {
      token: marketer,
      payload: { storeCode: "nowhere", lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 5_000 }] },
    });
    expect(noStore.json()).toMatchObject({ code: "STORE_NOT_FOUND", details: { field: "storeCode" } });
  });
});
