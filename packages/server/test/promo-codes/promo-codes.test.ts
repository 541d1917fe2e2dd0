/**
 * Promo codes through the admin API and the till: create, batch (CSV), list, get, disable, the check
 * with its reasons, and the reservation lifecycle through calculate, confirm, cancel and expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepOnce } from "../../src/modules/purchases/index.js";
import {
  call,
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";
import { admin, codeRow, createCode, ownerToken, programPath, useStates } from "../support/promo-codes.js";

let t: TestApp;
let p: SeededPartner;
let owner: string;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  owner = await ownerToken(t, p);
});
afterAll(async () => t?.close());

const pos = (url: string, payload: unknown) => call(t, "POST", url, { token: p.tokens.any, payload });
const check = async (body: Record<string, unknown>) => {
  const res = await pos("/v1/promo-codes/check", body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("promo codes in the cabinet", () => {
  it("creates a code stored normalized, refuses a duplicate, gets and lists it", async () => {
    const view = await createCode(t, owner, p, { code: "  welcome10 ", maxUses: 5, description: "Привет" });
    expect(view).toMatchObject({
      code: "WELCOME10",
      maxUses: 5,
      usesLeft: 5,
      disabled: false,
      batchCode: null,
    });
    const again = await admin(t, owner, "POST", programPath(p, "/promo-codes"), { code: "WELCOME10" });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("PROMO_CODE_EXISTS");
    const got = await admin(t, owner, "GET", programPath(p, "/promo-codes/WELCOME10"));
    expect(got.json()).toMatchObject({ code: "WELCOME10", uses: [] });
    const listed = await admin(t, owner, "GET", programPath(p, "/promo-codes?q=welc"));
    expect(listed.json().items.map((i: { code: string }) => i.code)).toEqual(["WELCOME10"]);
  });

  it("refuses bad input with the field at fault and writes nothing", async () => {
    const before = await t.database.db
      .selectFrom("promo_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const cases: [Record<string, unknown>, string][] = [
      [{ code: "bad code!" }, "code"],
      [{ code: "X1", maxUses: 0 }, "maxUses"],
      [{ code: "X1", validFrom: "2026-02-01T00:00:00Z", validTo: "2026-01-01T00:00:00Z" }, "validTo"],
      [{ code: "X1", maxUses: 1, maxUsesPerCard: 2 }, "maxUsesPerCard"],
      [{ code: "X1", cardNumber: "no-such-card" }, "cardNumber"],
      [{ code: "X1", surprise: 1 }, "surprise"],
    ];
    for (const [body, field] of cases) {
      const res = await admin(t, owner, "POST", programPath(p, "/promo-codes"), body);
      expect(res.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().details.field, JSON.stringify(body)).toBe(field);
    }
    const batch = await admin(t, owner, "POST", programPath(p, "/promo-code-batches"), {
      code: "b",
      size: 100_001,
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json().details.field).toBe("size");
    const unknownProgram = await admin(
      t,
      owner,
      "POST",
      `/admin/v1/partners/${p.code}/programs/nope/promo-codes`,
      {
        code: "X1",
      },
    );
    expect(unknownProgram.statusCode).toBe(404);
    const after = await t.database.db
      .selectFrom("promo_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("generates 100,000 unique codes in one batch, replays the same request, streams them as CSV", async () => {
    const body = { code: "autumn", size: 100_000, prefix: "AU", length: 8, validTo: "2027-01-01T00:00:00Z" };
    const started = Date.now();
    const res = await admin(t, owner, "POST", programPath(p, "/promo-code-batches"), body);
    const took = Date.now() - started;
    expect(res.statusCode, res.body).toBe(200);
    const batch = res.json();
    expect(batch).toMatchObject({
      code: "autumn",
      size: 100_000,
      prefix: "AU",
      length: 8,
      maxUses: 1,
      replayed: false,
    });
    console.info(
      `100,000 promo codes: generated and stored in ${batch.generatedInMs} ms (request ${took} ms)`,
    );
    const replay = await admin(t, owner, "POST", programPath(p, "/promo-code-batches"), body);
    expect(replay.json()).toMatchObject({ code: "autumn", replayed: true });
    const conflict = await admin(t, owner, "POST", programPath(p, "/promo-code-batches"), {
      ...body,
      size: 10,
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe("PROMO_BATCH_EXISTS");

    const csv = await admin(t, owner, "GET", programPath(p, "/promo-code-batches/autumn/codes.csv"));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    const lines = csv.body.trim().split("\n");
    expect(lines[0]).toBe("code,valid_from,valid_to,max_uses,uses_consumed,disabled");
    const codes = lines.slice(1).map((l) => l.split(",")[0]!);
    expect(codes.length).toBe(100_000);
    expect(new Set(codes).size).toBe(100_000);
    for (const c of codes.slice(0, 1000)) expect(c).toMatch(/^AU[2-9A-HJKMNP-Z]{8}$/);

    const page = await admin(
      t,
      owner,
      "GET",
      programPath(p, "/promo-codes?batch=autumn&limit=100&sort=code"),
    );
    const first = page.json();
    expect(first.items.length).toBe(100);
    const next = await admin(
      t,
      owner,
      "GET",
      programPath(p, `/promo-codes?batch=autumn&limit=100&sort=code&cursor=${first.nextCursor}`),
    );
    expect(next.json().items[0].code > first.items.at(-1).code).toBe(true);
    const found = await admin(t, owner, "GET", programPath(p, `/promo-codes?q=${codes[42]!.toLowerCase()}`));
    expect(found.json().items.map((i: { code: string }) => i.code)).toEqual([codes[42]]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_type", "=", "promo_code_batch")
      .execute();
    expect(audit.length).toBe(1);
    expect(JSON.parse(audit[0]!.after!).size).toBe(100_000);

    const missing = await admin(t, owner, "GET", programPath(p, "/promo-code-batches/nope/codes.csv"));
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("PROMO_BATCH_NOT_FOUND");
  }, 120_000);
});

describe("the till's check", () => {
  it("says why a code cannot be used, in Russian", async () => {
    await createCode(t, owner, p, { code: "LATER", validFrom: "2030-01-01T00:00:00Z" });
    await createCode(t, owner, p, { code: "OLD", validTo: "2020-01-01T00:00:00Z" });
    await createCode(t, owner, p, { code: "ONCE", maxUses: 1, maxUsesPerCard: 1 });
    await createCode(t, owner, p, { code: "MINE", cardNumber: p.cards.gold, maxUses: 1 });
    await createCode(t, owner, p, { code: "OFF" });
    await admin(t, owner, "POST", programPath(p, "/promo-codes/OFF/disable"));

    expect(await check({ code: "nothing" })).toMatchObject({
      valid: false,
      reason: "UNKNOWN",
      message: "Промокод NOTHING не найден",
    });
    expect(await check({ code: "later" })).toMatchObject({
      valid: false,
      reason: "NOT_YET_VALID",
      message: "Промокод LATER действует с 01.01.2030",
    });
    expect(await check({ code: "old" })).toMatchObject({ valid: false, reason: "EXPIRED" });
    expect(await check({ code: "off" })).toMatchObject({ valid: false, reason: "DISABLED" });
    expect(await check({ code: "once" })).toMatchObject({ valid: false, reason: "CARD_REQUIRED" });
    expect(await check({ code: "once", cardNumber: p.cards.rich })).toMatchObject({
      valid: true,
      reason: "VALID",
      usesLeft: 1,
    });
    expect(await check({ code: "mine", cardNumber: p.cards.rich })).toMatchObject({
      valid: false,
      reason: "WRONG_CARD",
    });
    expect(await check({ code: "mine", cardNumber: p.cards.gold })).toMatchObject({
      valid: true,
      personal: true,
    });

    const other = await seedPartner(t, { code: "other" });
    const otherOwner = await ownerToken(t, other);
    const alt = await t.database.db
      .insertInto("programs")
      .values({
        partner_id: p.partnerId,
        code: "second",
        name: "Second",
        kind: "loyalty",
        active: 1,
        hold_days: 0,
        cancel_window_minutes: 30,
        purchase_ttl_seconds: 1800,
        max_points_payment_share_bp: 0,
        points_lifetime_days: null,
        version: 1,
        created_at: t.clock.now(),
        updated_at: t.clock.now(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto("promo_codes")
      .values({
        partner_id: p.partnerId,
        program_id: alt.id,
        batch_id: null,
        code: "ELSEWHERE",
        campaign: null,
        max_uses: null,
        max_uses_per_card: null,
        valid_from: null,
        valid_to: null,
        card_id: null,
        description: null,
        disabled_at: null,
        created_at: t.clock.now(),
        updated_at: t.clock.now(),
      })
      .execute();
    expect(await check({ code: "elsewhere", cardNumber: p.cards.rich })).toMatchObject({
      reason: "WRONG_PROGRAM",
    });
    // Another partner's code is unknown here.
    await createCode(t, otherOwner, other, { code: "THEIRS" });
    expect(await check({ code: "theirs" })).toMatchObject({ reason: "UNKNOWN" });

    const unknownCard = await pos("/v1/promo-codes/check", { code: "ONCE", cardNumber: "nope" });
    expect(unknownCard.statusCode).toBe(404);
    expect(unknownCard.json().details.field).toBe("cardNumber");
    const bad = await pos("/v1/promo-codes/check", { code: "" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.field).toBe("code");
  });

  it("with a receipt, tells a code no rule applies to", async () => {
    await createCode(t, owner, p, { code: "SALE", maxUses: 1000 });
    await createCode(t, owner, p, { code: "NORULE" });
    const lines = receipt(p, "x").lines;
    const storeCode = p.storeCodes[0];
    expect(await check({ code: "sale", receipt: { storeCode, lines } })).toMatchObject({ valid: true });
    expect(await check({ code: "norule", receipt: { storeCode, lines } })).toMatchObject({
      valid: false,
      reason: "NOT_APPLICABLE",
    });
  });
});

describe("reservations", () => {
  it("calculate reserves, recalculation keeps one reservation, confirm consumes once, cancel gives it back", async () => {
    await createCode(t, owner, p, { code: "TEN", maxUses: 10, campaign: "SALE" });
    const first = await pos("/v1/purchases/calculate", receipt(p, "promo-1", { promoCodes: ["ten"] }));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().promoCodes.applied).toEqual(["TEN"]);
    expect(first.json().totals.discount).toBeGreaterThan(0);
    expect(await codeRow(t, "TEN")).toEqual({ uses_reserved: 1, uses_consumed: 0 });
    await pos("/v1/purchases/calculate", receipt(p, "promo-1", { promoCodes: ["TEN"] }));
    expect(await codeRow(t, "TEN")).toEqual({ uses_reserved: 1, uses_consumed: 0 });
    // Recalculated without the code: its reservation is released.
    const without = await pos("/v1/purchases/calculate", receipt(p, "promo-1"));
    expect(without.json().promoCodes.applied).toEqual([]);
    expect(await codeRow(t, "TEN")).toEqual({ uses_reserved: 0, uses_consumed: 0 });
    await pos("/v1/purchases/calculate", receipt(p, "promo-1", { promoCodes: ["TEN"] }));
    const confirms = await Promise.all([1, 2, 3].map(() => pos("/v1/purchases/promo-1/confirm", {})));
    expect(confirms.map((c) => c.statusCode)).toEqual([200, 200, 200]);
    expect(await codeRow(t, "TEN")).toEqual({ uses_reserved: 0, uses_consumed: 1 });
    expect(await useStates(t, "TEN")).toEqual({ consumed: 1, released: 1 });
    const detail = await admin(t, owner, "GET", programPath(p, "/promo-codes/TEN"));
    expect(detail.json().uses[0]).toMatchObject({
      purchaseId: "promo-1",
      cardNumber: p.cards.rich,
      state: "consumed",
    });
    await pos("/v1/purchases/promo-1/cancel", {});
    expect(await codeRow(t, "TEN")).toEqual({ uses_reserved: 0, uses_consumed: 0 });
    await expectLedgerBalanced(t);
  });

  it("a per-card limit refuses the second purchase of the same card and lets another card use it", async () => {
    await createCode(t, owner, p, { code: "PERCARD", maxUsesPerCard: 1, campaign: "SALE" });
    const a = await pos("/v1/purchases/calculate", receipt(p, "pc-1", { promoCodes: ["PERCARD"] }));
    expect(a.json().promoCodes.applied).toEqual(["PERCARD"]);
    await pos("/v1/purchases/pc-1/confirm", {});
    const b = await pos("/v1/purchases/calculate", receipt(p, "pc-2", { promoCodes: ["PERCARD"] }));
    expect(b.json().promoCodes.refused).toMatchObject([{ code: "PERCARD", reason: "USED_BY_CARD" }]);
    const c = await pos(
      "/v1/purchases/calculate",
      receipt(p, "pc-3", { promoCodes: ["PERCARD"], cardNumber: p.cards.gold }),
    );
    expect(c.json().promoCodes.applied).toEqual(["PERCARD"]);
  });

  it("cancel before confirm and expiry release the reservation", async () => {
    await createCode(t, owner, p, { code: "TWO", maxUses: 2, campaign: "SALE" });
    await pos("/v1/purchases/calculate", receipt(p, "promo-c", { promoCodes: ["TWO"] }));
    await pos("/v1/purchases/calculate", receipt(p, "promo-e", { promoCodes: ["TWO"] }));
    expect(await codeRow(t, "TWO")).toEqual({ uses_reserved: 2, uses_consumed: 0 });
    const third = await pos("/v1/purchases/calculate", receipt(p, "promo-x", { promoCodes: ["TWO"] }));
    expect(third.statusCode).toBe(200);
    expect(third.json().promoCodes).toMatchObject({
      applied: [],
      refused: [{ code: "TWO", reason: "EXHAUSTED" }],
    });
    expect(third.json().totals.discount).toBe(
      (await pos("/v1/purchases/calculate", receipt(p, "promo-none"))).json().totals.discount,
    );
    expect(third.json().messages).toContainEqual({
      code: "PROMO_CODE_EXHAUSTED",
      text: "Промокод TWO уже использован: лимит применений исчерпан",
    });
    await pos("/v1/purchases/promo-c/cancel", {});
    expect(await codeRow(t, "TWO")).toEqual({ uses_reserved: 1, uses_consumed: 0 });
    t.clock.advance(3600_000);
    await sweepOnce(t.database, t.clock.now());
    expect(await codeRow(t, "TWO")).toEqual({ uses_reserved: 0, uses_consumed: 0 });
    expect(await useStates(t, "TWO")).toEqual({ released: 2 });
  });
});
