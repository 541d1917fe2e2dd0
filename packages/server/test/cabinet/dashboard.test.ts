/**
 * The dashboard in Chromium against a real server process whose background job rolls the figures up:
 * after a few real purchases through the POS API the owner sees the figures the API answers (in the cards,
 * the charts' summaries, tables and tooltips, each day and hour parted into with and without a card), a
 * period changed in the URL shows its own figures, and the page reads in English.
 */
import type { DashboardView } from "@kopilka/contract";
import type { Static } from "typebox";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CARD_EXAMPLE } from "../../src/modules/demo/index.js";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";

let cabinet: Cabinet;

/** Kopecks as the cabinet shows rubles (ru-RU, from the exact decimal string). */
const formatRubles = (kopecks: number) =>
  new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB", minimumFractionDigits: 2 }).format(
    `${Math.trunc(kopecks / 100)}.${String(Math.abs(kopecks % 100)).padStart(2, "0")}` as unknown as number,
  );

const moscowDay = (offsetDays = 0) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Moscow" }).format(
    new Date(Date.now() + offsetDays * 86_400_000),
  );

async function pos(path: string, body: unknown, token?: string) {
  const res = await fetch(`${cabinet.server.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function sale(token: string, id: string, card: string | null) {
  await pos(
    "/v1/purchases/calculate",
    {
      purchaseId: id,
      storeCode: "MSK-01",
      posCode: "POS-1",
      ...(card ? { cardNumber: card } : {}),
      lines: [
        { lineId: "1", sku: "SKU-00001", quantity: 1000, price: 45_000 },
        { lineId: "2", sku: "SKU-00003", quantity: 2000, price: 12_350 },
      ],
    },
    token,
  );
  await pos(`/v1/purchases/${id}/confirm`, {}, token);
}

describeInChromium("dashboard", () => {
  beforeAll(async () => {
    // The roll-up runs on the sweeper's interval; a short one lets the test wait seconds, not a quarter minute.
    cabinet = await startCabinet({ SWEEPER_INTERVAL_MS: "500" });
  }, 120_000);
  afterAll(async () => cabinet?.stop());

  it("shows the owner the figures of real purchases, follows the period in the URL, reads in English", async () => {
    const { newPage, signIn, apiFromPage, expectAccessible } = cabinet;
    const login = await pos("/v1/auth/token", { login: "demo-pos-msk-1", secret: "demo-secret" });
    const token = login.accessToken as string;
    await sale(token, "dash-1", DEMO_CARD_EXAMPLE);
    await sale(token, "dash-2", DEMO_CARD_EXAMPLE);
    await sale(token, "dash-3", null);

    const page = await newPage();
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    const today = moscowDay();
    const query = `from=${today}&to=${today}&timezone=Europe%2FMoscow`;
    // The job takes events once they are ten seconds old.
    let figures = {} as Static<typeof DashboardView>;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answer = await apiFromPage(page, "GET", `/partners/demo/dashboard?${query}`);
      expect(answer.status).toBe(200);
      figures = answer.body as unknown as Static<typeof DashboardView>;
      if (figures.withCard.purchases === 2 && figures.withoutCard.purchases === 1) break;
      if (Date.now() > deadline) throw new Error(`figures never rolled up: ${JSON.stringify(figures)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(figures.withCard.sales).toBeGreaterThan(0);
    expect(figures.withCard.averageReceipt).toBe(Math.round(figures.withCard.sales / 2));

    await page.goto(`/p/demo/dashboard?from=${today}&to=${today}`);
    const card = (name: string) => page.getByRole("region", { name, exact: true });
    await expect
      .poll(() => card("Продажи по картам").innerText())
      .toContain(formatRubles(figures.withCard.sales));
    expect(await card("Продажи по картам").innerText()).toContain("Покупок: 2");
    expect(await card("Продажи без карт").innerText()).toContain(formatRubles(figures.withoutCard.sales));
    expect(await card("Средний чек с картой").innerText()).toContain(
      formatRubles(figures.withCard.averageReceipt),
    );
    expect(await card("Скидки").innerText()).toContain(
      formatRubles(figures.withCard.discount + figures.withoutCard.discount),
    );
    expect(await card("Зависшие покупки сейчас").innerText()).toContain("0");
    // The charts: each picture is named by its figures, the same figures are in a table for screen readers,
    // and a bar's tooltip says its values in words; each bar parts purchases with a card from those without.
    const perDay = page.getByRole("region", { name: "Покупки по дням" });
    const todaySales = figures.perDay.reduce((s, x) => s + x.sales, 0);
    expect(todaySales).toBe(figures.withCard.sales + figures.withoutCard.sales);
    const day = figures.perDay[0]!;
    expect(figures.perDay).toHaveLength(1);
    expect(day).toMatchObject({ purchases: 3, purchasesWithCard: 2, salesWithCard: figures.withCard.sales });
    const perDayLabel = await perDay.getByRole("img").getAttribute("aria-label");
    expect(perDayLabel).toMatch(/^Покупки по дням: всего 3 за 1 дн\. на /);
    expect(perDayLabel).toContain(`${formatRubles(todaySales)}, с картой 67 %;`);
    const table = perDay.getByRole("table", { name: "Покупки по дням" });
    expect((await table.getByRole("columnheader").allInnerTexts()).map((c) => c.trim())).toEqual([
      "День",
      "Покупки с картой",
      "Покупки без карты",
      "Покупки, всего",
      "Продажи с картой",
      "Продажи без карты",
      "Продажи, всего",
    ]);
    const row = table.getByRole("row").nth(1);
    expect((await row.getByRole("cell").allInnerTexts()).map((c) => c.trim())).toEqual([
      "2",
      "1",
      "3",
      formatRubles(day.salesWithCard),
      formatRubles(day.sales - day.salesWithCard),
      formatRubles(todaySales),
    ]);
    const busiestHour = figures.perHour.find((x) => x.purchases === 3)!;
    expect(busiestHour).toMatchObject({ purchasesWithCard: 2, salesWithCard: day.salesWithCard });
    const hh = (h: number) => String(h).padStart(2, "0");
    expect(
      await page
        .getByRole("img", {
          name: `Покупки по часам суток: всего 3, с картой 67 %; больше всего с ${hh(busiestHour.hour)}:00 до ${hh(busiestHour.hour + 1)}:00: 3`,
        })
        .count(),
    ).toBe(1);
    expect(await perDay.getByText("С картой", { exact: true }).isVisible()).toBe(true);
    expect(await perDay.getByText("Без карты", { exact: true }).isVisible()).toBe(true);
    const tooltip = perDay.locator(".recharts-tooltip-wrapper");
    await perDay.locator(".recharts-bar-rectangle").first().hover();
    await expect.poll(() => tooltip.innerText()).toContain("Покупки, всего: 3");
    expect(await tooltip.innerText()).toContain("Покупки с картой: 2");
    expect(await tooltip.innerText()).toContain("Покупки без карты: 1");
    // Sales instead of purchases: the axis counts rubles, the tooltip the sales' parts.
    const ticks = async () =>
      (await perDay.locator(".recharts-cartesian-axis-tick-value").allTextContents()).join(" ");
    expect(await ticks()).toContain(`${today.slice(8, 10)}.${today.slice(5, 7)}`);
    expect(await ticks()).not.toContain("₽");
    await perDay.getByRole("radiogroup", { name: "Показатель" }).getByText("Продажи").click();
    expect(await perDay.getByRole("radio", { name: "Продажи" }).isChecked()).toBe(true);
    await expect.poll(ticks).toContain("₽");
    await perDay.locator(".recharts-bar-rectangle").first().hover();
    await expect.poll(() => tooltip.innerText()).toContain(`Продажи, всего: ${formatRubles(todaySales)}`);
    expect(await tooltip.innerText()).toContain(`Продажи с картой: ${formatRubles(day.salesWithCard)}`);
    expect(await tooltip.innerText()).toContain(
      `Продажи без карты: ${formatRubles(day.sales - day.salesWithCard)}`,
    );
    const topRule = figures.topRules[0]!;
    expect(topRule.discount).toBeGreaterThan(0);
    expect(
      await page
        .getByRole("region", { name: "Правила с наибольшей скидкой" })
        .getByRole("img")
        .getAttribute("aria-label"),
    ).toBe(
      `Правила с наибольшей скидкой: ${figures.topRules.length}; больше всего дало «${topRule.name}»: ${formatRubles(topRule.discount)}`,
    );
    expect(await page.getByText("Время указано в часовом поясе Europe/Moscow (ваш браузер)").count()).toBe(1);
    // The pointer away, so that the screenshot shows the bars and not a tooltip over them; back to the top:
    // the hover scrolled, and a full-page screenshot draws the fixed header where it was.
    await page.mouse.move(0, 0);
    await expect.poll(() => tooltip.isVisible()).toBe(false);
    await page.evaluate("window.scrollTo(0, 0)");
    await expectAccessible(page, "dashboard-today");

    // Another period in the URL: its own figures.
    const yesterday = moscowDay(-1);
    await page.goto(`/p/demo/dashboard?from=${yesterday}&to=${yesterday}`);
    await expect
      .poll(() => card("Продажи по картам").innerText(), { timeout: 15_000 })
      .toContain("Покупок: 0");
    expect(await card("Продажи по картам").innerText()).toContain(formatRubles(0));
    expect(await page.getByText("За период покупок нет.").count()).toBe(2);
    await expectAccessible(page, "dashboard-yesterday");

    // A week with one store, in English.
    await page.goto(`/p/demo/dashboard?from=${moscowDay(-6)}&to=${today}&store=MSK-01`);
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Dashboard", level: 2 }).waitFor();
    await expect
      .poll(() => card("Sales with a card").innerText(), { timeout: 15_000 })
      .toContain("Purchases: 2");
    expect(await card("Points expired").innerText()).toContain("Not counted per store");
    expect(await page.getByRole("img", { name: /Purchases per day: 3 in 7 days/ }).count()).toBe(1);
    await expectAccessible(page, "dashboard-week-store-english");
  }, 180_000);
});
