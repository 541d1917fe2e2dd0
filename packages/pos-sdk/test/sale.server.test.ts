/**
 * The cashier's flow against a real server process: seed 002's order (print, then confirm) and seed 004's
 * (confirm, then print), cards that fail to load, errors that block payment, messages, back to goods,
 * points, refunds, tokens, languages, and the till offline.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KopilkaClient } from "../src/client.js";
import { OutcomeUnknownError, ServerRejectedError, ServerUnreachableError } from "../src/errors.js";
import { RefundSession } from "../src/refund-session.js";
import { FaultProxy } from "./support/fault-proxy.js";
import {
  DEMO,
  freePort,
  type ScratchDatabase,
  type ServerProcess,
  scratchDatabase,
  startServer,
  stopAllServers,
} from "./support/server.js";
import { addDemoLines, freshCard, type Till, till } from "./support/till.js";

let db: ScratchDatabase;
let server: ServerProcess;
let proxy: FaultProxy;
let direct: Till;
let faulty: Till;

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  proxy = await FaultProxy.start(server.base);
  direct = till(server.base, db.dir);
  faulty = till(proxy.base, db.dir);
});

afterAll(async () => {
  await direct?.outbox.close();
  await faulty?.outbox.close();
  await proxy?.close();
  await stopAllServers();
  await db?.drop();
});

const fiscal = { fn: "7281440500123456", fd: "1234", fpd: "2839475610" };

async function entriesOf(client: KopilkaClient, card: string, purchaseId: string) {
  const { entries } = await client.cardLedger(card, 500);
  return entries.filter((e) => e.purchaseId === purchaseId).map((e) => e.kind);
}

describe("a sale, seed 002's order: print the fiscal receipt, then confirm", () => {
  it("card, message, payment, points, fiscal receipt, confirm through the outbox", async () => {
    const card = freshCard();
    const s = direct.session();
    addDemoLines(s);
    const added = await s.addCard(card);
    expect(added.ok).toBe(true);
    expect(s.state.card?.balance.available).toBeGreaterThan(0);

    // The demo program answers a cashier message with its discount: goods mode, once.
    const first = await s.beforePayment();
    expect(first.ok).toBe(true);
    expect(first.messages.length).toBeGreaterThan(0);
    expect(s.state.mode).toBe("goods");
    const calculations = s.state.calculation;
    const second = await s.beforePayment();
    expect(second.state.mode).toBe("payment");
    expect(s.state.calculation).toBe(calculations);

    const max = s.maxPointsPayment();
    expect(max).toBeGreaterThan(0);
    const spent = await s.spendPoints(10_000);
    expect(spent.ok).toBe(true);
    expect(s.state.calculation?.totals.pointsPaid).toBe(10_000);
    expect(s.state.calculation?.lines.reduce((sum, l) => sum + l.pointsPaid, 0)).toBe(10_000);

    const closed = await s.afterFiscal(fiscal, "42");
    expect(closed.ok).toBe(true);
    expect(s.state.mode).toBe("closed");
    expect(s.state.delivery).toBe("confirmed");
    expect(closed.confirmed?.receipt.spent).toBe(10_000);

    const purchase = await direct.client.purchase(s.purchaseId);
    expect(purchase.state).toBe("confirmed");
    expect((await entriesOf(direct.client, card, s.purchaseId)).sort()).toEqual(["accrual", "spend"]);
  });

  it("a too large points payment is refused and changes nothing", async () => {
    const s = direct.session("print-then-confirm", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(freshCard());
    expect((await s.beforePayment()).state.mode).toBe("payment");
    const before = s.state;
    const r = await s.spendPoints(s.maxPointsPayment() + 100);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(["POINTS_PAYMENT_LIMIT_EXCEEDED", "INSUFFICIENT_POINTS"]).toContain(r.problem.code);
    expect(s.state.calculation).toBe(before.calculation);
    expect(s.state.mode).toBe("payment");
  });

  it("with allowMessagesToCashier=false nothing is shown and the flow goes on", async () => {
    const s = direct.session("print-then-confirm", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(freshCard());
    const r = await s.beforePayment();
    expect(r.messages).toEqual([]);
    expect(s.state.mode).toBe("payment");
  });

  it("a sale without a card never asks the server", async () => {
    const s = faulty.session();
    addDemoLines(s);
    const before = proxy.seen.length;
    expect((await s.beforePayment()).state.mode).toBe("payment");
    expect((await s.afterFiscal(fiscal)).state.mode).toBe("closed");
    expect(proxy.seen.length).toBe(before);
  });
});

describe("a sale, seed 004's order: send the sale, print only on success", () => {
  it("submits, then prints; the server has it confirmed", async () => {
    const card = freshCard();
    const s = direct.session("confirm-then-print", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(card);
    await s.beforePayment();
    await s.spendPoints(5_000);
    const submitted = await s.submit("43");
    expect(submitted.ok).toBe(true);
    expect(s.state.mode).toBe("printing");
    expect(submitted.confirmed?.receipt.balance).not.toBeNull();
    expect(s.afterPrint(fiscal).ok).toBe(true);
    expect(s.state.mode).toBe("closed");
    expect((await direct.client.purchase(s.purchaseId)).state).toBe("confirmed");
  });

  it("a failed send keeps payment mode and prints nothing; sending again succeeds once", async () => {
    const card = freshCard();
    const s = faulty.session("confirm-then-print", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(card);
    await s.beforePayment();
    proxy.inject("POST", /\/confirm$/, { kind: "bad-gateway" }, 3);
    const failed = await s.submit();
    expect(failed.ok).toBe(false);
    expect(s.state.mode).toBe("payment");
    proxy.inject("POST", /\/confirm$/, { kind: "drop-answer" }, 1);
    const again = await s.submit();
    expect(again.ok).toBe(true);
    expect(s.state.mode).toBe("printing");
    expect(await entriesOf(direct.client, card, s.purchaseId)).toEqual(["accrual"]);
  });

  it("a printer failure after the confirm cancels the purchase through the outbox", async () => {
    const s = direct.session("confirm-then-print", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(freshCard());
    await s.beforePayment();
    await s.submit();
    const purchaseId = s.purchaseId;
    const r = s.printFailed();
    expect(r.ok).toBe(true);
    expect(s.state.mode).toBe("goods");
    expect(s.purchaseId).not.toBe(purchaseId);
    const item = await direct.outbox.settle(r.item!.id, 10_000);
    expect(item.status).toBe("delivered");
    expect((await direct.client.purchase(purchaseId)).state).toBe("cancelled");
  });
});

describe("cards", () => {
  it("a card outside every group's range is not a loyalty card and is not added", async () => {
    const s = direct.session();
    const r = await s.addCard("2000000000000");
    expect(r.ok).toBe(false);
    expect(s.state.card).toBeNull();
  });

  it("a card of no group is not a loyalty card: refused without a request", async () => {
    const s = faulty.session();
    const before = proxy.seen.length;
    const r = await s.addCard("4601000000000");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.code).toBe("NOT_A_LOYALTY_CARD");
    expect(proxy.seen.length).toBe(before);
  });

  it("a card in range the server does not know: CARD_NOT_FOUND, not added", async () => {
    const s = direct.session("print-then-confirm", {
      cardGroups: [{ name: "wide", loyaltySystem: "kopilka", prefixes: ["2"] }],
    });
    const r = await s.addCard("2999999999999");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe("CARD_NOT_FOUND");
      expect(r.problem.message).toBe("Карта не найдена");
    }
    expect(s.state.card).toBeNull();
  });

  it("a blocked card is not added", async () => {
    const card = freshCard();
    await direct.client.request("card", "POST", `/v1/cards/${card}/block`);
    const s = direct.session();
    const r = await s.addCard(card);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.code).toBe("CARD_BLOCKED");
    expect(s.state.card).toBeNull();
  });
});

describe("errors before payment block payment", () => {
  it("a failed calculate blocks payment until the card is removed", async () => {
    const s = faulty.session();
    addDemoLines(s);
    await s.addCard(freshCard());
    proxy.inject("POST", /\/calculate$/, { kind: "bad-gateway" });
    const r = await s.beforePayment();
    expect(r.ok).toBe(false);
    expect(r.problem?.retryable).toBe(true);
    expect(s.state.mode).toBe("goods");
    expect(s.state.paymentBlocked).not.toBeNull();
    expect(s.removeCard().ok).toBe(true);
    expect((await s.beforePayment()).state.mode).toBe("payment");
  });

  it("a refusal (another store) blocks payment; the message is the server's", async () => {
    const s = direct.session("print-then-confirm", { storeCode: "NSK-01" });
    addDemoLines(s);
    await s.addCard(freshCard());
    const r = await s.beforePayment();
    expect(r.ok).toBe(false);
    expect(r.problem?.code).toBe("FORBIDDEN");
    expect(r.problem?.retryable).toBe(false);
    expect(s.state.paymentBlocked?.code).toBe("FORBIDDEN");
  });
});

describe("back to goods mode", () => {
  it("cancels the purchase, releases the held points, and the next calculation is a new purchase", async () => {
    const card = freshCard();
    const s = direct.session("print-then-confirm", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(card);
    await s.beforePayment();
    await s.spendPoints(20_000);
    expect((await direct.client.card(card)).balance.held).toBe(20_000);
    const first = s.purchaseId;
    const back = await s.backToGoods();
    expect(back.ok).toBe(true);
    expect(s.state.mode).toBe("goods");
    expect((await direct.client.purchase(first)).state).toBe("cancelled");
    expect((await direct.client.card(card)).balance.held).toBe(0);
    await s.beforePayment();
    expect(s.purchaseId).not.toBe(first);
    expect((await direct.client.purchase(s.purchaseId)).state).toBe("calculated");
  });

  it("a failed cancel keeps payment mode; trying again goes back", async () => {
    const s = faulty.session("print-then-confirm", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(freshCard());
    await s.beforePayment();
    proxy.inject("POST", /\/cancel$/, { kind: "reset" });
    const failed = await s.backToGoods();
    expect(failed.ok).toBe(false);
    expect(s.state.mode).toBe("payment");
    const again = await s.backToGoods();
    expect(again.ok).toBe(true);
    expect(s.state.mode).toBe("goods");
  });
});

describe("refund by the original receipt", () => {
  it("chosen lines, then the rest: points reversed, the purchase refunded", async () => {
    const card = freshCard();
    const s = direct.session("print-then-confirm", { allowMessagesToCashier: false });
    addDemoLines(s);
    await s.addCard(card);
    await s.beforePayment();
    await s.spendPoints(30_000);
    await s.afterFiscal(fiscal);
    const after = (await direct.client.card(card)).balance;

    const refund = new RefundSession(direct.client, direct.outbox);
    const lines = await refund.restore(s.purchaseId);
    expect(lines.map((l) => l.lineId)).toEqual(["1", "2"]);
    refund.choose([{ lineId: "1", quantity: 1000 }]);
    const part = await refund.afterFiscal(`${s.purchaseId}-R1`);
    expect(part.item.status).toBe("delivered");
    expect(part.view?.state).toBe("partially_refunded");
    expect(part.view?.pointsReturned).toBeGreaterThan(0);

    const rest = new RefundSession(direct.client, direct.outbox);
    expect((await rest.restore(s.purchaseId)).map((l) => [l.lineId, l.quantity])).toEqual([
      ["1", 1000],
      ["2", 1000],
    ]);
    const whole = await rest.afterFiscal(`${s.purchaseId}-R2`);
    expect(whole.view?.state).toBe("refunded");
    const balance = (await direct.client.card(card)).balance;
    // Everything paid with points came back; the accrual (pending) was taken back.
    expect(balance.active).toBe(after.active + 30_000);
    expect(balance.pending).toBe(after.pending - (s.state.calculation?.totals.accrual ?? 0));
  });
});

describe("the client", () => {
  it("renews the token on a 401 and repeats the call once", async () => {
    const client = new KopilkaClient({ baseUrl: proxy.base, login: DEMO.login, secret: DEMO.secret });
    await client.card(DEMO.card);
    const tokens = proxy.count("POST", /\/v1\/auth\/token$/);
    proxy.inject("GET", /\/v1\/cards\//, { kind: "unauthorized" });
    await client.card(DEMO.card);
    expect(proxy.count("POST", /\/v1\/auth\/token$/)).toBe(tokens + 1);
  });

  it("renews the token before it expires", async () => {
    let now = Date.now();
    const client = new KopilkaClient({
      baseUrl: proxy.base,
      login: DEMO.login,
      secret: DEMO.secret,
      now: () => now,
    });
    await client.card(DEMO.card);
    const tokens = proxy.count("POST", /\/v1\/auth\/token$/);
    now += 11 * 3_600_000;
    await client.card(DEMO.card);
    expect(proxy.count("POST", /\/v1\/auth\/token$/)).toBe(tokens);
    now += 3_600_000 - 60_000;
    await client.card(DEMO.card);
    expect(proxy.count("POST", /\/v1\/auth\/token$/)).toBe(tokens + 1);
  });

  it("wrong credentials: a typed refusal with the code", async () => {
    const client = new KopilkaClient({ baseUrl: server.base, login: DEMO.login, secret: "wrong" });
    const error = await client.card(DEMO.card).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerRejectedError);
    expect((error as ServerRejectedError).code).toBe("INVALID_CREDENTIALS");
    expect((error as ServerRejectedError).status).toBe(401);
  });

  it("messages in the configured language; code and details the same", async () => {
    const en = new KopilkaClient({
      baseUrl: server.base,
      login: DEMO.login,
      secret: DEMO.secret,
      language: "en",
    });
    const e = (await en.card("2999999999999").catch((x: unknown) => x)) as ServerRejectedError;
    expect(e.code).toBe("CARD_NOT_FOUND");
    expect(e.message).toBe("Card not found");
    const ru = (await direct.client.card("2999999999999").catch((x: unknown) => x)) as ServerRejectedError;
    expect(ru.message).toBe("Карта не найдена");
  });

  it("a validation error names the field", async () => {
    const e = (await direct.client
      .calculate({ purchaseId: "bad id!", storeCode: DEMO.store, posCode: "1", lines: [] })
      .catch((x: unknown) => x)) as ServerRejectedError;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.field).toBeDefined();
  });
});

describe("offline", () => {
  it("an unreachable server is said at once; the card is not added and the sale goes on without it", async () => {
    const port = await freePort();
    const t = till(`http://127.0.0.1:${port}`, db.dir);
    const s = t.session();
    addDemoLines(s);
    const r = await s.addCard(DEMO.card);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe("UNREACHABLE");
      expect(r.problem.retryable).toBe(true);
      expect(r.problem.message).toBe("Нет связи с сервером лояльности");
    }
    expect(t.client.offline).toBe(true);
    // Known offline: the next card lookup does not even try.
    const error = await t.client.card(DEMO.card).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerUnreachableError);
    expect((error as ServerUnreachableError).reason).toBe("OFFLINE");
    expect((await s.beforePayment()).state.mode).toBe("payment");
    expect((await s.afterFiscal(fiscal)).state.mode).toBe("closed");
    await t.outbox.close();
  });

  it("a server that does not answer: the card lookup gives up after its timeout", async () => {
    const client = new KopilkaClient({ baseUrl: proxy.base, login: DEMO.login, secret: DEMO.secret });
    await client.bearer();
    proxy.inject("GET", /\/v1\/cards\//, { kind: "delay", ms: 30_000 });
    const error = await client.card(DEMO.card).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).reason).toBe("timeout");
    expect((error as OutcomeUnknownError).timeoutMs).toBe(3_000);
    expect(client.offline).toBe(true);
    // Back online once the server answers any call.
    expect(await client.checkOnline()).toBe(true);
    expect(client.offline).toBe(false);
  });
});
