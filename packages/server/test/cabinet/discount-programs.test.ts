/**
 * Creating a manufacturer's discount program in the cabinet, in Chromium against a real server with the
 * demo data: a marketer fills the code, the name and two products on the new program's form, lands on
 * the created program, finds it in the list and through the admin API; a code the server refuses (its
 * pattern, one already taken) is shown at the code field and nothing is created; an analyst gets no
 * create button, no form, and a 403 from the API. Every page passes axe and leaves a screenshot
 * prefixed `discount-programs-`.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, fieldError, startCabinet } from "../support/cabinet.js";

interface DiscountProgramAnswer {
  code: string;
  name: string;
  version: number;
  active: boolean;
  ownerPartnerCode: string;
  items: { barcode: string; name: string; discount: Record<string, unknown> }[];
}

const CODE = "autumn-vitamins";
/** Required fields: Mantine's asterisk is part of the label's text. */
const CODE_FIELD = /^Код \*?$/;
const NAME_FIELD = /^Название \*?$/;

describeInChromium("cabinet: creating a manufacturer program", () => {
  let cabinet: Cabinet;
  let marketer: Page;

  const programCodes = async () =>
    (
      (await cabinet.apiFromPage(marketer, "GET", "/partners/demo/discount-programs")).body
        .items as DiscountProgramAnswer[]
    ).map((p) => p.code);

  beforeAll(async () => {
    cabinet = await startCabinet();
    marketer = await cabinet.newPage();
    await cabinet.signIn(marketer, "marketer@demo.kopilka");
    await marketer.waitForURL("**/p/demo/dashboard");
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  it("creates a program with two products, lists it and opens it", async () => {
    const page = marketer;
    expect(await programCodes()).not.toContain(CODE);
    await page
      .getByRole("navigation", { name: "Меню" })
      .getByRole("link", { name: "Программы производителей" })
      .click();
    await page.waitForURL("**/p/demo/discount-programs");
    await page.getByRole("link", { name: "Создать программу" }).click();
    await page.waitForURL("**/p/demo/discount-programs/new");
    await page.getByRole("heading", { name: "Новая программа производителя", level: 2 }).waitFor();
    await page.getByText("В программе нет товаров.").waitFor();
    await cabinet.expectAccessible(page, "discount-programs-01-new");

    await page.getByLabel(CODE_FIELD).fill(CODE);
    await page.getByLabel(NAME_FIELD).fill("Витамины осенью");
    await page.getByRole("button", { name: "Добавить товар" }).click();
    await page.getByLabel("Штрихкод, строка 1", { exact: true }).fill("4607000000109");
    await page.getByLabel("Название товара, строка 1", { exact: true }).fill("Витамин D3 2000 МЕ");
    await page.getByLabel("Скидка, %, строка 1", { exact: true }).fill("10");
    await page.getByRole("button", { name: "Добавить товар" }).click();
    await page.getByLabel("Штрихкод, строка 2", { exact: true }).fill("4607000000116");
    await page.getByLabel("Название товара, строка 2", { exact: true }).fill("Омега-3 60 капсул");
    await page.getByRole("combobox", { name: "Вид скидки, строка 2" }).click();
    await page.getByRole("option", { name: "Рубли с упаковки" }).click();
    // 25,50 rubles is 2550 kopecks, converted from the typed decimal without a float.
    await page.getByLabel("Сумма, ₽, строка 2", { exact: true }).fill("25,50");
    await cabinet.expectAccessible(page, "discount-programs-02-new-filled");
    await page.getByRole("button", { name: "Создать программу" }).click();

    await page.waitForURL(`**/p/demo/discount-programs/${CODE}`);
    await page.getByText(`Программа ${CODE} создана`).waitFor();
    await page.getByRole("heading", { name: `Витамины осенью (${CODE})`, level: 2 }).waitFor();
    expect(await page.getByLabel("Штрихкод, строка 2", { exact: true }).inputValue()).toBe("4607000000116");

    await page.getByRole("link", { name: "← Программы производителей" }).click();
    await page.waitForURL("**/p/demo/discount-programs");
    const row = page.getByRole("table", { name: "Программы производителей" }).getByRole("row").filter({
      hasText: CODE,
    });
    await row.waitFor();
    expect(await row.innerText()).toContain("Витамины осенью");
    await cabinet.expectAccessible(page, "discount-programs-03-listed");
    await row.getByRole("link", { name: CODE, exact: true }).click();
    await page.waitForURL(`**/p/demo/discount-programs/${CODE}`);
    expect(await page.getByLabel("Название товара, строка 1", { exact: true }).inputValue()).toBe(
      "Витамин D3 2000 МЕ",
    );

    const created = await cabinet.apiFromPage(page, "GET", `/partners/demo/discount-programs/${CODE}`);
    expect(created.status).toBe(200);
    const program = created.body as unknown as DiscountProgramAnswer;
    expect(program).toMatchObject({
      code: CODE,
      name: "Витамины осенью",
      active: true,
      ownerPartnerCode: "demo",
    });
    expect(program.items).toEqual([
      {
        barcode: "4607000000109",
        name: "Витамин D3 2000 МЕ",
        discount: { type: "percent", percentBp: 1000 },
      },
      { barcode: "4607000000116", name: "Омега-3 60 капсул", discount: { type: "cash", amount: 2550 } },
    ]);
    await page.getByText(`Версия ${program.version}`, { exact: true }).first().waitFor();
    await cabinet.expectAccessible(page, "discount-programs-04-created");
  }, 120_000);

  it("shows a code the server refuses at the code field, and creates nothing", async () => {
    const page = marketer;
    const before = await programCodes();
    expect(before).toContain(CODE);
    await page.goto("/p/demo/discount-programs/new");
    const submit = page.getByRole("button", { name: "Создать программу" });
    await page.getByLabel(NAME_FIELD).fill("Ещё одна программа");

    // Not the API's pattern: the server refuses, and the form says what a code may hold.
    await page.getByLabel(CODE_FIELD).fill("осенние витамины");
    await submit.click();
    expect(await fieldError(page, CODE_FIELD)).toContain("Код начинается с латинской буквы или цифры");

    // An empty product list: the server wants one product at least.
    await page.getByLabel(CODE_FIELD).fill(CODE);
    await submit.click();
    await page.getByText("Добавьте в программу хотя бы один товар").waitFor();

    // The code of the program created above: the API's conflict, at the code field.
    await page.getByRole("button", { name: "Добавить товар" }).click();
    await page.getByLabel("Штрихкод, строка 1", { exact: true }).fill("4607000000123");
    await page.getByLabel("Название товара, строка 1", { exact: true }).fill("Цинк 25 мг");
    await page.getByLabel("Скидка, %, строка 1", { exact: true }).fill("5");
    const conflict = await cabinet.apiFromPage(page, "POST", "/partners/demo/discount-programs", {
      code: CODE,
      name: "Ещё одна программа",
      items: [
        { barcode: "4607000000123", name: "Цинк 25 мг", discount: { type: "percent", percentBp: 500 } },
      ],
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: "PROGRAM_EXISTS", details: { field: "code" } });
    await submit.click();
    expect(await fieldError(page, CODE_FIELD)).toContain(conflict.body.message as string);
    // The code field is far above the button just pressed: the form takes the marketer to it.
    expect(await page.getByLabel(CODE_FIELD).and(page.locator(":focus")).count()).toBe(1);
    expect(new URL(page.url()).pathname).toBe("/p/demo/discount-programs/new");
    await cabinet.expectAccessible(page, "discount-programs-05-code-taken");

    // The cabinet's own address for the form is no code for a program.
    await page.getByLabel(CODE_FIELD).fill("new");
    await submit.click();
    expect(await fieldError(page, CODE_FIELD)).toContain("занят адресом этой формы");

    expect(await programCodes()).toEqual(before);
    const program = (await cabinet.apiFromPage(page, "GET", `/partners/demo/discount-programs/${CODE}`))
      .body as unknown as DiscountProgramAnswer;
    expect(program.name).toBe("Витамины осенью");
  }, 120_000);

  it("gives a role without the right to change programs no create button, no form and a 403", async () => {
    const owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    const page = await cabinet.signInNewMember(owner, "programs-analyst@demo.kopilka", "analyst");

    await page.goto("/p/demo/discount-programs");
    await page
      .getByRole("table", { name: "Программы производителей" })
      .getByRole("row")
      .filter({ hasText: CODE })
      .waitFor();
    expect(await page.getByRole("link", { name: "Создать программу" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Создать программу" }).count()).toBe(0);

    await page.goto("/p/demo/discount-programs/new");
    await page.getByRole("alert").filter({ hasText: "Нет доступа" }).waitFor();
    expect(await page.getByLabel(CODE_FIELD).count()).toBe(0);
    await cabinet.expectAccessible(page, "discount-programs-06-analyst-no-form");

    const refused = await cabinet.apiFromPage(page, "POST", "/partners/demo/discount-programs", {
      code: "analyst-program",
      name: "Не должна появиться",
      items: [{ barcode: "4607000000130", name: "Магний B6", discount: { type: "percent", percentBp: 700 } }],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
    expect(await programCodes()).not.toContain("analyst-program");
  }, 120_000);
});
