import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasValidCheckDigit, numberInRange } from "../../src/core/card-numbers.js";
import { activateDueLots } from "../../src/modules/points/index.js";
import { setRegistration } from "../support/clients.js";
import {
  call,
  expectLedgerBalanced,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
  await setRegistration(t, p.programId, { virtualCards: { prefix: "77", length: 16, checkDigit: "luhn" } });
});
afterAll(async () => t?.close());

const post = (url: string, payload?: unknown) => call(t, "POST", url, { token: p.tokens.any, payload });
const card = async (number: string) =>
  (await call(t, "GET", `/v1/cards/${number}`, { token: p.tokens.any })).json();

describe("card identification and status", () => {
  it("finds a card by number or barcode with its holder; an unknown number finds none", async () => {
    const found = await call(t, "GET", `/v1/cards?number=${p.cards.gold}`, { token: p.tokens.store });
    expect(found.json()).toEqual({
      cards: [
        {
          number: p.cards.gold,
          programCode: "main",
          status: "active",
          level: "gold",
          virtual: false,
          clientId: null,
          balance: { active: 0, pending: 0, held: 0, available: 0 },
        },
      ],
    });
    const none = await call(t, "GET", "/v1/cards?number=0000", { token: p.tokens.store });
    expect(none.json()).toEqual({ cards: [] });
  });

  it("blocks, sets accrual-only and unblocks; an unknown card is 404", async () => {
    expect((await post(`/v1/cards/${p.cards.poor}/block`)).json().status).toBe("blocked");
    const refused = await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.store,
      payload: receipt(p, "blocked-sale", { cardNumber: p.cards.poor }),
    });
    expect(refused.json().code).toBe("CARD_BLOCKED");
    expect((await post(`/v1/cards/${p.cards.poor}/accrual-only`)).json().status).toBe("accrual_only");
    expect((await post(`/v1/cards/${p.cards.poor}/unblock`)).json().status).toBe("active");
    expect((await post(`/v1/cards/${p.cards.poor}/unblock`)).json().status).toBe("active");
    const missing = await post("/v1/cards/NOPE-1/block");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("CARD_NOT_FOUND");
  });
});

describe("replacing a lost card", () => {
  it("moves balance, level and holder to a free card through the ledger; the old card is blocked", async () => {
    // History on the rich card: an opening balance, then a sale with points paid and an accrual.
    expect(
      (
        await call(t, "POST", "/v1/purchases/calculate", {
          token: p.tokens.store,
          payload: receipt(p, "r-1"),
        })
      ).statusCode,
    ).toBe(200);
    await call(t, "POST", "/v1/purchases/r-1/bonus-payment", {
      token: p.tokens.store,
      payload: { amount: 10_000 },
    });
    expect(
      (await call(t, "POST", "/v1/purchases/r-1/confirm", { token: p.tokens.store, payload: {} })).statusCode,
    ).toBe(200);
    const before = await card(p.cards.rich);
    expect(before.balance.active).toBeGreaterThan(0);

    // An open purchase holding points stops the replacement until it completes.
    await call(t, "POST", "/v1/purchases/calculate", { token: p.tokens.store, payload: receipt(p, "r-2") });
    await call(t, "POST", "/v1/purchases/r-2/bonus-payment", {
      token: p.tokens.store,
      payload: { amount: 1_000 },
    });
    const held = await post(`/v1/cards/${p.cards.rich}/replace`, { newNumber: "acme-2001" });
    expect(held.json().code).toBe("CARD_NOT_FOUND");
    await call(t, "PUT", "/v1/cards", {
      token: p.tokens.any,
      payload: { programCode: "main", items: [{ number: "acme-2001" }] },
    });
    const counts = await writeCounts(t);
    const blocked = await post(`/v1/cards/${p.cards.rich}/replace`, { newNumber: "acme-2001" });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().code).toBe("CARD_HAS_OPEN_PURCHASES");
    expect(await writeCounts(t)).toEqual(counts);
    await call(t, "POST", "/v1/purchases/r-2/cancel", { token: p.tokens.store });

    const replaced = await post(`/v1/cards/${p.cards.rich}/replace`, { newNumber: "acme-2001" });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toEqual({
      oldNumber: p.cards.rich,
      newNumber: "acme-2001",
      movedActive: before.balance.active,
      movedPending: before.balance.pending,
    });
    const oldCard = await card(p.cards.rich);
    const newCard = await card("acme-2001");
    expect(oldCard.status).toBe("blocked");
    expect(oldCard.balance).toEqual({ active: 0, pending: 0, held: 0, available: 0 });
    expect(newCard.balance).toEqual(before.balance);
    const ledger = (await call(t, "GET", "/v1/cards/acme-2001/ledger", { token: p.tokens.any })).json()
      .entries;
    expect(ledger[0]).toMatchObject({
      kind: "adjustment",
      activeDelta: before.balance.active,
      note: `moved from lost card ${p.cards.rich}`,
    });
    const oldLedger = (
      await call(t, "GET", `/v1/cards/${p.cards.rich}/ledger`, { token: p.tokens.any })
    ).json().entries;
    expect(oldLedger[0]).toMatchObject({ kind: "adjustment", activeDelta: -before.balance.active });
    await expectLedgerBalanced(t);

    // A repeated request answers the first replacement; the new card can pay with the moved points.
    const again = await post(`/v1/cards/${p.cards.rich}/replace`, { newNumber: "acme-2001" });
    expect(again.json()).toMatchObject({ newNumber: "acme-2001", movedActive: 0 });
    await call(t, "POST", "/v1/purchases/calculate", {
      token: p.tokens.store,
      payload: receipt(p, "r-3", { cardNumber: "acme-2001" }),
    });
    const pay = await call(t, "POST", "/v1/purchases/r-3/bonus-payment", {
      token: p.tokens.store,
      payload: { amount: 5_000 },
    });
    expect(pay.statusCode).toBe(200);
    await expectLedgerBalanced(t);
  });

  it("moves points and the level to a new virtual card; refuses a card with history", async () => {
    await call(t, "PUT", "/v1/cards", {
      token: p.tokens.any,
      payload: { programCode: "main", items: [{ number: "acme-3001", level: "gold", balance: 12_345 }] },
    });
    const withHistory = await post("/v1/cards/acme-3001/replace", { newNumber: "acme-2001" });
    expect(withHistory.json().code).toBe("CARD_NOT_FREE");
    const res = await post("/v1/cards/acme-3001/replace", {});
    expect(res.statusCode).toBe(200);
    const { newNumber } = res.json();
    expect(newNumber).toMatch(/^77\d{14}$/);
    expect(hasValidCheckDigit(newNumber, "luhn")).toBe(true);
    const fresh = await card(newNumber);
    expect(fresh).toMatchObject({ level: "gold", virtual: true, balance: { active: 12_345 } });
    await expectLedgerBalanced(t);
  });
});

describe("replacing a card with pending points", () => {
  it("moves the pending lot with its activation date; it activates on the new card", async () => {
    const q = await seedPartner(t, { code: "hold", program: { holdDays: 14 } });
    const qpost = (url: string, payload?: unknown) =>
      call(t, "POST", url, { token: q.tokens.store, payload });
    await qpost("/v1/purchases/calculate", receipt(q, "h-1"));
    expect((await qpost("/v1/purchases/h-1/confirm", {})).statusCode).toBe(200);
    const before = (await call(t, "GET", `/v1/cards/${q.cards.rich}`, { token: q.tokens.any })).json()
      .balance;
    expect(before.pending).toBeGreaterThan(0);
    await call(t, "PUT", "/v1/cards", {
      token: q.tokens.any,
      payload: { programCode: "main", items: [{ number: "hold-9" }] },
    });
    const res = await call(t, "POST", `/v1/cards/${q.cards.rich}/replace`, {
      token: q.tokens.any,
      payload: { newNumber: "hold-9" },
    });
    expect(res.json()).toMatchObject({ movedActive: before.active, movedPending: before.pending });
    t.clock.advance(15 * 86_400_000);
    await activateDueLots(t.database, t.clock.now(), 1000);
    const after = (
      await call(t, "GET", "/v1/cards/hold-9", { token: await tokenFor(t, q.logins.any) })
    ).json().balance;
    expect(after).toMatchObject({ active: before.active + before.pending, pending: 0 });
    await expectLedgerBalanced(t);
    p.tokens = { any: await tokenFor(t, p.logins.any), store: await tokenFor(t, p.logins.store) };
  });
});

describe("card uploads and batches", () => {
  it("PUT /v1/cards books opening balances of new cards through the ledger, never twice", async () => {
    const put = () =>
      call(t, "PUT", "/v1/cards", {
        token: p.tokens.any,
        payload: {
          programCode: "main",
          items: [{ number: "acme-4001", balance: 50_000 }, { number: "acme-4002" }],
        },
      });
    expect((await put()).json()).toEqual({ created: 2, updated: 0 });
    expect((await card("acme-4001")).balance.active).toBe(50_000);
    t.clock.advance(1);
    expect((await put()).json()).toEqual({ created: 0, updated: 2 });
    expect((await card("acme-4001")).balance.active).toBe(50_000);
    await expectLedgerBalanced(t);
  });

  it("generates an EAN-13 batch in a range and refuses an overlapping one whole", async () => {
    const generated = await t.server.services.cardDesk.generate(p.partnerId, "main", {
      range: { prefix: "460", length: 13, checkDigit: "ean13" },
      firstSerial: 100,
      count: 2500,
      virtual: false,
    });
    const range = { prefix: "460", length: 13, checkDigit: "ean13" as const };
    expect(generated).toEqual({
      count: 2500,
      first: numberInRange(range, 100),
      last: numberInRange(range, 2599),
    });
    expect(generated.first).toMatch(/^460000000100\d$/);
    expect(hasValidCheckDigit(generated.last, "ean13")).toBe(true);
    const counts = await writeCounts(t);
    await expect(
      t.server.services.cardDesk.generate(p.partnerId, "main", {
        range: { prefix: "460", length: 13, checkDigit: "ean13" },
        firstSerial: 2000,
        count: 1000,
        virtual: false,
      }),
    ).rejects.toMatchObject({ code: "CARD_RANGE_CONFLICT" });
    expect(await writeCounts(t)).toEqual(counts);
    await expect(
      t.server.services.cardDesk.generate(p.partnerId, "main", {
        range: { prefix: "46", length: 12, checkDigit: "ean13" },
        firstSerial: 0,
        count: 1,
        virtual: false,
      }),
    ).rejects.toMatchObject({ code: "CARD_RANGE_INVALID" });
    expect((await card(generated.first)).status).toBe("active");
  });

  it("issues unique virtual numbers under concurrency, even in a small range", async () => {
    await setRegistration(t, p.programId, { virtualCards: { prefix: "9", length: 4, checkDigit: "luhn" } });
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await call(t, "POST", "/v1/clients", {
        token: p.tokens.store,
        payload: { phone: `91650000${String(i).padStart(2, "0")}`, consents: { personalData: true } },
      });
      ids.push(res.json().client.id);
    }
    const results = await Promise.all(ids.map((id) => post(`/v1/clients/${id}/cards`, { virtual: true })));
    const numbers = results.map((r) => r.json().cards[0].number as string);
    expect(new Set(numbers).size).toBe(40);
    for (const n of numbers) expect(hasValidCheckDigit(n, "luhn") && n.startsWith("9")).toBe(true);
    await expectLedgerBalanced(t);
  });
});
