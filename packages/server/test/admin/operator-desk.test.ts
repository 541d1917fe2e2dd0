/**
 * The operator's desk in the cabinet: clients (masking by role, exact contact search, merge, export,
 * erase), cards (balance, ledger, adjustments), registration settings, purchases (lists, tenancy,
 * hanging ones resolved by hand), bad input and partner isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrintedReceipt } from "../../src/core/printed-receipt.js";
import { addParticipant, createProgram } from "../../src/modules/programs/index.js";
import { type AdminWorld, adminCall, bearerFor, seedAdminWorld } from "../support/admin.js";
import { hangingPurchase, registerClient } from "../support/desk.js";
import {
  call,
  expectLedgerBalanced,
  receipt,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
});
afterAll(async () => t?.close());

/** A fresh session per call: hanging purchases move the clock past the sessions' idle limit. */
const as = async (persona: keyof typeof w.users, method: string, path: string, payload?: unknown) =>
  adminCall(t, method, path, {
    token: await bearerFor(t, w.users[persona]),
    ...(payload !== undefined ? { payload } : {}),
  });

async function auditCount(): Promise<number> {
  const row = await t.database.db
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function attach(clientId: number, number: string) {
  const res = await call(t, "POST", `/v1/clients/${clientId}/cards`, {
    token: w.alpha.tokens.any,
    payload: { cardNumber: number },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe("clients", () => {
  it("shows contacts in clear to operators and owners, masked to analysts; contact search is exact", async () => {
    const client = await registerClient(t, w.alpha, {
      name: "Maria Petrova",
      phone: "8 (916) 555-12-34",
      email: "Maria@Mail.RU",
    });
    for (const persona of ["operator", "owner", "admin"] as const) {
      const view = (await as(persona, "GET", `/partners/alpha/clients/${client.id}`)).json();
      expect(view, persona).toMatchObject({ phone: "+79165551234", email: "maria@mail.ru" });
    }
    const analystView = (await as("analyst", "GET", `/partners/alpha/clients/${client.id}`)).json();
    expect(analystView.phone).not.toContain("5551234");
    expect(analystView.phone).toMatch(/\*/);
    expect(analystView.email).not.toBe("maria@mail.ru");
    const analystList = (await as("analyst", "GET", "/partners/alpha/clients?q=petrova")).json();
    expect(analystList.items).toHaveLength(1);
    expect(analystList.items[0].phone).toMatch(/\*/);
    expect((await as("marketer", "GET", "/partners/alpha/clients")).statusCode).toBe(403);

    const byPhone = (
      await as("operator", "GET", `/partners/alpha/clients?phone=${encodeURIComponent("+7 916 555 12 34")}`)
    ).json();
    expect(byPhone.items.map((c: { id: number }) => c.id)).toEqual([client.id]);
    const byEmail = (await as("operator", "GET", "/partners/alpha/clients?email=MARIA%40mail.ru")).json();
    expect(byEmail.items.map((c: { id: number }) => c.id)).toEqual([client.id]);
    // A part of the number is not a phone: refused as such, never a partial match.
    const partial = await as("operator", "GET", "/partners/alpha/clients?phone=5551234");
    expect(partial.statusCode).toBe(400);
    expect(partial.json()).toMatchObject({ code: "INVALID_PHONE", details: { field: "phone" } });
    const other = (await as("operator", "GET", "/partners/alpha/clients?email=maria%40mail.com")).json();
    expect(other.items).toEqual([]);
  });

  it("merges a duplicate: the client named in the path survives, cards and their history move", async () => {
    const kept = await registerClient(t, w.alpha, { name: "Ivan", phone: "+79160000101" });
    const dup = await registerClient(t, w.alpha, { phone: "+79160000102", email: "ivan@example.ru" });
    await attach(kept.id, w.alpha.cards.gold);
    await attach(dup.id, w.alpha.cards.rich);
    const ledgerBefore = (
      await as("operator", "GET", `/partners/alpha/cards/${w.alpha.cards.rich}/ledger`)
    ).json();
    const res = await as("operator", "POST", `/partners/alpha/clients/${kept.id}/merge`, {
      duplicateId: dup.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    const merged = res.json();
    expect(merged).toMatchObject({ mergedClientId: dup.id, cardsMoved: 1 });
    expect(merged.client.cards.map((c: { number: string }) => c.number).sort()).toEqual(
      [w.alpha.cards.gold, w.alpha.cards.rich].sort(),
    );
    // The survivor takes the e-mail it lacked; the duplicate is an empty record pointing at it.
    expect(merged.client.email).toBe("ivan@example.ru");
    const gone = (await as("operator", "GET", `/partners/alpha/clients/${dup.id}`)).json();
    expect(gone).toMatchObject({ status: "merged", mergedInto: kept.id, phone: null, email: null });
    const ledgerAfter = (
      await as("operator", "GET", `/partners/alpha/cards/${w.alpha.cards.rich}/ledger`)
    ).json();
    expect(ledgerAfter).toEqual(ledgerBefore);
    const card = (await as("operator", "GET", `/partners/alpha/cards/${w.alpha.cards.rich}`)).json();
    expect(card.clientId).toBe(kept.id);
    // Merging into itself, or a client that is gone, is refused and writes nothing.
    const audits = await auditCount();
    expect(
      (
        await as("operator", "POST", `/partners/alpha/clients/${kept.id}/merge`, { duplicateId: kept.id })
      ).json(),
    ).toMatchObject({
      code: "VALIDATION_FAILED",
      details: { field: "duplicateId" },
    });
    expect(
      (
        await as("operator", "POST", `/partners/alpha/clients/${kept.id}/merge`, { duplicateId: dup.id })
      ).json().code,
    ).toBe("CLIENT_NOT_FOUND");
    expect(await auditCount()).toBe(audits);
    await expectLedgerBalanced(t);
  });

  it("exports a client's data in clear, then erases the person while the purchases stay", async () => {
    const client = await registerClient(t, w.alpha, {
      name: "Olga",
      phone: "+79160000201",
      email: "olga@example.ru",
      birthDate: "1990-04-01",
    });
    await attach(client.id, w.alpha.cards.poor);
    const pos = w.alpha.tokens.any;
    expect(
      (
        await call(t, "POST", "/v1/purchases/calculate", {
          token: pos,
          payload: receipt(w.alpha, "olga-1", { cardNumber: w.alpha.cards.poor }),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await call(t, "POST", "/v1/purchases/olga-1/confirm", { token: pos, payload: {} })).statusCode,
    ).toBe(200);

    const exported = await as("operator", "POST", `/partners/alpha/clients/${client.id}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json()).toMatchObject({
      client: { phone: "+79160000201", email: "olga@example.ru", birthDate: "1990-04-01" },
      cards: [{ number: w.alpha.cards.poor }],
    });
    expect(exported.json().cards[0].ledger.length).toBeGreaterThan(0);
    expect((await as("analyst", "POST", `/partners/alpha/clients/${client.id}/export`)).statusCode).toBe(403);

    const erased = await as("operator", "POST", `/partners/alpha/clients/${client.id}/erase`);
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json()).toMatchObject({
      status: "anonymised",
      name: null,
      phone: null,
      email: null,
      birthDate: null,
    });
    const row = await t.database.db
      .selectFrom("clients")
      .selectAll()
      .where("id", "=", client.id)
      .executeTakeFirstOrThrow();
    expect([row.phone_enc, row.phone_hash, row.email_enc, row.login_hash]).toEqual([null, null, null, null]);
    // The purchase and the card stay, still the card's.
    const purchase = (await as("operator", "GET", "/partners/alpha/purchases/olga-1")).json();
    expect(purchase).toMatchObject({ state: "confirmed", cardNumber: w.alpha.cards.poor });
    expect((await as("operator", "GET", `/partners/alpha/cards/${w.alpha.cards.poor}`)).json().clientId).toBe(
      client.id,
    );
    expect(
      (await as("operator", "GET", "/partners/alpha/clients?phone=%2B79160000201")).json().items,
    ).toEqual([]);
    // Erasing again changes nothing and writes no second entry.
    const audits = await auditCount();
    expect((await as("operator", "POST", `/partners/alpha/clients/${client.id}/erase`)).statusCode).toBe(200);
    expect(await auditCount()).toBe(audits);
    await expectLedgerBalanced(t);
  });

  it("refuses bad edits with the field at fault and writes nothing", async () => {
    const client = await registerClient(t, w.alpha, { name: "Petr", phone: "+79160000301" });
    const audits = await auditCount();
    const cases: [unknown, string, string][] = [
      [{}, "VALIDATION_FAILED", ""],
      [{ phone: "12" }, "INVALID_PHONE", "phone"],
      [{ email: "not-an-address" }, "INVALID_EMAIL", "email"],
      [{ phone: null }, "VALIDATION_FAILED", "phone"],
      [{ name: "x\u0000y" }, "VALIDATION_FAILED", "name"],
      [{ birthDate: "yesterday" }, "VALIDATION_FAILED", "birthDate"],
    ];
    for (const [payload, code, field] of cases) {
      const res = await as("operator", "PATCH", `/partners/alpha/clients/${client.id}`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code, JSON.stringify(payload)).toBe(code);
      if (field) expect(res.json().details.field).toBe(field);
    }
    const other = await registerClient(t, w.alpha, { phone: "+79160000302" });
    const taken = await as("operator", "PATCH", `/partners/alpha/clients/${other.id}`, {
      phone: "+79160000301",
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe("CLIENT_ALREADY_EXISTS");
    expect(await auditCount()).toBe(audits);
    expect((await as("operator", "GET", `/partners/alpha/clients/${client.id}`)).json()).toMatchObject({
      name: "Petr",
      phone: "+79160000301",
    });
  });
});

describe("cards and point adjustments", () => {
  const card = () => w.alpha.cards.gold;

  it("credits and debits through the ledger, idempotent by adjustment id, never taking held points", async () => {
    const path = `/partners/alpha/cards/${card()}/adjustments`;
    const start = (await as("operator", "GET", `/partners/alpha/cards/${card()}`)).json().balance;
    const credit = await as("operator", "POST", path, {
      adjustmentId: "adj-1",
      amount: 50_000,
      reason: "goodwill",
    });
    expect(credit.statusCode, credit.body).toBe(200);
    expect(credit.json()).toMatchObject({ replayed: false, balance: { active: start.active + 50_000 } });
    const counts = await writeCounts(t);
    const again = await as("operator", "POST", path, {
      adjustmentId: "adj-1",
      amount: 50_000,
      reason: "goodwill",
    });
    expect(again.json()).toMatchObject({ replayed: true, balance: { active: start.active + 50_000 } });
    expect(await writeCounts(t)).toEqual(counts);
    const reused = await as("operator", "POST", path, {
      adjustmentId: "adj-1",
      amount: 40_000,
      reason: "goodwill",
    });
    expect(reused.statusCode).toBe(409);
    expect(reused.json()).toMatchObject({ code: "ADJUSTMENT_CONFLICT", details: { field: "adjustmentId" } });

    // An open purchase holds 30,000 of the card's points: a debit may take only what is free.
    const pos = w.alpha.tokens.any;
    await call(t, "POST", "/v1/purchases/calculate", {
      token: pos,
      payload: receipt(w.alpha, "held-1", { cardNumber: card() }),
    });
    const paid = await call(t, "POST", "/v1/purchases/held-1/bonus-payment", {
      token: pos,
      payload: { amount: 30_000 },
    });
    expect(paid.statusCode, paid.body).toBe(200);
    const held = (await as("operator", "GET", `/partners/alpha/cards/${card()}`)).json().balance;
    expect(held.held).toBe(30_000);
    const before = await writeCounts(t);
    const tooMuch = await as("operator", "POST", path, {
      adjustmentId: "adj-2",
      amount: -(held.available + 1),
      reason: "correction",
    });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json()).toMatchObject({
      code: "INSUFFICIENT_POINTS",
      details: { field: "amount", available: held.available },
    });
    expect(await writeCounts(t)).toEqual(before);
    const debit = await as("operator", "POST", path, {
      adjustmentId: "adj-2",
      amount: -held.available,
      reason: "correction",
    });
    expect(debit.json()).toMatchObject({ balance: { active: 30_000, held: 30_000, available: 0 } });
    const ledger = (await as("analyst", "GET", `/partners/alpha/cards/${card()}/ledger?limit=2`)).json();
    expect(ledger.items.map((e: { activeDelta: number; note: string }) => [e.activeDelta, e.note])).toEqual([
      [-held.available, "correction"],
      [50_000, "goodwill"],
    ]);
    const page1 = (await as("analyst", "GET", `/partners/alpha/cards/${card()}/ledger?limit=1`)).json();
    const page2 = (
      await as("analyst", "GET", `/partners/alpha/cards/${card()}/ledger?limit=1&cursor=${page1.nextCursor}`)
    ).json();
    expect([...page1.items, ...page2.items]).toEqual(ledger.items);
    // The purchase can still spend what it holds.
    expect(
      (await call(t, "POST", "/v1/purchases/held-1/confirm", { token: pos, payload: {} })).statusCode,
    ).toBe(200);
    await expectLedgerBalanced(t);
  });

  it("refuses bad adjustments (400 with the field) and roles without points.adjust", async () => {
    const path = `/partners/alpha/cards/${card()}/adjustments`;
    const before = await writeCounts(t);
    const cases: [unknown, string][] = [
      [{ adjustmentId: "a", amount: 100 }, "reason"],
      [{ adjustmentId: "a", amount: 0, reason: "zero" }, "amount"],
      [{ adjustmentId: "a", amount: 1.5, reason: "half" }, "amount"],
      [{ adjustmentId: "a b", amount: 100, reason: "space" }, "adjustmentId"],
      [{ amount: 100, reason: "no id" }, "adjustmentId"],
    ];
    for (const [payload, field] of cases) {
      const res = await as("operator", "POST", path, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().details.field, JSON.stringify(payload)).toBe(field);
    }
    expect(
      (await as("analyst", "POST", path, { adjustmentId: "x", amount: 1, reason: "nope" })).statusCode,
    ).toBe(403);
    expect(
      (await as("marketer", "POST", path, { adjustmentId: "x", amount: 1, reason: "nope" })).statusCode,
    ).toBe(403);
    expect(await writeCounts(t)).toEqual(before);
  });

  it("shows the points soon to expire, and finds cards by the holder's phone", async () => {
    await t.database.db
      .updateTable("programs")
      .set({ points_lifetime_days: 60 })
      .where("id", "=", w.alpha.programId)
      .execute();
    const path = `/partners/alpha/cards/${w.alpha.cards.accrualOnly}`;
    expect(
      (
        await as("operator", "POST", `${path}/adjustments`, {
          adjustmentId: "exp-1",
          amount: 7_000,
          reason: "expiring gift",
        })
      ).statusCode,
    ).toBe(200);
    expect((await as("operator", "GET", `${path}?expiringWithinDays=30`)).json().expiringSoon.amount).toBe(0);
    expect((await as("operator", "GET", `${path}?expiringWithinDays=61`)).json().expiringSoon.amount).toBe(
      7_000,
    );
    await t.database.db
      .updateTable("programs")
      .set({ points_lifetime_days: null })
      .where("id", "=", w.alpha.programId)
      .execute();

    const holder = await registerClient(t, w.alpha, { phone: "+79160000401" });
    await attach(holder.id, w.alpha.cards.accrualOnly);
    const found = (await as("analyst", "GET", "/partners/alpha/cards?phone=89160000401")).json();
    expect(found.items.map((c: { number: string }) => c.number)).toEqual([w.alpha.cards.accrualOnly]);
    expect((await as("analyst", "GET", "/partners/alpha/cards?phone=89160000499")).json().items).toEqual([]);
    const blocked = (await as("analyst", "GET", "/partners/alpha/cards?status=blocked")).json();
    expect(blocked.items.every((c: { status: string }) => c.status === "blocked")).toBe(true);
  });

  it("blocks, replaces a lost card and generates batches within limits", async () => {
    const generated = await as("operator", "POST", "/partners/alpha/cards/generate", {
      programCode: "main",
      prefix: "2770",
      length: 13,
      checkDigit: "ean13",
      from: 0,
      count: 2,
      virtual: false,
    });
    expect(generated.statusCode, generated.body).toBe(201);
    const { first, last } = generated.json();
    const overlap = await as("operator", "POST", "/partners/alpha/cards/generate", {
      programCode: "main",
      prefix: "2770",
      length: 13,
      checkDigit: "ean13",
      from: 1,
      count: 2,
      virtual: false,
    });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().code).toBe("CARD_RANGE_CONFLICT");
    const big = await as("operator", "POST", "/partners/alpha/cards/generate", {
      programCode: "main",
      prefix: "2771",
      length: 13,
      checkDigit: "ean13",
      from: 0,
      count: 100_001,
      virtual: false,
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().details.field).toBe("count");

    expect(
      (
        await as("operator", "POST", `/partners/alpha/cards/${first}/adjustments`, {
          adjustmentId: "lost-1",
          amount: 9_900,
          reason: "opening",
        })
      ).statusCode,
    ).toBe(200);
    expect((await as("operator", "POST", `/partners/alpha/cards/${first}/block`)).json().status).toBe(
      "blocked",
    );
    const replaced = await as("operator", "POST", `/partners/alpha/cards/${first}/replace`, {
      newNumber: last,
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({
      movedActive: 9_900,
      oldCard: { status: "blocked", replacedBy: last, balance: { active: 0 } },
      newCard: { number: last, balance: { active: 9_900 } },
    });
    await expectLedgerBalanced(t);
  });
});

describe("registration settings", () => {
  it("are program configuration: marketers change them, operators read them, bad ranges are refused", async () => {
    const path = "/partners/alpha/programs/main/registration";
    expect((await as("operator", "GET", path)).json()).toMatchObject({
      programCode: "main",
      loginValue: "phone",
    });
    expect((await as("operator", "PATCH", path, { loginValue: "email" })).statusCode).toBe(403);
    const changed = await as("marketer", "PATCH", path, {
      confirmationMethod: "none",
      attachCardOnRegistration: false,
      virtualCards: { prefix: "99", length: 13, checkDigit: "ean13" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().virtualCards).toEqual({ prefix: "99", length: 13, checkDigit: "ean13" });
    const audits = await auditCount();
    const bad = await as("marketer", "PATCH", path, {
      virtualCards: { prefix: "99", length: 12, checkDigit: "ean13" },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: "CARD_RANGE_INVALID", details: { field: "virtualCards" } });
    expect((await as("marketer", "PATCH", path, { loginValue: "fax" })).json().details.field).toBe(
      "loginValue",
    );
    expect(await auditCount()).toBe(audits);
    const pos = await call(t, "GET", "/v1/settings", { token: w.alpha.tokens.any });
    expect(pos.json().virtualCards).toEqual({ prefix: "99", length: 13, checkDigit: "ean13" });
    expect(
      (await as("marketer", "PATCH", "/partners/alpha/programs/nope/registration", { loginValue: "email" }))
        .statusCode,
    ).toBe(404);
  });
});

describe("purchases", () => {
  it("resolves a hanging purchase by confirming it with the receipt its till printed", async () => {
    const printed: PrintedReceipt = await hangingPurchase(t, w.alpha, "hang-confirm", 20_000);
    const hanging = (await as("analyst", "GET", "/partners/alpha/purchases/hanging")).json();
    expect(hanging.items.map((h: { purchaseId: string }) => h.purchaseId)).toContain("hang-confirm");
    const balanceBefore = (await as("operator", "GET", `/partners/alpha/cards/${w.alpha.cards.rich}`)).json()
      .balance;
    const path = "/partners/alpha/purchases/hang-confirm/resolve";

    const before = await writeCounts(t);
    const wrong = structuredClone(printed);
    wrong.lines[1]!.discount += 1;
    const mismatch = await as("operator", "POST", path, {
      action: "confirm",
      reason: "fiscal document",
      receipt: wrong,
    });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json()).toMatchObject({
      code: "RESOLUTION_RECEIPT_MISMATCH",
      details: { field: "receipt.lines[1].discount" },
    });
    expect((await as("operator", "POST", path, { action: "confirm", reason: "no receipt" })).statusCode).toBe(
      400,
    );
    expect((await as("analyst", "POST", path, { action: "cancel", reason: "read only" })).statusCode).toBe(
      403,
    );
    expect(await writeCounts(t)).toEqual(before);

    const resolved = await as("operator", "POST", path, {
      action: "confirm",
      reason: "fiscal document",
      receipt: printed,
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json()).toMatchObject({
      state: "confirmed",
      changed: true,
      pointsSpent: printed.pointsSpent,
      pointsAccrued: printed.pointsAccrued,
      balance: { active: balanceBefore.active - printed.pointsSpent + printed.pointsAccrued },
    });
    const detail = (await as("operator", "GET", "/partners/alpha/purchases/hang-confirm")).json();
    expect(detail.state).toBe("confirmed");
    expect(detail.lines[0].discount).toBe(printed.lines[0]!.discount);
    expect(detail.history.at(-1)).toMatchObject({
      kind: "resolved",
      data: { action: "confirm", reason: "fiscal document" },
    });
    const again = await as("operator", "POST", path, {
      action: "confirm",
      reason: "fiscal document",
      receipt: printed,
    });
    expect(again.json()).toMatchObject({ state: "confirmed", changed: false });
    const other = await as("operator", "POST", path, { action: "cancel", reason: "changed my mind" });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("PURCHASE_STATE_CONFLICT");
    // The till's retried confirm replays its answer and shows where the purchase stands now.
    const retry = await call(t, "POST", "/v1/purchases/hang-confirm/confirm", {
      token: w.alpha.tokens.any,
      payload: { receipt: printed },
    });
    expect(retry.json()).toMatchObject({ state: "hanging", current: { state: "confirmed" } });
    await expectLedgerBalanced(t);
  });

  it("resolves a hanging purchase by cancelling it; a till's cancel then replays", async () => {
    await hangingPurchase(t, w.alpha, "hang-cancel");
    const counts = await writeCounts(t);
    const res = await as("operator", "POST", "/partners/alpha/purchases/hang-cancel/resolve", {
      action: "cancel",
      reason: "the sale was voided",
    });
    expect(res.json()).toMatchObject({ state: "cancelled", changed: true, pointsSpent: 0 });
    const after = await writeCounts(t);
    expect([after.ledger_entries, after.points_lots]).toEqual([counts.ledger_entries, counts.points_lots]);
    const cancel = await call(t, "POST", "/v1/purchases/hang-cancel/cancel", {
      token: w.alpha.tokens.any,
      payload: {},
    });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.headers["idempotent-replayed"]).toBe("true");
    const notHanging = await as("operator", "POST", "/partners/alpha/purchases/held-1/resolve", {
      action: "cancel",
      reason: "not hanging",
    });
    expect(notHanging.json().code).toBe("PURCHASE_STATE_CONFLICT");
    await expectLedgerBalanced(t);
  });

  it("lists purchases with filters in keyset pages", async () => {
    const all = (await as("analyst", "GET", "/partners/alpha/purchases?limit=200")).json().items;
    expect(all.length).toBeGreaterThanOrEqual(4);
    const byState = (await as("analyst", "GET", "/partners/alpha/purchases?state=cancelled")).json().items;
    expect(byState.map((p: { purchaseId: string }) => p.purchaseId)).toContain("hang-cancel");
    expect(byState.every((p: { state: string }) => p.state === "cancelled")).toBe(true);
    const byCard = (
      await as("analyst", "GET", `/partners/alpha/purchases?cardNumber=${w.alpha.cards.poor}`)
    ).json().items;
    expect(byCard.map((p: { purchaseId: string }) => p.purchaseId)).toEqual(["olga-1"]);
    const byStore = (
      await as("analyst", "GET", `/partners/alpha/purchases?storeCode=${w.alpha.storeCodes[1]}`)
    ).json().items;
    expect(byStore).toEqual([]);
    const first = (await as("analyst", "GET", "/partners/alpha/purchases?limit=2&sort=createdAt")).json();
    const second = (
      await as(
        "analyst",
        "GET",
        `/partners/alpha/purchases?limit=2&sort=createdAt&cursor=${first.nextCursor}`,
      )
    ).json();
    const ascending = [...all].reverse().map((p: { purchaseId: string }) => p.purchaseId);
    expect([...first.items, ...second.items].map((p: { purchaseId: string }) => p.purchaseId)).toEqual(
      ascending.slice(0, 4),
    );
    const future = encodeURIComponent(new Date(t.clock.now() + 86_400_000).toISOString());
    expect((await as("analyst", "GET", `/partners/alpha/purchases?from=${future}`)).json().items).toEqual([]);
    expect((await as("analyst", "GET", "/partners/alpha/purchases?state=lost")).json().details.field).toBe(
      "state",
    );
    const cardPurchases = (
      await as("analyst", "GET", `/partners/alpha/cards/${w.alpha.cards.poor}/purchases`)
    ).json();
    expect(cardPurchases.items.map((p: { purchaseId: string }) => p.purchaseId)).toEqual(["olga-1"]);
  });

  it("shows a program's owner every purchase under it, a participant only its own stores'", async () => {
    const now = t.clock.now();
    const maker = await seedPartner(t, { code: "maker" });
    const chain = await seedPartner(t, { code: "chain" });
    const programId = await createProgram(
      t.database.db,
      maker.partnerId,
      { code: "rx-promo", name: "Rx promo", kind: "discount" },
      now,
    );
    await addParticipant(t.database.db, programId, chain.partnerId, now);
    await addParticipant(t.database.db, programId, w.beta.partnerId, now);
    const res = await call(t, "POST", "/v1/purchases/calculate", {
      token: chain.tokens.any,
      payload: receipt(chain, "chain-rx-1"),
    });
    expect(res.statusCode).toBe(200);
    // As if the shared program had priced it (pricing by offered programs is the rule engine's part).
    await t.database.db
      .updateTable("purchases")
      .set({ program_id: programId })
      .where("external_id", "=", "chain-rx-1")
      .execute();
    const { makeUser } = await import("../support/admin.js");
    const makerOwner = await makeUser(t, "owner@maker.test", { partnerId: maker.partnerId, role: "analyst" });
    const chainOwner = await makeUser(t, "owner@chain.test", { partnerId: chain.partnerId, role: "analyst" });
    const ofMaker = (
      await adminCall(t, "GET", "/partners/maker/purchases", { token: await bearerFor(t, makerOwner) })
    ).json().items;
    expect(
      ofMaker.map((p: { purchaseId: string; partnerCode: string }) => [p.purchaseId, p.partnerCode]),
    ).toEqual([["chain-rx-1", "chain"]]);
    const ofChain = (
      await adminCall(t, "GET", "/partners/chain/purchases", { token: await bearerFor(t, chainOwner) })
    ).json().items;
    expect(ofChain.map((p: { purchaseId: string }) => p.purchaseId)).toEqual(["chain-rx-1"]);
    // beta participates too, but sees nothing of chain's stores.
    const ofBeta = (await as("outsider", "GET", "/partners/beta/purchases?programCode=rx-promo")).json()
      .items;
    expect(ofBeta).toEqual([]);
    const detail = await adminCall(t, "GET", "/partners/maker/purchases/chain-rx-1?partner=chain", {
      token: await bearerFor(t, makerOwner),
    });
    expect(detail.statusCode, detail.body).toBe(200);
    expect(detail.json()).toMatchObject({ purchaseId: "chain-rx-1", refunds: [] });
    expect(
      (await as("outsider", "GET", "/partners/beta/purchases/chain-rx-1?partner=chain")).statusCode,
    ).toBe(404);
    // The owner reads, but resolves nothing of another partner's stores.
    const resolve = await adminCall(t, "POST", "/partners/maker/purchases/chain-rx-1/resolve", {
      token: await bearerFor(
        t,
        await makeUser(t, "op@maker.test", { partnerId: maker.partnerId, role: "operator" }),
      ),
      payload: { action: "cancel", reason: "not mine" },
    });
    expect(resolve.statusCode).toBe(404);
  });
});

describe("partner isolation", () => {
  it("never shows or changes another partner's clients, cards or purchases", async () => {
    const betaClient = await registerClient(t, w.beta, { name: "Beta person", phone: "+79160000901" });
    const counts = await writeCounts(t);
    const audits = await auditCount();
    expect((await as("operator", "GET", `/partners/alpha/clients/${betaClient.id}`)).statusCode).toBe(404);
    expect((await as("operator", "POST", `/partners/alpha/clients/${betaClient.id}/erase`)).statusCode).toBe(
      404,
    );
    expect((await as("operator", "GET", `/partners/alpha/cards/${w.beta.cards.rich}`)).statusCode).toBe(404);
    const adj = await as("operator", "POST", `/partners/alpha/cards/${w.beta.cards.rich}/adjustments`, {
      adjustmentId: "iso-1",
      amount: 100,
      reason: "not mine",
    });
    expect(adj.json().code).toBe("CARD_NOT_FOUND");
    expect(
      (await as("operator", "POST", `/partners/alpha/cards/${w.beta.cards.rich}/block`)).statusCode,
    ).toBe(404);
    expect(
      (await as("operator", "GET", "/partners/alpha/clients?phone=%2B79160000901")).json().items,
    ).toEqual([]);
    expect((await as("operator", "GET", "/partners/beta/clients")).statusCode).toBe(403);
    expect((await as("outsider", "GET", "/partners/alpha/cards")).statusCode).toBe(403);
    expect((await as("outsider", "GET", "/partners/beta/purchases/olga-1")).statusCode).toBe(404);
    expect(await writeCounts(t)).toEqual(counts);
    expect(await auditCount()).toBe(audits);
  });
});
