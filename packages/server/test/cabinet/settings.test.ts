/**
 * The cabinet's program settings and manufacturer programs in Chromium against a real server with the
 * demo data: an owner changes the program's terms in human units (days, percent) and reads them back
 * through the API, sees the server's complaint next to the field it names, switches registration's
 * confirmation method; edits the demo's PharmApi test program (a typed row, rows pasted from a
 * spreadsheet, a duplicate barcode refused on its row) and finds the new version and the products through
 * the API; an analyst sees both read-only and the server refuses them. English on the discount program.
 * Every page passes axe and leaves a screenshot prefixed `settings-`.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, fieldError, startCabinet } from "../support/cabinet.js";

interface ProgramAnswer {
  holdDays: number;
  maxPointsPaymentShareBp: number;
  version: number;
}

interface DiscountProgramAnswer {
  code: string;
  version: number;
  ownerPartnerCode: string;
  items: { barcode: string; name: string; discount: Record<string, unknown> }[];
}

describeInChromium("cabinet: program settings and manufacturer programs", () => {
  let cabinet: Cabinet;
  let owner: Page;
  let discountCode: string;

  const program = async () =>
    (await cabinet.apiFromPage(owner, "GET", "/partners/demo/programs/main"))
      .body as unknown as ProgramAnswer;
  const discountProgram = async () =>
    (await cabinet.apiFromPage(owner, "GET", `/partners/demo/discount-programs/${discountCode}`))
      .body as unknown as DiscountProgramAnswer;

  beforeAll(async () => {
    cabinet = await startCabinet();
    owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    const listed = await cabinet.apiFromPage(owner, "GET", "/partners/demo/discount-programs");
    const own = (listed.body.items as DiscountProgramAnswer[]).find((p) => p.ownerPartnerCode === "demo");
    expect(own, JSON.stringify(listed.body)).toBeDefined();
    discountCode = own!.code;
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  it("changes the program's terms in days and percent, and shows the server's complaint next to the field", async () => {
    const page = owner;
    await page.goto("/p/demo/programs/main");
    await page.getByRole("tab", { name: "Настройки" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("tab")).toBe("settings");
    const hold = page.getByLabel("Удержание начисленных баллов, дней", { exact: true });
    const before = await program();
    expect(await hold.inputValue()).toBe(String(before.holdDays));
    await cabinet.expectAccessible(page, "settings-01-terms");

    const newHold = before.holdDays === 21 ? 22 : 21;
    await hold.fill(String(newHold));
    // 33,5 % is 3350 basis points, converted from the typed decimal without a float.
    await page.getByLabel("Доля чека, оплачиваемая баллами", { exact: true }).fill("33,5");
    await page.getByRole("button", { name: "Сохранить условия" }).click();
    await expect.poll(async () => (await program()).holdDays).toBe(newHold);
    const after = await program();
    expect(after.maxPointsPaymentShareBp).toBe(3350);
    expect(after.version).toBeGreaterThan(before.version);
    await page.getByText(`Условия сохранены, версия программы ${after.version}`).waitFor();
    expect(await page.getByLabel("Доля чека, оплачиваемая баллами", { exact: true }).inputValue()).toBe(
      "33,5",
    );

    // More days than the contract allows: the server refuses, and its words land on the field.
    const refusal = await cabinet.apiFromPage(owner, "PATCH", "/partners/demo/programs/main", {
      holdDays: 5000,
    });
    expect(refusal.status).toBe(400);
    expect(refusal.body.details).toMatchObject({ field: "holdDays" });
    await hold.fill("5000");
    await page.getByRole("button", { name: "Сохранить условия" }).click();
    expect(await fieldError(page, "Удержание начисленных баллов, дней")).toContain(
      refusal.body.message as string,
    );
    expect((await program()).holdDays).toBe(newHold);
    await cabinet.expectAccessible(page, "settings-02-terms-error");
  }, 120_000);

  it("switches registration's confirmation method", async () => {
    const page = owner;
    await page.goto("/p/demo/programs/main?tab=settings");
    const registration = async () =>
      (await cabinet.apiFromPage(owner, "GET", "/partners/demo/programs/main/registration")).body as {
        confirmationMethod: string;
      };
    const before = (await registration()).confirmationMethod;
    const [target, label] = before === "none" ? ["email", "Код по эл. почте"] : ["none", "Без подтверждения"];
    await page.getByRole("combobox", { name: "Подтверждение регистрации" }).click();
    await page.getByRole("option", { name: label }).click();
    await page.getByRole("button", { name: "Сохранить настройки регистрации" }).click();
    await expect.poll(async () => (await registration()).confirmationMethod).toBe(target);
    await page.getByText("Настройки регистрации сохранены").waitFor();
    await cabinet.expectAccessible(page, "settings-03-registration");
  }, 120_000);

  it("lists manufacturer programs, adds a product typed and pasted, and saves a new version", async () => {
    const page = owner;
    await page.goto("/p/demo/dashboard");
    await page
      .getByRole("navigation", { name: "Меню" })
      .getByRole("link", { name: "Программы производителей" })
      .click();
    await page.waitForURL("**/p/demo/discount-programs");
    await page.getByRole("heading", { name: "Программы производителей", level: 2 }).waitFor();
    const before = await discountProgram();
    await page.getByRole("row").filter({ hasText: discountCode }).waitFor();
    await cabinet.expectAccessible(page, "settings-04-discount-programs");

    await page.getByRole("link", { name: discountCode, exact: true }).click();
    await page.waitForURL(`**/p/demo/discount-programs/${discountCode}`);
    await page.getByText(`Версия ${before.version}`, { exact: true }).first().waitFor();
    const firstBarcode = before.items[0]!.barcode;
    expect(await page.getByLabel("Штрихкод, строка 1", { exact: true }).inputValue()).toBe(firstBarcode);
    await cabinet.expectAccessible(page, "settings-05-discount-program");

    const n = before.items.length + 1;
    await page.getByRole("button", { name: "Добавить товар" }).click();
    await page.getByLabel(`Штрихкод, строка ${n}`, { exact: true }).fill("4607000000017");
    await page.getByLabel(`Название товара, строка ${n}`, { exact: true }).fill("Тестовый сироп 100 мл");
    await page.getByLabel(`Скидка, %, строка ${n}`, { exact: true }).fill("12,5");

    await page
      .getByLabel("Вставить товары из таблицы")
      .fill("штрихкод;название;вид;размер\n4607000000024;Тестовые капли 10 мл;руб;15,50\nэто не товар");
    await page.getByRole("button", { name: "Добавить в список" }).click();
    await page
      .getByText("Добавлено или обновлено строк: 1. Не разобраны: строка 3 — меньше четырёх полей")
      .waitFor();
    expect(await page.getByLabel(`Штрихкод, строка ${n + 1}`, { exact: true }).inputValue()).toBe(
      "4607000000024",
    );

    // A duplicate barcode is refused by the server on the row it names; nothing is saved.
    await page.getByLabel(`Штрихкод, строка ${n + 1}`, { exact: true }).fill(firstBarcode);
    await page.getByRole("button", { name: "Сохранить новую версию" }).click();
    expect(await fieldError(page, `Штрихкод, строка ${n + 1}`)).toContain("Уже есть в строке 1");
    await page.getByText(`Ошибки в строках: ${n + 1}`).waitFor();
    expect((await discountProgram()).version).toBe(before.version);
    await cabinet.expectAccessible(page, "settings-06-discount-program-error");

    await page.getByLabel(`Штрихкод, строка ${n + 1}`, { exact: true }).fill("4607000000024");
    await page.getByRole("button", { name: "Сохранить новую версию" }).click();
    await expect.poll(async () => (await discountProgram()).version).toBe(before.version + 1);
    const after = await discountProgram();
    expect(after.items).toHaveLength(before.items.length + 2);
    expect(after.items.find((i) => i.barcode === "4607000000017")).toEqual({
      barcode: "4607000000017",
      name: "Тестовый сироп 100 мл",
      discount: { type: "percent", percentBp: 1250 },
    });
    expect(after.items.find((i) => i.barcode === "4607000000024")?.discount).toEqual({
      type: "cash",
      amount: 1550,
    });
    const versions = await cabinet.apiFromPage(
      owner,
      "GET",
      `/partners/demo/discount-programs/${discountCode}/versions`,
    );
    expect((versions.body.items as { version: number }[])[0]!.version).toBe(after.version);
    await page.getByText(`Сохранена версия ${after.version}`).waitFor();
    await page
      .getByRole("table", { name: "Версии" })
      .getByRole("row")
      .filter({ hasText: String(after.version) })
      .first()
      .waitFor();
    await cabinet.expectAccessible(page, "settings-07-discount-program-saved");
  }, 120_000);

  it("shows the manufacturer program in English", async () => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    await page.goto(`/p/demo/discount-programs/${discountCode}`);
    await page.getByRole("heading", { name: "Товары и скидки" }).waitFor();
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Products and discounts" }).waitFor();
    await page.getByRole("button", { name: "Save a new version" }).waitFor();
    expect(await page.getByLabel("Barcode, row 1", { exact: true }).count()).toBe(1);
    await cabinet.expectAccessible(page, "settings-08-discount-program-english");
  }, 120_000);

  it("searches the product catalogue by a prefix and pages through it", async () => {
    const page = owner;
    await page.goto("/p/demo/dashboard");
    await page
      .getByRole("navigation", { name: "Меню" })
      .getByRole("link", { name: "Товары", exact: true })
      .click();
    await page.waitForURL("**/p/demo/products");
    const table = page.getByRole("table", { name: "Товары" });
    await table.getByRole("row").filter({ hasText: "SKU-00001" }).waitFor();
    expect(await table.getByRole("row").count()).toBe(26);
    await page.getByRole("button", { name: "Дальше →" }).click();
    await table.getByRole("row").filter({ hasText: "SKU-00026" }).waitFor();
    expect(await table.getByRole("row").filter({ hasText: "SKU-00001" }).count()).toBe(0);

    const search = page.getByRole("textbox", { name: "Поиск" });
    await search.fill("sku-0001");
    await search.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("q")).toBe("sku-0001");
    const fromApi = await cabinet.apiFromPage(owner, "GET", "/partners/demo/products?q=sku-0001");
    const skus = (fromApi.body.items as { sku: string }[]).map((p) => p.sku);
    expect(skus).toHaveLength(10);
    await expect.poll(() => table.getByRole("row").count()).toBe(11);
    const shown = (await table.getByRole("row").allInnerTexts()).slice(1).map((r) => r.split(/\s/)[0]);
    expect(shown).toEqual(skus);
    await cabinet.expectAccessible(page, "settings-10-products");
  }, 120_000);

  it("imports a CSV file of products in chunks with a progress bar", async () => {
    const page = owner;
    await page.goto("/p/demo/products");
    await page.getByRole("button", { name: "Импорт из CSV" }).click();
    const dialog = page.getByRole("dialog", { name: "Импорт товаров из CSV" });
    const lines = ["артикул;штрихкод;название;категория;мин. цена"];
    for (let i = 1; i <= 1_200; i++) {
      const n = String(i).padStart(4, "0");
      lines.push(
        `CSV-${n};462${String(i).padStart(10, "0")};"Сироп; вишня ""${i}""";herbs;${i === 7 ? "12,50" : ""}`,
      );
    }
    await dialog.locator('input[type="file"]').setInputFiles({
      name: "products.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`, "utf8"),
    });
    await dialog.getByText("products.csv: товаров к загрузке — 1200").waitFor();
    await dialog.getByRole("button", { name: "Загрузить (1200)" }).click();
    await dialog.getByText("Загружено 1200 из 1200").waitFor({ timeout: 60_000 });
    expect(
      await dialog.getByRole("progressbar", { name: "Ход загрузки" }).getAttribute("aria-valuenow"),
    ).toBe("100");
    await dialog.getByText("Импорт завершён: новых 1200, обновлено 0").waitFor();
    await cabinet.expectAccessible(page, "settings-11-products-import");

    const found = await cabinet.apiFromPage(owner, "GET", "/partners/demo/products?q=CSV-0007");
    expect(found.body.items).toEqual([
      expect.objectContaining({
        sku: "CSV-0007",
        barcode: "4620000000007",
        name: 'Сироп; вишня "7"',
        category: "herbs",
        minPrice: 1250,
      }),
    ]);
    const last = await cabinet.apiFromPage(owner, "GET", "/partners/demo/products?q=CSV-1200");
    expect((last.body.items as { sku: string }[]).map((p) => p.sku)).toEqual(["CSV-1200"]);
    const audit = await cabinet.apiFromPage(
      owner,
      "GET",
      "/partners/demo/audit?entityType=products&limit=10",
    );
    expect((audit.body.items as { action: string }[]).map((e) => e.action)).toEqual([
      "import",
      "import",
      "import",
    ]);
    await dialog.getByRole("button", { name: "Закрыть", exact: true }).last().click();
    const search = page.getByRole("textbox", { name: "Поиск" });
    await search.fill("csv-000");
    await search.press("Enter");
    await page
      .getByRole("table", { name: "Товары" })
      .getByRole("row")
      .filter({ hasText: "CSV-0001" })
      .waitFor();
  }, 180_000);

  it("shows an analyst both read-only, and the server refuses their changes", async () => {
    const page = await cabinet.signInNewMember(owner, "settings-analyst@demo.kopilka", "analyst");

    await page.goto("/p/demo/programs/main?tab=settings");
    await page.getByRole("heading", { name: "Условия программы" }).waitFor();
    expect(await page.getByLabel("Удержание начисленных баллов, дней", { exact: true }).isDisabled()).toBe(
      true,
    );
    expect(await page.getByRole("button", { name: "Сохранить условия" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Сохранить настройки регистрации" }).count()).toBe(0);
    await cabinet.expectAccessible(page, "settings-09-analyst-read-only");
    const refused = await cabinet.apiFromPage(page, "PATCH", "/partners/demo/programs/main", { holdDays: 3 });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");

    await page.goto(`/p/demo/discount-programs/${discountCode}`);
    await page.getByRole("heading", { name: "Товары и скидки" }).waitFor();
    expect(await page.getByRole("button", { name: "Сохранить новую версию" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Добавить товар" }).count()).toBe(0);
    expect(
      await page.getByLabel("Штрихкод, строка 1", { exact: true }).getAttribute("readonly"),
    ).not.toBeNull();
  }, 120_000);
});
