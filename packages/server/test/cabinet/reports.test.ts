/**
 * The reports page in a real browser against a real server with the demo data: purchases confirmed
 * through the real POS API show up in the sales report; the Excel file downloaded through the page is read
 * back with exceljs and its totals match the API's JSON and the purchases themselves; the CSV and the
 * points-movement report too; the period picker speaks Russian; the page passes axe, also in English.
 */
import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";

const POS = { login: "demo-pos-msk-1", secret: "demo-secret" };

type Row = Record<string, string | number | null>;
interface ReportJson {
  period: { from: string; to: string };
  tables: { name: string; title: string; columns: { key: string; header: string }[]; totals: Row | null }[];
}

describeInChromium("reports page in Chromium", () => {
  let cabinet: Cabinet;
  let base: string;

  beforeAll(async () => {
    cabinet = await startCabinet();
    base = cabinet.server.base;
    const tokenRes = await fetch(`${base}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(POS),
    });
    const { accessToken } = (await tokenRes.json()) as { accessToken: string };
    const pos = async (path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return res.json();
    };
    // Three sales (two with a card, one at a different price) and a calculation never confirmed.
    const sales = [
      { id: "rep-1", card: "2000000000002", price: 15_000 },
      { id: "rep-2", card: "2000000000003", price: 24_990 },
      { id: "rep-3", card: null, price: 9_950 },
      { id: "rep-open", card: "2000000000004", price: 50_000 },
    ];
    for (const s of sales) {
      await pos("/v1/purchases/calculate", {
        purchaseId: s.id,
        storeCode: "MSK-01",
        posCode: "REP-POS",
        ...(s.card ? { cardNumber: s.card } : {}),
        lines: [
          { lineId: "1", sku: "SKU-00003", quantity: 1500, price: s.price },
          { lineId: "2", sku: "SKU-00005", quantity: 1000, price: 12_345 },
        ],
      });
      if (s.id !== "rep-open") await pos(`/v1/purchases/${s.id}/confirm`, {});
    }
  }, 180_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  const openReports = async (): Promise<Page> => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, "marketer@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    expect(await cabinet.menu(page)).toContain("Отчёты");
    await page.getByRole("link", { name: "Отчёты" }).click();
    await page.waitForURL("**/p/demo/reports");
    await page.getByTestId("report-totals-days").waitFor();
    return page;
  };

  /** The page's default period: the last seven days of the user's zone, today included. */
  const defaultPeriod = () => {
    const to = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(new Date());
    const start = new Date(`${to}T00:00:00Z`);
    start.setUTCDate(start.getUTCDate() - 6);
    return { from: start.toISOString().slice(0, 10), to };
  };

  const columnOf = (report: ReportJson, table: string, key: string) => {
    const t = report.tables.find((x) => x.name === table)!;
    return { header: t.columns.find((c) => c.key === key)!.header, total: t.totals![key] };
  };

  it("shows the sales report and downloads it as Excel whose totals match the API and the purchases", async () => {
    const page = await openReports();
    expect(
      await page
        .getByRole("textbox", { name: "Отчёт" })
        .or(page.getByRole("combobox", { name: "Отчёт" }))
        .first()
        .inputValue(),
    ).toBe("Продажи и скидки: по дням, магазинам и правилам");
    await page.getByText("Дни считаются в часовом поясе Europe/Moscow.").waitFor();
    // The period picker speaks Russian: Monday first, Russian day names.
    await page.getByRole("button", { name: "Период" }).click();
    const calendar = page.getByRole("dialog");
    await calendar.waitFor();
    const weekdays = await calendar.locator("thead").first().innerText();
    expect(weekdays.replace(/\s+/g, " ").trim().toLowerCase()).toBe("пн вт ср чт пт сб вс");
    await page.keyboard.press("Escape");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Скачать Excel" }).click(),
    ]);
    // The page's default period: the last seven days of the user's zone, today included.
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(new Date());
    const name = download
      .suggestedFilename()
      .match(/^demo-sales-(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})\.xlsx$/);
    expect(name?.[2]).toBe(today);
    const from = name![1]!;
    const json = (
      await cabinet.apiFromPage(
        page,
        "GET",
        `/partners/demo/reports/sales?from=${from}&to=${today}&timezone=Europe/Moscow`,
      )
    ).body as unknown as ReportJson;
    // The marketer may read reports, not purchases: the owner reads the purchases to check against.
    const owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    const refused = await cabinet.apiFromPage(page, "GET", "/partners/demo/purchases");
    expect(refused.status).toBe(403);
    const purchases = (
      await cabinet.apiFromPage(
        owner,
        "GET",
        `/partners/demo/purchases?limit=100&state=confirmed&from=${new Date(`${from}T00:00:00+03:00`).toISOString()}`,
      )
    ).body.items as { purchaseId: string; total: number; discount: number; cardNumber: string | null }[];
    const ours = purchases.filter((p) => p.purchaseId.startsWith("rep-"));
    expect(ours.map((p) => p.purchaseId).sort()).toEqual(["rep-1", "rep-2", "rep-3"]);
    const sum = (key: "total" | "discount") => purchases.reduce((a, p) => a + p[key], 0);
    const total = columnOf(json, "days", "total");
    const discount = columnOf(json, "days", "discount");
    expect(total.total).toBe(sum("total"));
    expect(discount.total).toBe(sum("discount"));
    expect(Number(discount.total)).toBeGreaterThan(0);
    expect(columnOf(json, "days", "purchases").total).toBe(purchases.length);
    expect(columnOf(json, "days", "withCard").total).toBe(purchases.filter((p) => p.cardNumber).length);

    // The page shows the same totals, in rubles the Russian way.
    const rubles = (kopecks: number) =>
      new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB", minimumFractionDigits: 2 }).format(
        kopecks / 100,
      );
    const totalsRow = page.getByTestId("report-totals-days");
    expect(await totalsRow.innerText()).toContain(rubles(Number(total.total)));
    await cabinet.expectAccessible(page, "purchases-07-reports-sales");

    const file = await download.path();
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(readFileSync(file) as never);
    expect(book.worksheets.map((s) => s.name)).toEqual(["По дням", "По магазинам", "По правилам"]);
    const sheet = book.getWorksheet("По дням")!;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    const headers = (sheet.getRow(2).values as unknown[]).slice(1);
    const last = sheet.getRow(sheet.rowCount);
    expect(last.getCell(1).value).toBe("Итого");
    expect(last.font?.bold).toBe(true);
    const cell = (header: string) => last.getCell(headers.indexOf(header) + 1);
    expect(cell(total.header).value).toBe(Number(total.total) / 100);
    expect(cell(discount.header).value).toBe(Number(discount.total) / 100);
    expect(cell(total.header).numFmt).toBe("#,##0.00");
    // The rules sheet adds up to the same discount.
    const rules = book.getWorksheet("По правилам")!;
    const ruleHeaders = (rules.getRow(2).values as unknown[]).slice(1);
    expect(rules.getRow(rules.rowCount).getCell(ruleHeaders.indexOf("Скидка") + 1).value).toBe(
      Number(discount.total) / 100,
    );
  });

  it("downloads one section as CSV and switches to the points movement", async () => {
    const page = await openReports();
    await page
      .getByRole("textbox", { name: "Раздел для CSV" })
      .or(page.getByRole("combobox", { name: "Раздел для CSV" }))
      .first()
      .click();
    await page.getByRole("option", { name: "По магазинам" }).click();
    await page.waitForURL(/table=stores/);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Скачать CSV" }).click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8");
    expect(csv.startsWith("\ufeffКод магазина;Адрес;Покупок;")).toBe(true);
    const lines = csv.trim().split("\r\n");
    expect(lines.at(-1)?.startsWith("Итого;")).toBe(true);
    expect(lines.some((l) => l.startsWith("MSK-01;"))).toBe(true);

    await page
      .getByRole("textbox", { name: "Отчёт" })
      .or(page.getByRole("combobox", { name: "Отчёт" }))
      .first()
      .click();
    await page.getByRole("option", { name: "Движение баллов" }).click();
    await page.waitForURL(/kind=points/);
    await page.getByTestId("report-totals-programs").waitFor();
    const { from, to } = defaultPeriod();
    const json = (
      await cabinet.apiFromPage(
        page,
        "GET",
        `/partners/demo/reports/points?from=${from}&to=${to}&timezone=Europe/Moscow`,
      )
    ).body as unknown as ReportJson;
    const accrued = columnOf(json, "days", "accrued").total as number;
    expect(accrued).toBeGreaterThan(0);
    const points = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2 }).format(accrued / 100);
    expect(await page.getByTestId("report-totals-days").innerText()).toContain(points);
    await cabinet.expectAccessible(page, "purchases-08-reports-points");
  });

  it("shows the reports page in English", async () => {
    const page = await openReports();
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Reports", level: 2 }).waitFor();
    await page.getByRole("link", { name: "Download Excel" }).waitFor();
    await page.getByText("Days are counted in the Europe/Moscow time zone.").waitFor();
    await page
      .getByText("The report's own headings are in Russian, as in its Excel and CSV files.")
      .waitFor();
    await cabinet.expectAccessible(page, "purchases-09-reports-en");
  });
});
