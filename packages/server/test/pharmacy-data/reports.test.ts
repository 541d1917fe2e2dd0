/**
 * Reports: the PharmApi reconciliation (confirmed discounted lines of discount programs only; totals per
 * program; the detailed table), stock and sell-out against confirmed discounts, through the admin API as
 * JSON, Excel (read back with exceljs) and CSV, with the reports.read permission; and the CLI command.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/kernel/index.js";
import { upsertCards } from "../../src/modules/cards/index.js";
import { addRules, createProgram } from "../../src/modules/programs/index.js";
import { type AdminWorld, adminCall, bearerFor, seedAdminWorld } from "../support/admin.js";
import { kopilka } from "../support/cli.js";
import { receipt, startTestApp, type TestApp } from "../support/harness.js";
import { principalFor } from "../support/services.js";

let t: TestApp;
let world: AdminWorld;
let pos: Principal;
let analyst: string;
const CARD = "pharma-777";
const DAY = "2026-11-20";

beforeAll(async () => {
  t = await startTestApp();
  world = await seedAdminWorld(t);
  const { alpha } = world;
  pos = await principalFor(t, alpha, "any");
  const now = t.clock.now();
  const programId = await createProgram(
    t.database.db,
    alpha.partnerId,
    { code: "pharma", name: "Manufacturer discount", kind: "discount", cancelWindowMinutes: 30 },
    now,
  );
  await addRules(
    t.database,
    programId,
    [{ name: "brand X -15%", kind: "discount_percent", value: 1500, scope: { brands: ["X"] } }],
    now,
  );
  await upsertCards(t.database, alpha.partnerId, programId, [{ number: CARD }], now);
  const { purchases } = t.server.services;
  // Line 3 (brand X, 1.5 × 200.00) is the program's: 45.00 off. Lines 1 and 2 get nothing.
  await purchases.calculate(pos, receipt(alpha, "d-1", { cardNumber: CARD }));
  await purchases.confirm(pos, "d-1", {});
  t.clock.advance(60_000);
  await purchases.calculate(pos, receipt(alpha, "d-2", { cardNumber: CARD, storeCode: alpha.storeCodes[1] }));
  await purchases.confirm(pos, "d-2", {}, { lineIds: ["3"] });
  // Cancelled, and one only calculated: neither is a sale.
  await purchases.calculate(pos, receipt(alpha, "d-3", { cardNumber: CARD }));
  await purchases.confirm(pos, "d-3", {});
  await purchases.cancel(pos, "d-3");
  await purchases.calculate(pos, receipt(alpha, "d-4", { cardNumber: CARD }));
  // A loyalty purchase with a discount (vitamins −10 %) is not a discount program's.
  await purchases.calculate(pos, receipt(alpha, "l-1"));
  await purchases.confirm(pos, "l-1", {});
  analyst = await bearerFor(t, world.users.analyst);

  // What the chain reports: stock of both stores, and sell-out with a discounted and a full-price line.
  await t.server.services.stock.replace(
    alpha.partnerId,
    [
      {
        storeCode: alpha.storeCodes[0],
        field: "storeCode",
        rows: [
          {
            barcode: "4600000000035",
            qrCode: "",
            lot: "A",
            productCode: "4600000000035",
            name: "Brand X cream",
            price: 20_000,
            amount: 1_500,
          },
          {
            barcode: "4600000000035",
            qrCode: "",
            lot: "B",
            productCode: "4600000000035",
            name: "Brand X cream",
            price: 21_000,
            amount: 2_000,
          },
        ],
      },
    ],
    "pos-v1",
  );
  const sale = {
    storeCode: alpha.storeCodes[0],
    voucherId: "V1",
    soldAt: Date.UTC(2026, 10, 20, 9, 0),
    soldLocal: "2026-11-20T12:00:00",
    utcOffsetMinutes: 180,
    year: 2026,
    barcode: "4600000000035",
    qrCode: null,
    productCode: "4600000000035",
    name: "Brand X cream",
    price: 20_000,
    fiscal: null,
  };
  await t.server.services.sellout.record(
    alpha.partnerId,
    [
      {
        ...sale,
        orderId: "3",
        count: 1_500,
        discount: 4_500,
        sumToPay: 25_500,
        cardNumber: CARD,
        transaction: "3",
        field: "lines[0]",
      },
      {
        ...sale,
        orderId: "4",
        count: 1_000,
        discount: 0,
        sumToPay: 20_000,
        cardNumber: null,
        transaction: null,
        field: "lines[1]",
      },
    ],
    "pos-v1",
  );
});

afterAll(async () => {
  await t?.close();
});

const path = (kind: string, query = `from=${DAY}&to=${DAY}`) => `/partners/alpha/reports/${kind}?${query}`;

describe("reconciliation", () => {
  it("totals per program and one row per confirmed discounted line, in the store's local time", async () => {
    const res = await adminCall(t, "GET", path("reconciliation"), { token: analyst });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report.period).toEqual({ from: DAY, to: DAY, timezone: "Europe/Moscow" });
    const [programs, lines] = report.tables;
    expect(programs.rows).toEqual([
      {
        program: "pharma",
        programName: "Manufacturer discount",
        lines: 2,
        packs: 3_000,
        amount: 60_000,
        discount: 9_000,
        total: 51_000,
      },
    ]);
    expect(programs.totals).toMatchObject({
      program: "Итого",
      packs: 3_000,
      amount: 60_000,
      discount: 9_000,
      total: 51_000,
    });
    expect(lines.rows).toEqual([
      {
        date: "2026-11-20",
        time: "12:00:00",
        storeCode: "alpha-S1",
        storeAddress: null,
        cardNumber: CARD,
        transaction: "3",
        product: "Brand X cream",
        barcode: "4600000000035",
        quantity: 1_500,
        price: 20_000,
        amount: 30_000,
        discount: 4_500,
        total: 25_500,
        program: "pharma",
        purchaseId: "d-1",
      },
      // The second store is in Vladivostok (UTC+10).
      expect.objectContaining({
        date: "2026-11-20",
        time: "19:01:00",
        storeCode: "alpha-S2",
        purchaseId: "d-2",
      }),
    ]);
  });

  it("exports a real Excel workbook whose totals are the report's", async () => {
    const res = await adminCall(t, "GET", path("reconciliation", `from=${DAY}&to=${DAY}&format=xlsx`), {
      token: analyst,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("spreadsheetml");
    expect(res.headers["content-disposition"]).toContain("alpha-reconciliation-2026-11-20-2026-11-20.xlsx");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Итоги по программам", "Транзакции"]);
    const totals = workbook.getWorksheet("Итоги по программам")!;
    expect(totals.getRow(2).values).toEqual([
      undefined,
      "Программа",
      "Название программы",
      "Строк",
      "Количество упаковок",
      "Сумма до скидки",
      "Сумма скидки",
      "Сумма после скидки",
    ]);
    const program = totals.getRow(3);
    expect([program.getCell(1).value, program.getCell(4).value, program.getCell(5).value]).toEqual([
      "pharma",
      3,
      600,
    ]);
    expect(Math.round(Number(program.getCell(6).value) * 100)).toBe(9_000);
    expect(Math.round(Number(program.getCell(7).value) * 100)).toBe(51_000);
    expect(totals.getCell("F3").numFmt).toBe("#,##0.00");
    const detail = workbook.getWorksheet("Транзакции")!;
    expect(detail.rowCount).toBe(5); // title, header, two lines, totals
    const sum = (column: number) =>
      [3, 4].reduce((acc, r) => acc + Math.round(Number(detail.getRow(r).getCell(column).value) * 100), 0);
    expect(sum(12)).toBe(9_000);
    expect(Math.round(Number(detail.getRow(5).getCell(13).value) * 100)).toBe(51_000);
  });

  it("exports CSV of a table with exact decimals", async () => {
    const res = await adminCall(
      t,
      "GET",
      path("reconciliation", `from=${DAY}&to=${DAY}&format=csv&table=programs`),
      {
        token: analyst,
      },
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const lines = res.body
      .replace(/^\ufeff/, "")
      .trim()
      .split("\r\n");
    expect(lines).toEqual([
      "Программа;Название программы;Строк;Количество упаковок;Сумма до скидки;Сумма скидки;Сумма после скидки",
      "pharma;Manufacturer discount;2;3;600.00;90.00;510.00",
      "Итого;;2;3;600.00;90.00;510.00",
    ]);
    const unknown = await adminCall(
      t,
      "GET",
      path("reconciliation", `from=${DAY}&to=${DAY}&format=csv&table=nope`),
      {
        token: analyst,
      },
    );
    expect([unknown.statusCode, unknown.json().details.field]).toEqual([400, "table"]);
  });

  it("a day without sales is empty; bad periods are refused with details.field", async () => {
    const empty = await adminCall(t, "GET", path("reconciliation", "from=2026-11-21&to=2026-11-30"), {
      token: analyst,
    });
    expect(empty.json().tables[0].rows).toEqual([]);
    const cases: [string, string][] = [
      ["from=2026-11-31&to=2026-12-01", "from"],
      ["from=2026-11-20&to=2026-11-19", "to"],
      ["from=2025-01-01&to=2026-11-19", "to"],
      ["from=2026-11-20&to=2026-11-20&timezone=Mars/Base", "timezone"],
      ["from=2026-11-20", "to"],
      ["from=2026-11-20&to=2026-11-20&storeCode=nowhere", "storeCode"],
    ];
    for (const [query, field] of cases) {
      const res = await adminCall(t, "GET", path("reconciliation", query), { token: analyst });
      expect(res.statusCode, query).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, query).toBeLessThan(500);
      expect(res.json().details.field, query).toBe(field);
    }
  });

  it("needs reports.read: owner, marketer and analyst may, an operator and another partner's owner may not", async () => {
    for (const persona of ["owner", "marketer", "analyst", "admin"] as const) {
      const res = await adminCall(t, "GET", path("reconciliation"), {
        token: await bearerFor(t, world.users[persona]),
      });
      expect(res.statusCode, persona).toBe(200);
    }
    for (const persona of ["operator", "outsider"] as const) {
      const res = await adminCall(t, "GET", path("reconciliation"), {
        token: await bearerFor(t, world.users[persona]),
      });
      expect(res.statusCode, persona).toBe(403);
    }
    const beta = await adminCall(
      t,
      "GET",
      "/partners/beta/reports/reconciliation?from=2026-11-20&to=2026-11-20",
      {
        token: await bearerFor(t, world.users.outsider),
      },
    );
    expect(beta.json().tables[0].rows).toEqual([]);
  });
});

describe("stock and sell-out", () => {
  it("stock per store and product adds up the lots; the period lists the uploads", async () => {
    const res = await adminCall(t, "GET", path("stock"), { token: analyst });
    const [stock, uploads] = res.json().tables;
    expect(stock.rows).toEqual([
      {
        storeCode: "alpha-S1",
        storeAddress: null,
        productCode: "4600000000035",
        name: "Brand X cream",
        rows: 2,
        amount: 3_500,
        minPrice: 20_000,
        maxPrice: 21_000,
        value: 30_000 + 42_000,
        uploadedAt: "2026-11-20 12:01:00",
      },
    ]);
    expect(uploads.rows).toEqual([
      {
        date: "2026-11-20",
        time: "12:01:00",
        storeCode: "alpha-S1",
        source: "pos-v1",
        rows: 2,
        amount: 3_500,
        value: 72_000,
      },
    ]);
  });

  it("sell-out shows full-price and discounted sales beside the discounts the program confirmed", async () => {
    const res = await adminCall(t, "GET", path("sellout"), { token: analyst });
    const [sellout] = res.json().tables;
    expect(sellout.rows).toEqual([
      {
        storeCode: "alpha-S1",
        storeAddress: null,
        productCode: "4600000000035",
        name: "Brand X cream",
        fullPricePacks: 1_000,
        fullPriceSum: 20_000,
        discountedPacks: 1_500,
        discountedAmount: 30_000,
        discountedDiscount: 4_500,
        discountedToPay: 25_500,
        confirmedPacks: 1_500,
        confirmedDiscount: 4_500,
        packsDifference: 0,
      },
      expect.objectContaining({
        storeCode: "alpha-S2",
        discountedPacks: 0,
        confirmedPacks: 1_500,
        confirmedDiscount: 4_500,
        packsDifference: -1_500,
      }),
    ]);
    const xlsx = await adminCall(t, "GET", path("sellout", `from=${DAY}&to=${DAY}&format=xlsx`), {
      token: analyst,
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const totals = sheet.getRow(sheet.rowCount);
    expect(totals.getCell(1).value).toBe("Итого");
    expect(Number(totals.getCell(11).value)).toBe(3);
    expect(Number(totals.getCell(13).value)).toBe(-1.5);
  });
});

describe("kopilka report", () => {
  it("writes the reconciliation as Excel and CSV from the command line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kopilka-report-"));
    try {
      const env = {
        DATABASE_URL: t.scratch.url,
        PII_KEY: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
      };
      const file = join(dir, "recon.xlsx");
      const run = await kopilka(
        [
          "report",
          "--partner",
          "alpha",
          "--kind",
          "reconciliation",
          "--from",
          DAY,
          "--to",
          DAY,
          "--out",
          file,
        ],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("Итоги по программам 1");
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const cell = workbook.getWorksheet("Итоги по программам")!.getRow(3).getCell(6).value;
      expect(Math.round(Number(cell) * 100)).toBe(9_000);
      const csv = await kopilka(
        [
          "report",
          "--partner",
          "alpha",
          "--kind",
          "reconciliation",
          "--from",
          DAY,
          "--to",
          DAY,
          "--format",
          "csv",
          "--out",
          "-",
        ],
        env,
      );
      expect(csv.code, csv.stderr).toBe(0);
      expect(csv.stdout.split("\r\n")).toHaveLength(5);
      expect(readFileSync(file).subarray(0, 2).toString()).toBe("PK");
      const bad = await kopilka(
        ["report", "--partner", "alpha", "--kind", "profit", "--from", DAY, "--to", DAY, "--out", "-"],
        env,
      );
      expect(bad.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
