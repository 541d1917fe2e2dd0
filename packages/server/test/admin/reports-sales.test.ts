/**
 * The chain's own reports: sales and discounts by day, store and rule, and points movement. Their totals
 * are checked against the confirmed purchases as the purchases list answers them and against the ledger;
 * Excel read back with exceljs (a sheet per section, number formats, frozen header, totals row), CSV, the
 * store filter, bad input and the role matrix of reports.read.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminWorld, adminCall, bearerFor, PERSONAS, seedAdminWorld } from "../support/admin.js";
import { receipt, startTestApp, type TestApp } from "../support/harness.js";
import { principalFor } from "../support/services.js";

let t: TestApp;
let w: AdminWorld;
let analyst: string;
/** The test clock starts on 2026-11-20 09:00 UTC; the purchases span that day and the next. */
const FROM = "2026-11-20";
const TO = "2026-11-21";
const SOLD = new Set(["confirmed", "partially_refunded", "refunded"]);

type Row = Record<string, string | number | null>;
interface Table {
  name: string;
  columns: { key: string; kind: string }[];
  rows: Row[];
  totals: Row | null;
}

beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  const { alpha } = w;
  const pos = await principalFor(t, alpha, "any");
  const { purchases } = t.server.services;
  // Day one: a sale with the rich card paid partly with points, one without a card, one in the second store.
  await purchases.calculate(pos, receipt(alpha, "s-1"));
  await purchases.bonusPayment(pos, "s-1", 20_000);
  await purchases.confirm(pos, "s-1", {});
  t.clock.advance(60_000);
  await purchases.calculate(pos, receipt(alpha, "s-2", { cardNumber: undefined }));
  await purchases.confirm(pos, "s-2", {});
  t.clock.advance(60_000);
  await purchases.calculate(
    pos,
    receipt(alpha, "s-3", { storeCode: alpha.storeCodes[1], promoCodes: ["SALE"] }),
  );
  await purchases.confirm(pos, "s-3", {});
  // Not sales: a cancelled purchase and one only calculated.
  await purchases.calculate(pos, receipt(alpha, "x-1"));
  await purchases.confirm(pos, "x-1", {});
  await purchases.cancel(pos, "x-1");
  await purchases.calculate(pos, receipt(alpha, "x-2"));
  // Day two: a sale refunded in part, and a manual adjustment through the cabinet.
  t.clock.advance(86_400_000);
  await purchases.calculate(pos, receipt(alpha, "s-4", { cardNumber: alpha.cards.poor }));
  await purchases.confirm(pos, "s-4", {});
  await purchases.refund(pos, "s-4", { refundId: "r-1", lines: [{ lineId: "1", quantity: 1000 }] });
  analyst = await bearerFor(t, w.users.analyst);
  const owner = await bearerFor(t, w.users.owner);
  const adjusted = await adminCall(t, "POST", `/partners/alpha/cards/${alpha.cards.poor}/adjustments`, {
    token: owner,
    payload: { adjustmentId: "adj-1", amount: 1_250, reason: "goodwill for a late delivery" },
  });
  expect(adjusted.statusCode, adjusted.body).toBe(200);
});
afterAll(async () => t?.close());

const path = (kind: string, query = `from=${FROM}&to=${TO}`) => `/partners/alpha/reports/${kind}?${query}`;

async function report(kind: string, query?: string) {
  const res = await adminCall(t, "GET", path(kind, query), { token: analyst });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { kind: string; title: string; tables: Table[] };
}

const tableOf = (r: { tables: Table[] }, name: string) => {
  const table = r.tables.find((x) => x.name === name);
  if (!table) throw new Error(`no table ${name}`);
  return table;
};

/** The sold purchases of the period as the purchases list answers them (every page). */
async function soldFromList(storeCode?: string) {
  const items: Row[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({
      from: "2026-11-19T21:00:00.000Z",
      to: "2026-11-21T21:00:00.000Z",
      limit: "2",
      ...(storeCode ? { storeCode } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const res = await adminCall(t, "GET", `/partners/alpha/purchases?${q}`, { token: analyst });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: Row[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items.filter((p) => SOLD.has(String(p.state)));
}

const total = (rows: Row[], key: string) => rows.reduce((acc, r) => acc + Number(r[key] ?? 0), 0);

describe("sales and discounts", () => {
  it("totals each section to the confirmed purchases of the period", async () => {
    const r = await report("sales");
    expect(r.title).toBe("Продажи и скидки");
    expect(r.tables.map((x) => x.name)).toEqual(["days", "stores", "rules"]);
    const sold = await soldFromList();
    expect(sold.map((p) => p.purchaseId).sort()).toEqual(["s-1", "s-2", "s-3", "s-4"]);
    const expected = {
      purchases: sold.length,
      withCard: sold.filter((p) => p.cardNumber !== null).length,
      subtotal: total(sold, "subtotal"),
      discount: total(sold, "discount"),
      total: total(sold, "total"),
      refunded: total(sold, "refundedAmount"),
      pointsSpent: total(sold, "pointsSpent"),
      pointsAccrued: total(sold, "pointsAccrued"),
    };
    expect(expected.discount).toBeGreaterThan(0);
    expect(expected.pointsSpent).toBe(20_000);
    expect(expected.refunded).toBeGreaterThan(0);
    expect(expected.withCard).toBe(3);
    const days = tableOf(r, "days");
    expect(days.rows.map((d) => d.date)).toEqual([FROM, TO]);
    expect(days.totals).toMatchObject({ date: "Итого", ...expected });
    expect(days.rows[0]).toMatchObject({ purchases: 3 });
    const stores = tableOf(r, "stores");
    expect(stores.totals).toMatchObject({ storeCode: "Итого", ...expected });
    for (const code of w.alpha.storeCodes) {
      const ofStore = await soldFromList(code);
      expect(stores.rows.find((s) => s.storeCode === code)).toMatchObject({
        purchases: ofStore.length,
        total: total(ofStore, "total"),
        discount: total(ofStore, "discount"),
      });
    }
    // Every discount on these receipts came from a rule, so the rules' discount adds up to the same.
    const rules = tableOf(r, "rules");
    expect(rules.totals?.discount).toBe(expected.discount);
    const names = rules.rows.map((x) => x.ruleName);
    expect(names).toEqual(expect.arrayContaining(["accrual 5%", "vitamins -10%", "promo SALE -20%"]));
    expect(rules.rows.find((x) => x.ruleName === "promo SALE -20%")?.discount).toBeGreaterThan(0);
    expect(rules.rows.every((x) => x.program === "main")).toBe(true);
  });

  it("keeps to one store when asked", async () => {
    const [, second] = w.alpha.storeCodes;
    const r = await report("sales", `from=${FROM}&to=${TO}&storeCode=${second}`);
    const ofStore = await soldFromList(second);
    expect(tableOf(r, "stores").rows.map((s) => s.storeCode)).toEqual([second]);
    expect(tableOf(r, "days").totals).toMatchObject({ purchases: 1, total: total(ofStore, "total") });
  });

  it("downloads as Excel: a sheet per section, rubles and points as formatted numbers, frozen header, totals", async () => {
    const json = await report("sales");
    const res = await adminCall(t, "GET", path("sales", `from=${FROM}&to=${TO}&format=xlsx`), {
      token: analyst,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-disposition"]).toContain(`alpha-sales-${FROM}-${TO}.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as never);
    expect(book.worksheets.map((s) => s.name)).toEqual(["По дням", "По магазинам", "По правилам"]);
    const sheet = book.getWorksheet("По дням")!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    expect(sheet.getRow(2).values).toContain("Скидка");
    const header = (sheet.getRow(2).values as unknown[]).slice(1);
    const last = sheet.getRow(sheet.rowCount);
    expect(last.font?.bold).toBe(true);
    expect(last.getCell(1).value).toBe("Итого");
    const totals = tableOf(json, "days").totals!;
    const at = (title: string) => last.getCell(header.indexOf(title) + 1);
    expect(at("Скидка").value).toBe(Number(totals.discount) / 100);
    expect(at("Сумма после скидки").value).toBe(Number(totals.total) / 100);
    expect(at("Списано баллов").value).toBe(Number(totals.pointsSpent) / 100);
    expect(at("Покупок").value).toBe(totals.purchases);
    expect(at("Скидка").numFmt).toBe("#,##0.00");
    expect(at("Покупок").numFmt).toBe("0");
  });

  it("downloads one section as CSV with exact decimals", async () => {
    const json = await report("sales");
    const res = await adminCall(t, "GET", path("sales", `from=${FROM}&to=${TO}&format=csv&table=stores`), {
      token: analyst,
    });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .replace(/^\ufeff/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "Код магазина;Адрес;Покупок;С картой;Сумма до скидки;Скидка;Сумма после скидки;Возвращено;Списано баллов;Начислено баллов",
    );
    const totals = tableOf(json, "stores").totals!;
    const money = (k: number) => `${Math.trunc(k / 100)}.${String(k % 100).padStart(2, "0")}`;
    expect(lines.at(-1)).toBe(
      [
        "Итого",
        "",
        totals.purchases,
        totals.withCard,
        money(Number(totals.subtotal)),
        money(Number(totals.discount)),
        money(Number(totals.total)),
        money(Number(totals.refunded)),
        money(Number(totals.pointsSpent)),
        money(Number(totals.pointsAccrued)),
      ].join(";"),
    );
  });
});

describe("points movement", () => {
  it("totals to the ledger of the partner's cards in the period, by kind", async () => {
    const r = await report("points");
    expect(r.tables.map((x) => x.name)).toEqual(["days", "programs"]);
    const from = Date.parse("2026-11-19T21:00:00.000Z");
    const to = Date.parse("2026-11-21T21:00:00.000Z");
    const entries = await t.database.db
      .selectFrom("ledger_entries as e")
      .innerJoin("cards as c", "c.id", "e.account_id")
      .select(["e.kind", "e.active_delta", "e.pending_delta"])
      .where("c.partner_id", "=", w.alpha.partnerId)
      .where("e.created_at", ">=", from)
      .where("e.created_at", "<", to)
      .execute();
    const sumOf = (kind: string, sign = 0) =>
      entries
        .filter((e) => e.kind === kind)
        .map((e) => e.active_delta + e.pending_delta)
        .filter((d) => sign === 0 || Math.sign(d) === sign)
        .reduce((a, b) => a + b, 0);
    const days = tableOf(r, "days");
    expect(days.totals).toMatchObject({
      entries: entries.length,
      accrued: sumOf("accrual"),
      spent: -sumOf("spend"),
      returned: sumOf("reversal", 1),
      reversed: -sumOf("reversal", -1),
      // The seed's opening balance of the rich card and the cabinet's adjustment of the poor one.
      adjusted: 100_000 + 1_250,
      netActive: entries.reduce((a, e) => a + e.active_delta, 0),
      netPending: entries.reduce((a, e) => a + e.pending_delta, 0),
    });
    // The same figures as the purchases: points accrued at confirm and spent with s-1; s-4's refund took some back.
    const sold = await soldFromList();
    const cancelled = await adminCall(t, "GET", "/partners/alpha/purchases/x-1", { token: analyst });
    expect(days.totals?.spent).toBe(total(sold, "pointsSpent"));
    expect(days.totals?.accrued).toBe(total(sold, "pointsAccrued") + Number(cancelled.json().totals.accrual));
    expect(Number(days.totals?.reversed)).toBeGreaterThan(0);
    expect(days.rows.map((d) => d.date)).toEqual([FROM, TO]);
    const { date: _day, ...dayTotals } = days.totals ?? {};
    expect(tableOf(r, "programs").totals).toEqual({ ...dayTotals, program: "Итого" });
    expect(tableOf(r, "programs").rows.map((p) => p.program)).toEqual(["main"]);
  });

  it("answers an empty period with empty sections and zero totals", async () => {
    const r = await report("points", "from=2026-01-01&to=2026-01-31");
    expect(tableOf(r, "days").rows).toEqual([]);
    expect(tableOf(r, "days").totals).toMatchObject({ entries: 0, accrued: 0, netActive: 0 });
  });

  it("downloads as Excel with the points as numbers of two decimals", async () => {
    const json = await report("points");
    const res = await adminCall(t, "GET", path("points", `from=${FROM}&to=${TO}&format=xlsx`), {
      token: analyst,
    });
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as never);
    expect(book.worksheets.map((s) => s.name)).toEqual(["По дням", "По программам"]);
    const sheet = book.getWorksheet("По программам")!;
    const header = (sheet.getRow(2).values as unknown[]).slice(1);
    const last = sheet.getRow(sheet.rowCount);
    const cell = last.getCell(header.indexOf("Начислено") + 1);
    expect(cell.value).toBe(Number(tableOf(json, "programs").totals?.accrued) / 100);
    expect(cell.numFmt).toBe("#,##0.00");
    expect(last.font?.bold).toBe(true);
  });
});

describe("access and bad input", () => {
  it("lets the roles with reports.read see both reports; the others get 403", async () => {
    const allowed = new Set(["admin", "owner", "marketer", "analyst"]);
    for (const persona of PERSONAS) {
      const token = await bearerFor(t, w.users[persona]);
      for (const kind of ["sales", "points"]) {
        const res = await adminCall(t, "GET", path(kind), { token });
        if (allowed.has(persona)) expect(res.statusCode, `${persona} ${kind}`).toBe(200);
        else {
          expect(res.statusCode, `${persona} ${kind}`).toBe(403);
          expect(res.json().code).toBe("PERMISSION_DENIED");
        }
      }
    }
    expect((await adminCall(t, "GET", path("sales"))).statusCode).toBe(401);
  });

  it("refuses a bad period, an unknown store and an unknown table with a field", async () => {
    const bad = async (query: string, field: string, kind = "sales") => {
      const res = await adminCall(t, "GET", path(kind, query), { token: analyst });
      expect(res.statusCode, query).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, query).toBeLessThan(500);
      expect(JSON.stringify(res.json()), query).toContain(field);
    };
    await bad(`from=${TO}&to=${FROM}`, "to");
    await bad("from=2026-02-30&to=2026-03-01", "from", "points");
    await bad(`from=${FROM}&to=${TO}&storeCode=nowhere`, "storeCode");
    await bad(`from=${FROM}&to=${TO}&format=csv&table=nope`, "table", "points");
  });
});
