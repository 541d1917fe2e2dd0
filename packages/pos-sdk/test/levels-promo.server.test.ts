/**
 * Seed 004's till steps beyond the sale, against a real server: a promo code checked before it goes on
 * the receipt (added only when usable, with the server's reason when not), and the card's level checked,
 * then applied, or moved up by the confirm itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ScratchDatabase,
  type ServerProcess,
  scratchDatabase,
  startServer,
  stopAllServers,
} from "./support/server.js";
import { addDemoLines, freshCard, type Till, till } from "./support/till.js";

let db: ScratchDatabase;
let server: ServerProcess;
let direct: Till;
let adminToken: string;

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.base}/admin/v1${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  direct = till(server.base, db.dir);
  const login = await fetch(`${server.base}/admin/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "owner@demo.kopilka", password: "demo-password", session: "bearer" }),
  });
  adminToken = ((await login.json()) as { token: string }).token;
  const levels = "/partners/demo/programs/main/levels";
  await admin("POST", levels, { code: "base", name: "Базовый", threshold: 0 });
  await admin("POST", levels, { code: "silver", name: "Серебряный", threshold: 150_000 });
  await admin("POST", levels, { code: "gold", name: "Золотой", threshold: 10_000_000 });
  const codes = "/partners/demo/programs/main/promo-codes";
  await admin("POST", codes, { code: "SDK-VALID", maxUses: 10 });
  await admin("POST", codes, { code: "SDK-PAST", validTo: "2020-01-01T00:00:00.000Z" });
});

afterAll(async () => {
  await direct?.outbox.close();
  await stopAllServers();
  await db?.drop();
});

const fiscal = { fn: "7281440500123456", fd: "77", fpd: "2839475610" };

describe("a promo code is checked before it goes on the receipt", () => {
  it("a usable code is added; an unknown or expired one is refused with the server's reason", async () => {
    const s = direct.session();
    const unknown = await s.checkPromoCode("NO-SUCH-CODE");
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.problem.code).toBe("UNKNOWN");
    expect(!unknown.ok && unknown.problem.message).toMatch(/[А-Яа-я]/);
    const expired = await s.checkPromoCode("sdk-past");
    expect(!expired.ok && expired.check?.reason).toBe("EXPIRED");
    expect(s.state.promoCodes).toEqual([]);

    const valid = await s.checkPromoCode(" sdk-valid ");
    expect(valid.ok).toBe(true);
    expect(valid.ok && valid.check.usesLeft).toBe(10);
    expect(s.state.promoCodes).toEqual(["SDK-VALID"]);
  });

  it("with lines on the receipt the rules are asked too: a code no rule uses does not apply", async () => {
    const s = direct.session();
    addDemoLines(s);
    const answer = await s.checkPromoCode("SDK-VALID");
    expect(!answer.ok && answer.check?.reason).toBe("NOT_APPLICABLE");
    expect(s.state.promoCodes).toEqual([]);
  });
});

describe("the card's level", () => {
  async function sell(config: { upgradeLevelAtConfirm?: boolean } = {}) {
    // A fresh card at the base level (the demo makes every tenth card gold).
    let card = freshCard();
    while ((await direct.client.card(card)).level !== "base") card = freshCard();
    const s = direct.session("print-then-confirm", config);
    addDemoLines(s);
    expect((await s.addCard(card)).ok).toBe(true);
    const before = await s.levelUpgrade(false);
    expect(before.ok && before.upgrade).toMatchObject({
      level: "base",
      upgradeAvailable: false,
      upgraded: false,
    });
    expect(before.ok && before.upgrade.next).toMatchObject({ code: "silver" });
    await s.beforePayment();
    if (s.state.mode === "goods") await s.beforePayment();
    const done = await s.afterFiscal(fiscal);
    expect(done.confirmed).toBeDefined();
    return { card, session: s, confirmed: done.confirmed! };
  }

  it("is checked, then applied on request", async () => {
    const { session, confirmed } = await sell();
    expect(confirmed.level ?? null).toBeNull();
    const check = await session.levelUpgrade(false);
    expect(check.ok && check.upgrade).toMatchObject({
      level: "base",
      upgradeAvailable: true,
      upgraded: false,
      eligible: { code: "silver" },
    });
    const applied = await session.levelUpgrade(true);
    expect(applied.ok && applied.upgrade).toMatchObject({
      level: "silver",
      previousLevel: "base",
      upgraded: true,
    });
    expect((await direct.client.card(session.state.card!.number)).level).toBe("silver");
  });

  it("moves up with the confirm when the till asks for it", async () => {
    const { card, confirmed } = await sell({ upgradeLevelAtConfirm: true });
    expect(confirmed.level).toMatchObject({ from: "base", to: "silver" });
    expect((await direct.client.card(card)).level).toBe("silver");
  });

  it("needs a card on the receipt", async () => {
    const answer = await direct.session().levelUpgrade(false);
    expect(answer.ok).toBe(false);
  });
});
