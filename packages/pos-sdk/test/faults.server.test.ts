/**
 * The outbox under faults injected between the till and a real server: delays past the timeout, resets,
 * 502s, answers dropped after the server committed, the server stopped and started again, the POS
 * restarted, and a confirm that arrives after the purchase expired. Checked through the API: every confirm
 * lands (the purchase is confirmed), none is applied twice (one accrual, one spend in the card's ledger).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KopilkaClient } from "../src/client.js";
import { Outbox } from "../src/outbox.js";
import { type Fault, FaultProxy } from "./support/fault-proxy.js";
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
let proxy: FaultProxy;
let pos: Till;

beforeAll(async () => {
  db = await scratchDatabase();
  server = await startServer(db);
  proxy = await FaultProxy.start(server.base);
  pos = till(proxy.base, db.dir, { client: { timeouts: { confirm: 1_000 } } });
});

afterAll(async () => {
  await pos?.outbox.close();
  await proxy?.close();
  await stopAllServers();
  await db?.drop();
});

const fiscal = { fn: "7281440500123456", fd: "77", fpd: "1234567890" };

async function ledgerOf(client: KopilkaClient, card: string, purchaseId: string) {
  const { entries } = await client.cardLedger(card, 500);
  return entries
    .filter((e) => e.purchaseId === purchaseId)
    .map((e) => e.kind)
    .sort();
}

/** A priced receipt with points, in payment mode, ready for the fiscal receipt. */
async function readyToPrint(t: Till = pos) {
  const card = freshCard();
  const s = t.session("print-then-confirm", { allowMessagesToCashier: false, confirmWaitMs: 0 });
  addDemoLines(s);
  expect((await s.addCard(card)).ok).toBe(true);
  expect((await s.beforePayment()).state.mode).toBe("payment");
  expect((await s.spendPoints(10_000)).ok).toBe(true);
  return { s, card };
}

describe("the confirm after the fiscal receipt lands exactly once", () => {
  const faults: [string, Fault, number][] = [
    ["answer dropped after the server committed", { kind: "drop-answer" }, 1],
    ["connection reset before the server saw it", { kind: "reset" }, 2],
    ["502 from the gateway", { kind: "bad-gateway" }, 3],
    ["delayed past the timeout, then applied", { kind: "delay", ms: 1_500 }, 1],
    ["answer held past the timeout after the commit", { kind: "hold-answer", ms: 1_500 }, 1],
  ];

  for (const [name, fault, times] of faults) {
    it(name, async () => {
      const { s, card } = await readyToPrint();
      proxy.inject("POST", /\/confirm$/, fault, times);
      const closed = await s.afterFiscal(fiscal);
      // The receipt is closed whatever the network did: the confirm is the outbox's now.
      expect(s.state.mode).toBe("closed");
      expect(closed.item?.status).toBe("pending");
      expect(await pos.outbox.drainAll(20_000)).toBe(0);
      const item = pos.outbox.get(closed.item!.id)!;
      expect(item.status).toBe("delivered");
      expect(item.attempts).toBeGreaterThan(1);
      expect(s.delivered(item).state.delivery).toBe("confirmed");
      expect((await pos.client.purchase(s.purchaseId)).state).toBe("confirmed");
      expect(await ledgerOf(pos.client, card, s.purchaseId)).toEqual(["accrual", "spend"]);
    });
  }
});

describe("the server goes away and comes back", () => {
  it("the outbox keeps the confirms while the server is down and drains them after it is back", async () => {
    const sales = [await readyToPrint(), await readyToPrint()];
    await server.stop();
    for (const { s } of sales) {
      const r = await s.afterFiscal(fiscal);
      expect(r.state.mode).toBe("closed");
      expect(r.item?.status).toBe("pending");
    }
    await pos.outbox.drain();
    expect(pos.outbox.pendingCount()).toBeGreaterThanOrEqual(2);
    expect(pos.outbox.problems()).toEqual([]);
    server = await startServer(db);
    proxy.target = server.base;
    expect(await pos.outbox.drainAll(30_000)).toBe(0);
    for (const { s, card } of sales) {
      expect((await pos.client.purchase(s.purchaseId)).state).toBe("confirmed");
      expect(await ledgerOf(pos.client, card, s.purchaseId)).toEqual(["accrual", "spend"]);
    }
  });

  it("a restarted POS finds its pending confirm in the file and delivers it", async () => {
    const file = `${db.dir}/restart-outbox.db`;
    const before = till(proxy.base, db.dir, { outboxFile: file });
    const { s, card } = await readyToPrint(before);
    proxy.inject("POST", /\/confirm$/, { kind: "bad-gateway" }, 100);
    await s.afterFiscal(fiscal);
    await before.outbox.close();
    proxy.clear();
    // A new process: a new client, the same file.
    const after = till(proxy.base, db.dir, { outboxFile: file });
    expect(after.outbox.pendingCount()).toBe(1);
    expect(await after.outbox.drainAll(20_000)).toBe(0);
    expect((await after.client.purchase(s.purchaseId)).state).toBe("confirmed");
    expect(await ledgerOf(after.client, card, s.purchaseId)).toEqual(["accrual", "spend"]);
    // Delivering again changes nothing: the item is settled, and the server would replay anyway.
    const again = await after.client.confirm(s.purchaseId, after.outbox.list()[0]!.body as never);
    expect(again.replayed).toBe(true);
    await after.outbox.close();
  });
});

describe("late confirm and what cannot be delivered", () => {
  it("a confirm after the purchase expired lands with the printed receipt (late: true)", async () => {
    const { s, card } = await readyToPrint();
    await db.exec("UPDATE purchases SET expires_at = 1 WHERE external_id = ?", [s.purchaseId]);
    const r = await s.afterFiscal(fiscal);
    const item = await pos.outbox.settle(r.item!.id, 10_000);
    expect(item.status).toBe("delivered");
    expect((item.answer as { late: boolean }).late).toBe(true);
    expect(await ledgerOf(pos.client, card, s.purchaseId)).toEqual(["accrual", "spend"]);
  });

  it("a definitive refusal is reported as a hanging purchase with the reason, and not retried", async () => {
    const { s } = await readyToPrint();
    // The cashier's screen shows one receipt; the server has a cancel for it (another till's mistake).
    await pos.client.cancel(s.purchaseId);
    const r = await s.afterFiscal(fiscal);
    const item = await pos.outbox.settle(r.item!.id, 5_000);
    expect(item.status).toBe("failed");
    expect(item.lastError).toMatch(/^PURCHASE_STATE_CONFLICT: /);
    expect(pos.outbox.problems().map((p) => p.purchaseId)).toContain(s.purchaseId);
    expect(s.state.delivery).toBe("failed");
  });

  it("a call whose window ends is abandoned and reported", async () => {
    const { s } = await readyToPrint();
    let now = Date.now();
    const outbox = new Outbox(`${db.dir}/window.db`, pos.client, {
      baseDelayMs: 10,
      maxDelayMs: 20,
      now: () => now,
    });
    proxy.inject("POST", /\/confirm$/, { kind: "bad-gateway" }, 100);
    const item = outbox.enqueue({ kind: "confirm", purchaseId: s.purchaseId, body: { fiscal } });
    expect((await outbox.deliver(item.id)).status).toBe("pending");
    now += 25 * 3_600_000;
    const last = await outbox.deliver(item.id);
    expect(last.status).toBe("abandoned");
    expect(last.lastError).toMatch(/^HTTP_502/);
    expect(outbox.problems()).toHaveLength(1);
    proxy.clear();
    await outbox.close();
  });

  it("a cancel queued after its confirm waits for the confirm", async () => {
    const { s, card } = await readyToPrint();
    proxy.inject("POST", /\/confirm$/, { kind: "bad-gateway" }, 2);
    await s.afterFiscal(fiscal);
    const cancel = pos.outbox.enqueue({ kind: "cancel", purchaseId: s.purchaseId });
    // Asked to deliver the cancel first, the outbox sends the confirm before it.
    await pos.outbox.deliver(cancel.id);
    expect(await pos.outbox.drainAll(10_000)).toBe(0);
    expect(pos.outbox.get(cancel.id)?.status).toBe("delivered");
    expect((await pos.client.purchase(s.purchaseId)).state).toBe("cancelled");
    const kinds = await ledgerOf(pos.client, card, s.purchaseId);
    expect(kinds.filter((k) => k === "accrual")).toHaveLength(1);
    expect(kinds.filter((k) => k === "spend")).toHaveLength(1);
  });
});
