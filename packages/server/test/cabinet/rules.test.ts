/**
 * Programs and rules in the cabinet, in Chromium against a real server with the demo data: a marketer
 * builds a rule with the forms the registries' schemas make, sees the server's complaint next to its field,
 * sees the rule named on its line in simulate and then in a real calculate through the POS API, saves a
 * second version and reads the diff, generates a promo-code batch and downloads its CSV, adds a card level,
 * and reads a program page in English. axe finds nothing serious on any of these pages.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkPage } from "../support/browser.js";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";

const MARKETER = "marketer@demo.kopilka";
/**
 * The demo catalogue: product i is SKU-{i+1} and its category and brand cycle; SKU-00006 is a baby product
 * (brand Фармстандарт, which no demo rule names), SKU-00001 a medicine.
 */
const BABY_SKU = "SKU-00006";
const OTHER_SKU = "SKU-00001";
const CARD = "2000000000002";
const RULE_NAME = "Детские товары −20%";

describeInChromium("programs, rules, promo codes and levels in the cabinet", () => {
  let cabinet: Cabinet;
  let ruleId = 0;

  beforeAll(async () => {
    cabinet = await startCabinet();
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  const signedIn = async (): Promise<Page> => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, MARKETER);
    await page.waitForURL("**/p/demo/dashboard");
    return page;
  };

  /** Picks an option of a Mantine select found by its label inside `scope`. */
  const choose = async (page: Page, scope: ReturnType<Page["locator"]>, label: string, option: string) => {
    await scope.getByLabel(label, { exact: true }).click();
    await page.getByRole("option", { name: option, exact: true }).click();
  };

  const posCalculate = async (purchaseId: string) => {
    const base = cabinet.server.base;
    const auth = await fetch(`${base}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ login: "demo-pos-msk-1", secret: "demo-secret" }),
    });
    expect(auth.status).toBe(200);
    const { accessToken } = (await auth.json()) as { accessToken: string };
    const res = await fetch(`${base}/v1/purchases/calculate`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({
        purchaseId,
        storeCode: "MSK-01",
        posCode: "POS-1",
        cardNumber: CARD,
        lines: [
          { lineId: "1", sku: BABY_SKU, quantity: 2000, price: 20_000 },
          { lineId: "2", sku: OTHER_SKU, quantity: 1000, price: 10_000 },
        ],
      }),
    });
    const body = (await res.json()) as {
      lines: {
        lineId: string;
        discount: number;
        discounts: { ruleId: number; version: number; amount: number }[];
      }[];
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  it("creates a rule through the forms, with the server's complaint next to its field", async () => {
    const page = await signedIn();
    await page
      .getByRole("navigation", { name: "Меню" })
      .getByRole("link", { name: "Программы", exact: true })
      .click();
    await page.getByRole("link", { name: "main", exact: true }).click();
    await page.waitForURL("**/p/demo/programs/main");
    await page.getByRole("heading", { name: /Копилка Демо/, level: 2 }).waitFor();
    await page.getByRole("row").filter({ hasText: "Витамины −15%" }).waitFor();
    await cabinet.expectAccessible(page, "rules-01-program-rules");

    await page.getByRole("link", { name: "Новое правило" }).click();
    await page.waitForURL("**/programs/main/rules/new");
    await page.getByRole("textbox", { name: "Название", exact: true }).fill(RULE_NAME);

    // A products condition: its form comes from the registry's schema (a nested set of lists).
    await page.getByRole("button", { name: "Добавить условие" }).click();
    const condition = page.getByRole("group", { name: "Условие 1" });
    await choose(page, condition, "Тип", "Товары");
    const categories = condition.getByLabel("Категории", { exact: true });
    await categories.fill("baby");
    await categories.press("Enter");

    // The effect's percentage is typed in percent and sent as basis points; 0 % is the server's to refuse.
    const effect = page.getByRole("group", { name: "Действие 1" });
    expect(await effect.getByLabel("Тип", { exact: true }).inputValue()).toBe("Скидка, %");
    const percent = effect.getByRole("textbox", { name: "Процент" });
    await percent.fill("0");
    await page.getByRole("button", { name: "Создать правило" }).click();
    await expect.poll(() => percent.getAttribute("aria-invalid")).toBe("true");
    const describedBy = (await percent.getAttribute("aria-describedby")) ?? "";
    const message = await page
      .locator(`[id="${describedBy.split(" ").find((id) => id.includes("error"))}"]`)
      .innerText();
    expect(message).toMatch(/1/);
    expect(page.url()).toContain("/rules/new");
    await checkPage(page, "rules-02-editor-field-error");

    await percent.fill("20");
    await page.getByRole("button", { name: "Создать правило" }).click();
    await page.waitForURL(/\/programs\/main\/rules\/\d+$/);
    ruleId = Number(page.url().split("/").at(-1));
    await page.getByRole("heading", { name: RULE_NAME, level: 2 }).waitFor();
    // The saved rule reads back into the same forms: 2000 basis points show as 20 %.
    await expect
      .poll(() =>
        page
          .getByRole("group", { name: "Действие 1" })
          .getByRole("textbox", { name: "Процент" })
          .inputValue(),
      )
      .toBe("20");
    const stored = await cabinet.apiFromPage(page, "GET", `/partners/demo/programs/main/rules/${ruleId}`);
    expect(stored.body).toMatchObject({
      version: 1,
      active: true,
      definition: {
        name: RULE_NAME,
        stacking: { mode: "stackable" },
        conditions: [{ type: "products", params: { set: { categories: ["baby"] } } }],
        effects: [{ type: "line_discount_percent", params: { percentBp: 2000 } }],
      },
    });
    await cabinet.expectAccessible(page, "rules-03-editor");
  });

  it("names the rule on its line in simulate, and a real calculate through the POS API applies it", async () => {
    const page = await signedIn();
    await page.goto("/p/demo/programs/main?tab=simulate");
    await page.getByRole("textbox", { name: "Номер карты" }).fill(CARD);
    // Line 1 typed; the whole receipt then pasted as the POS sends it.
    await page.getByRole("textbox", { name: "Артикул, строка 1" }).fill(BABY_SKU);
    await page.getByRole("textbox", { name: "Количество, строка 1" }).fill("2");
    await page.getByRole("textbox", { name: "Цена, строка 1" }).fill("200");
    await page.getByRole("textbox", { name: "Или вставьте чек в JSON" }).fill(
      JSON.stringify({
        cardNumber: CARD,
        lines: [
          { lineId: "1", sku: BABY_SKU, quantity: 2000, price: 20_000 },
          { lineId: "2", sku: OTHER_SKU, quantity: 1000, price: 10_000 },
        ],
      }),
    );
    await page.getByRole("button", { name: "Заполнить из JSON" }).click();
    expect(await page.getByRole("textbox", { name: "Артикул, строка 2" }).inputValue()).toBe(OTHER_SKU);
    expect(await page.getByRole("textbox", { name: "Цена, строка 2" }).inputValue()).toBe("100");
    expect(await page.getByRole("textbox", { name: "Количество, строка 1" }).inputValue()).toBe("2");
    await page.getByRole("button", { name: "Рассчитать" }).click();

    const result = page.getByTestId("simulate-result");
    await result.waitFor();
    // 2 × 200 ₽ = 400 ₽, 20 % off: 80 ₽, named with its rule and version on line 1.
    const line1 = result.locator('tr[data-line="1"]');
    const line1Text = await line1.innerText();
    expect(line1Text).toContain(`${RULE_NAME} (версия 1): −80,00`);
    expect(line1Text).toMatch(/400,00\s₽/);
    const line2Text = await result.locator('tr[data-line="2"]').innerText();
    expect(line2Text).not.toContain(RULE_NAME);
    // The rules that gave nothing are listed with their reason (the gold level's accrual: a base card).
    const skipped = page.getByTestId("skipped-rules");
    expect(await skipped.getByRole("row").count()).toBeGreaterThan(1);
    expect(await skipped.innerText()).toContain("Золотой уровень");
    await cabinet.expectAccessible(page, "rules-04-simulate");

    const calculated = await posCalculate("cabinet-rules-1");
    expect(calculated.lines[0]!.discounts).toContainEqual({ ruleId, version: 1, amount: 8000 });
    expect(calculated.lines[1]!.discounts.map((d) => d.ruleId)).not.toContain(ruleId);
  });

  it("saves a second version, shows the diff between the two, and disables the rule", async () => {
    const page = await signedIn();
    await page.goto(`/p/demo/programs/main/rules/${ruleId}`);
    const percent = page.getByRole("group", { name: "Действие 1" }).getByRole("textbox", { name: "Процент" });
    await expect.poll(() => percent.inputValue()).toBe("20");
    await percent.fill("25");
    await page.getByRole("button", { name: "Сохранить новую версию" }).click();
    await page.getByText("версия 2", { exact: true }).waitFor();

    await page.getByRole("tab", { name: "Версии" }).click();
    await page.getByRole("row").filter({ hasText: RULE_NAME }).nth(1).waitFor();
    const diff = page.getByTestId("rule-diff");
    const changed = diff.getByRole("row").filter({ hasText: "effects[0].params.percentBp" });
    await changed.waitFor();
    expect((await changed.innerText()).replace(/\s+/g, " ")).toContain(
      "effects[0].params.percentBp 20 % 25 %",
    );
    expect(await diff.getByRole("row").count()).toBe(2);
    await cabinet.expectAccessible(page, "rules-05-versions-diff");

    await page.getByRole("button", { name: "Отключить правило" }).click();
    await page.getByRole("button", { name: "Включить правило" }).waitFor();
    const calculated = await posCalculate("cabinet-rules-2");
    expect(calculated.lines[0]!.discounts.map((d) => d.ruleId)).not.toContain(ruleId);
    await page.getByRole("button", { name: "Включить правило" }).click();
    await page.getByRole("button", { name: "Отключить правило" }).waitFor();
    const again = await posCalculate("cabinet-rules-3");
    expect(again.lines[0]!.discounts).toContainEqual({ ruleId, version: 2, amount: 10_000 });
  });

  it("generates a promo-code batch and downloads it as CSV; creates a single code and shows its uses", async () => {
    const page = await signedIn();
    await page.goto("/p/demo/programs/main?tab=promo-codes");
    await page.getByRole("button", { name: "Сгенерировать партию" }).click();
    const dialog = page.getByRole("dialog", { name: "Сгенерировать партию" });
    await dialog.getByRole("textbox", { name: "Код партии" }).fill("spring-2026");
    await dialog.getByRole("textbox", { name: "Количество кодов" }).fill("25");
    await dialog.getByRole("textbox", { name: "Префикс" }).fill("SP");
    await dialog.getByRole("textbox", { name: "Кампания" }).fill("spring");
    await dialog.getByRole("button", { name: "Сгенерировать" }).click();
    await dialog.getByText("Партия spring-2026: 25 кодов").waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      dialog.getByRole("link", { name: "Скачать CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("main-spring-2026.csv");
    const csv = await readFile((await download.path())!, "utf8");
    const [header, ...rows] = csv.trim().split("\n");
    expect(header).toBe("code,valid_from,valid_to,max_uses,uses_consumed,disabled");
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(25);
    for (const r of rows) expect(r).toMatch(/^SP[A-Z0-9]{10},,,1,0,0$/);
    await dialog.getByRole("button", { name: "Закрыть" }).last().click();

    await page.getByRole("button", { name: "Создать промокод" }).click();
    const single = page.getByRole("dialog", { name: "Создать промокод" });
    await single.getByRole("textbox", { name: "Промокод" }).fill("bad code!");
    await single.getByRole("button", { name: "Создать" }).click();
    const codeField = single.getByRole("textbox", { name: "Промокод" });
    await expect.poll(() => codeField.getAttribute("aria-invalid")).toBe("true");
    await codeField.fill("WELCOME10");
    await single.getByRole("textbox", { name: "Сколько раз можно использовать" }).fill("");
    await single.getByRole("button", { name: "Создать" }).click();
    await single.waitFor({ state: "hidden" });

    // The batch's 25 codes sort before it: the search by the beginning of a code finds it.
    await page.getByRole("textbox", { name: "Поиск" }).fill("welc");
    await page.getByRole("textbox", { name: "Поиск" }).press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("welc");
    const row = page.getByRole("row").filter({ hasText: "WELCOME10" });
    await row.waitFor();
    await expect.poll(() => page.getByRole("table", { name: "Коды" }).getByRole("row").count()).toBe(2);
    expect(await row.innerText()).toContain("0 (без ограничения)");
    await cabinet.expectAccessible(page, "rules-06-promo-codes");
    await row.getByRole("button", { name: "WELCOME10" }).click();
    const uses = page.getByRole("dialog", { name: "Промокод WELCOME10" });
    await uses.getByText("Промокод ещё не использовали.").waitFor();

    // A batch's codes are listed by the batch filter, kept in the URL with the search (cleared first).
    await uses.getByRole("button", { name: "Закрыть" }).first().click();
    await page.getByRole("textbox", { name: "Поиск" }).fill("");
    await page.getByRole("textbox", { name: "Поиск" }).press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBeNull();
    await page.getByRole("button", { name: "Показать коды партии spring-2026" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("batch")).toBe("spring-2026");
    const codesTable = page.getByRole("table", { name: "Коды" });
    await expect.poll(() => codesTable.getByRole("row").filter({ hasText: "spring-2026" }).count()).toBe(25);
    expect(await codesTable.getByRole("row").filter({ hasText: "WELCOME10" }).count()).toBe(0);
  });

  it("adds a card level with its threshold in rubles and changes it", async () => {
    const page = await signedIn();
    await page.goto("/p/demo/programs/main?tab=levels");
    await page.getByRole("button", { name: "Добавить уровень" }).click();
    const dialog = page.getByRole("dialog", { name: "Добавить уровень" });
    await dialog.getByRole("textbox", { name: "Код" }).fill("silver");
    await dialog.getByRole("textbox", { name: "Название" }).fill("Серебро");
    await dialog.getByRole("textbox", { name: /Порог/ }).fill("5000");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page.getByRole("row").filter({ hasText: "silver" });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/5\s000,00\s₽/);
    const levels = await cabinet.apiFromPage(page, "GET", "/partners/demo/programs/main/levels");
    expect(levels.body.items).toContainEqual(expect.objectContaining({ code: "silver", threshold: 500_000 }));

    await row.getByRole("button", { name: "Изменить уровень silver" }).click();
    const edit = page.getByRole("dialog", { name: "Уровень silver" });
    await edit.getByRole("textbox", { name: /Порог/ }).fill("7500,50");
    await edit.getByRole("button", { name: "Сохранить" }).click();
    await edit.waitFor({ state: "hidden" });
    await expect.poll(() => row.innerText()).toMatch(/7\s500,50\s₽/);
    await cabinet.expectAccessible(page, "rules-07-levels");
  });

  it("shows the rule editor in English, with the registry's titles in English", async () => {
    const page = await signedIn();
    await page.goto(`/p/demo/programs/main/rules/${ruleId}`);
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: RULE_NAME, level: 2 }).waitFor();
    const effect = page.getByRole("group", { name: "Effect 1" });
    await effect.waitFor();
    expect(await effect.getByLabel("Type", { exact: true }).inputValue()).toBe("Discount, %");
    expect(
      await page.getByRole("group", { name: "Condition 1" }).getByLabel("Type", { exact: true }).inputValue(),
    ).toBe("Products");
    await page.getByRole("button", { name: "Save a new version" }).waitFor();
    await cabinet.expectAccessible(page, "rules-08-editor-english");
  });
});
