/**
 * Card levels: thresholds over a period, the till's check and apply (seed 004's two variants), the upgrade
 * at confirm (asked for, or the program's setting), refunds lowering the base, and the downgrade job
 * (idempotent, also when two sweepers run at once). Also the admin API's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewLevels } from "../../src/modules/levels/index.js";
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
import { admin, ownerToken, programPath } from "../support/promo-codes.js";

let t: TestApp;
let p: SeededPartner;
let owner: string;
let posToken: string;
/** The total of one standard receipt, kopecks. */
let total: number;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  owner = await ownerToken(t, p);
  posToken = p.tokens.any;
  const probe = await pos("/v1/purchases/calculate", receipt(p, "probe"));
  total = probe.json().totals.total;
  await pos("/v1/purchases/probe/cancel", {});
});
afterAll(async () => t?.close());

function pos(url: string, payload: unknown) {
  return call(t, "POST", url, { token: posToken, payload });
}

async function buy(id: string, card: string, confirm: Record<string, unknown> = {}) {
  const calculated = await pos("/v1/purchases/calculate", receipt(p, id, { cardNumber: card }));
  expect(calculated.statusCode, calculated.body).toBe(200);
  const confirmed = await pos(`/v1/purchases/${id}/confirm`, confirm);
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return confirmed.json();
}

async function levelOf(card: string) {
  const row = await t.database.db
    .selectFrom("cards")
    .select("level")
    .where("number", "=", card)
    .executeTakeFirstOrThrow();
  return row.level;
}

const upgrade = async (card: string, body?: unknown) => {
  const res = await pos(`/v1/cards/${card}/level-upgrade`, body ?? {});
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe("card levels", () => {
  it("the cabinet defines levels and refuses bad ones with the field at fault", async () => {
    const levels = programPath(p, "/levels");
    expect(
      (await admin(t, owner, "POST", levels, { code: "silver", name: "Серебро", threshold: total }))
        .statusCode,
    ).toBe(200);
    expect(
      (await admin(t, owner, "POST", levels, { code: "gold", name: "Золото", threshold: 3 * total }))
        .statusCode,
    ).toBe(200);
    const list = (await admin(t, owner, "GET", levels)).json();
    expect(list.items.map((l: { code: string; rank: number }) => [l.code, l.rank])).toEqual([
      ["silver", 1],
      ["gold", 2],
    ]);
    expect(list.settings).toMatchObject({
      basis: "purchase_amount",
      period: "rolling_days",
      periodDays: 365,
      downgrade: "none",
    });

    const dupCode = await admin(t, owner, "POST", levels, { code: "gold", name: "x", threshold: 7 });
    expect([dupCode.statusCode, dupCode.json().code]).toEqual([409, "LEVEL_EXISTS"]);
    const dupThreshold = await admin(t, owner, "POST", levels, {
      code: "bronze",
      name: "x",
      threshold: total,
    });
    expect([dupThreshold.statusCode, dupThreshold.json().code]).toEqual([409, "LEVEL_EXISTS"]);
    const negative = await admin(t, owner, "POST", levels, { code: "bronze", name: "x", threshold: -1 });
    expect([negative.statusCode, negative.json().details.field]).toEqual([400, "threshold"]);
    const missing = await admin(t, owner, "PATCH", `${levels}/platinum`, { threshold: 1 });
    expect([missing.statusCode, missing.json().code]).toEqual([404, "LEVEL_NOT_FOUND"]);
    const badSettings = await admin(t, owner, "PUT", programPath(p, "/levels-settings"), {
      basis: "purchase_amount",
      period: "fortnight",
      periodDays: 14,
      downgrade: "none",
      upgradeAtConfirm: false,
    });
    expect([badSettings.statusCode, badSettings.json().details.field]).toEqual([400, "period"]);
    // Only marketers and owners write (the role matrix covers every route; this is the audit side).
    const entries = await t.database.db
      .selectFrom("audit_log")
      .select(["entity_id", "action"])
      .where("entity_type", "=", "card_level")
      .orderBy("id")
      .execute();
    expect(entries).toEqual([
      { entity_id: "main/silver", action: "create" },
      { entity_id: "main/gold", action: "create" },
    ]);
  });

  it("the till checks, then applies (check-then-confirm), or upgrades at confirm when asked", async () => {
    const card = p.cards.rich;
    await buy("lv-1", card);
    expect(await levelOf(card)).toBeNull();
    const checked = await upgrade(card);
    expect(checked).toMatchObject({
      level: null,
      upgradeAvailable: true,
      upgraded: false,
      base: total,
      eligible: { code: "silver" },
      next: { code: "gold", missing: 2 * total },
      message: "Доступен переход на уровень «Серебро»",
    });
    expect(await levelOf(card)).toBeNull();
    const applied = await upgrade(card, { apply: true });
    expect(applied).toMatchObject({
      level: "silver",
      previousLevel: null,
      upgraded: true,
      message: "Карта переведена на уровень «Серебро»",
    });
    expect(await levelOf(card)).toBe("silver");
    // Applying again changes nothing.
    expect(await upgrade(card, { apply: true })).toMatchObject({
      level: "silver",
      upgraded: false,
      upgradeAvailable: false,
    });

    const second = await buy("lv-2", card, { upgradeLevel: true });
    expect(second.level).toBeUndefined();
    const third = await buy("lv-3", card, { upgradeLevel: true });
    expect(third.level).toEqual({
      from: "silver",
      to: "gold",
      name: "Золото",
      message: "Карта переведена на уровень «Золото»",
    });
    expect(await levelOf(card)).toBe("gold");
    // A replayed confirm answers the same and changes nothing more.
    const replay = await pos("/v1/purchases/lv-3/confirm", { upgradeLevel: true });
    expect(replay.json().level).toEqual(third.level);
    const changes = await t.database.db
      .selectFrom("card_level_changes")
      .select(["from_level", "to_level", "reason"])
      .orderBy("id")
      .execute();
    expect(changes).toEqual([
      { from_level: null, to_level: "silver", reason: "request" },
      { from_level: "silver", to_level: "gold", reason: "confirm" },
    ]);
  });

  it("refunds lower the base", async () => {
    const card = p.cards.rich;
    expect((await upgrade(card)).base).toBe(3 * total);
    const refunded = await pos("/v1/purchases/lv-3/refunds", { refundId: "r-1" });
    expect(refunded.statusCode, refunded.body).toBe(200);
    const after = await upgrade(card);
    expect(after.base).toBe(2 * total);
    // The till never moves a card down; the period's end does (below).
    expect(after).toMatchObject({ level: "gold", upgradeAvailable: false, eligible: { code: "silver" } });
  });

  it("the program's setting upgrades at every confirm", async () => {
    const put = await admin(t, owner, "PUT", programPath(p, "/levels-settings"), {
      basis: "purchase_amount",
      period: "calendar_year",
      periodDays: 365,
      downgrade: "period_end",
      upgradeAtConfirm: true,
    });
    expect(put.statusCode, put.body).toBe(200);
    const confirmed = await buy("lv-poor", p.cards.poor);
    expect(confirmed.level).toMatchObject({ from: null, to: "silver" });
  });

  it("downgrades at the end of a period once, however many sweepers run", async () => {
    const rich = p.cards.rich;
    // First sight of each card in this period only marks it.
    expect(await reviewLevels(t.database, t.clock.now(), 100)).toBeGreaterThan(0);
    expect(await reviewLevels(t.database, t.clock.now(), 100)).toBe(0);
    expect(await levelOf(rich)).toBe("gold");
    // 2027: the base of 2026 is two receipts (one refunded), below gold: silver. Two sweepers at once.
    t.clock.advance(50 * 86_400_000);
    const now = t.clock.now();
    const [a, b] = await Promise.all([
      reviewLevels(t.database, now, 100),
      reviewLevels(t.database, now, 100),
    ]);
    expect(a + b).toBe(3); // rich, poor and the seeded gold card, each once
    expect(await levelOf(rich)).toBe("silver");
    expect(await levelOf(p.cards.poor)).toBe("silver");
    expect(await reviewLevels(t.database, now, 100)).toBe(0);
    const downgrades = await t.database.db
      .selectFrom("card_level_changes")
      .select(["card_id", "to_level"])
      .where("reason", "=", "downgrade")
      .execute();
    expect(downgrades.length).toBe(2);
    // 2028: nothing bought in 2027.
    t.clock.advance(366 * 86_400_000);
    await reviewLevels(t.database, t.clock.now(), 100);
    expect(await levelOf(rich)).toBeNull();
    posToken = await tokenFor(t, p.logins.any);
    expect(await upgrade(rich)).toMatchObject({ level: null, base: 0, upgradeAvailable: false });
    await expectLedgerBalanced(t);
  });

  it("refuses an unknown card and bad input", async () => {
    const unknown = await pos("/v1/cards/nope/level-upgrade", {});
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "CARD_NOT_FOUND"]);
    const bad = await pos(`/v1/cards/${p.cards.rich}/level-upgrade`, { apply: "yes" });
    expect([bad.statusCode, bad.json().details.field]).toEqual([400, "apply"]);
  });
});
