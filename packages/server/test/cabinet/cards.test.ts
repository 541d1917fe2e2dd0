/**
 * The cabinet's Cards and Clients pages in Chromium against a real server with the demo data: an owner
 * finds a card by its number and by its holder's phone, reads the balance the API reports, adjusts points
 * and sees the ledger entry, blocks the card and watches a real POS calculate refuse it, generates a batch;
 * edits, exports, merges and erases clients; an analyst sees contacts masked as the server sends them; a
 * marketer gets neither section. Every page passes axe and leaves a screenshot prefixed `cards-`.
 */
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";

const HOLDER_PHONE = "+79161230001";

/** Hundredths of a point as the cabinet prints them in Russian (1 505 or 12,5), computed independently. */
function ruPoints(hundredths: number): string {
  const abs = Math.abs(hundredths);
  const whole = new Intl.NumberFormat("ru-RU").format(Math.trunc(abs / 100));
  const cents = abs % 100;
  const fraction = cents === 0 ? "" : `,${String(cents).padStart(2, "0").replace(/0$/, "")}`;
  return `${hundredths < 0 ? "-" : ""}${whole}${fraction}`;
}

interface CardAnswer {
  number: string;
  status: string;
  clientId: number | null;
  balance: { active: number; pending: number; held: number; available: number };
}

describeInChromium("cabinet: cards and clients", () => {
  let cabinet: Cabinet;
  let owner: Page;
  let posToken: string;
  let holderCard: string;
  let spareCard: string;
  let lostCard: string;
  let generated: string[] = [];
  let holderId: number;

  const pos = async (path: string, body: unknown) => {
    const res = await fetch(`${cabinet.server.base}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(posToken ? { authorization: `Bearer ${posToken}` } : {}),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const calculate = (purchaseId: string, cardNumber: string) =>
    pos("/v1/purchases/calculate", {
      purchaseId,
      storeCode: "MSK-01",
      posCode: "POS-1",
      cardNumber,
      lines: [{ lineId: "1", sku: "SKU-00001", quantity: 1000, price: 10_000 }],
    });
  const register = async (form: Record<string, unknown>) => {
    const res = await pos("/v1/clients", { consents: { personalData: true }, ...form });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.client as { id: number }).id;
  };
  const cardFromApi = async (number: string) =>
    (await cabinet.apiFromPage(owner, "GET", `/partners/demo/cards/${number}`)).body as unknown as CardAnswer;

  beforeAll(async () => {
    cabinet = await startCabinet();
    owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    // Clients register at the till without a code here, so the test can give a demo card a holder.
    const settings = await cabinet.apiFromPage(owner, "PATCH", "/partners/demo/programs/main/registration", {
      confirmationMethod: "none",
    });
    expect(settings.status).toBe(200);
    posToken = "";
    const token = await pos("/v1/auth/token", { login: "demo-pos-msk-1", secret: "demo-secret" });
    posToken = token.body.accessToken as string;
    const listed = await cabinet.apiFromPage(owner, "GET", "/partners/demo/cards?limit=20");
    const withPoints = (listed.body.items as CardAnswer[]).filter((c) => c.balance.active > 0);
    holderCard = withPoints[3]!.number;
    spareCard = withPoints[4]!.number;
    lostCard = withPoints[5]!.number;
    holderId = await register({
      name: "Анна Петрова",
      phone: "+7 916 123-00-01",
      email: "anna@example.ru",
      cardNumber: holderCard,
    });
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  it("finds a card by its number and by its holder's phone, and shows the balance the API reports", async () => {
    const page = owner;
    expect(await cabinet.menu(page)).toEqual(expect.arrayContaining(["Карты", "Клиенты"]));
    await page.getByRole("navigation", { name: "Меню" }).getByRole("link", { name: "Карты" }).click();
    await page.waitForURL("**/p/demo/cards");
    await page.getByRole("heading", { name: "Карты", level: 2 }).waitFor();
    await page.getByRole("row").nth(5).waitFor();
    await cabinet.expectAccessible(page, "cards-01-list");

    const rows = page.getByRole("table", { name: "Карты" }).getByRole("row");
    const search = page.getByRole("textbox", { name: "Поиск" });
    await search.fill(holderCard);
    await search.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("number")).toBe(holderCard);
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).innerText()).toContain(holderCard);

    await page.getByRole("combobox", { name: "Искать по" }).click();
    await page.getByRole("option", { name: "телефону" }).click();
    await search.fill("8 (916) 123-00-01");
    await search.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("phone")).toBe("8 (916) 123-00-01");
    expect(new URL(page.url()).searchParams.get("number")).toBeNull();
    await expect.poll(() => rows.count()).toBe(2);
    const found = rows.nth(1);
    expect(await found.innerText()).toContain(holderCard);
    expect(await found.innerText()).toContain(`Клиент № ${holderId}`);
    await cabinet.expectAccessible(page, "cards-02-found-by-phone");

    // A phone nobody has finds nothing (the search is exact, through the keyed hash).
    await search.fill("+7 999 000-00-00");
    await search.press("Enter");
    await page.getByText("Ничего не найдено").waitFor();

    await page.goBack();
    await found.getByRole("link", { name: holderCard }).click();
    await page.waitForURL(`**/p/demo/cards/${holderCard}`);
    await page.getByRole("heading", { name: `Карта ${holderCard}`, level: 2 }).waitFor();
    const api = await cardFromApi(holderCard);
    expect(api.balance.active).toBeGreaterThan(0);
    for (const key of ["active", "pending", "held", "available"] as const) {
      await expect
        .poll(() => page.getByTestId(`balance-${key}`).getByTestId("figure").innerText())
        .toBe(`${ruPoints(api.balance[key])} б.`);
    }
    await page.getByRole("table", { name: "Движение баллов" }).getByRole("row").nth(1).waitFor();
    await cabinet.expectAccessible(page, "cards-03-card");
  }, 120_000);

  it("adjusts points with a reason in points and hundredths, and the ledger shows the entry", async () => {
    const page = owner;
    await page.goto(`/p/demo/cards/${holderCard}`);
    const before = await cardFromApi(holderCard);
    await page.getByRole("button", { name: "Скорректировать баллы" }).click();
    const dialog = page.getByRole("dialog", { name: `Корректировка баллов карты ${holderCard}` });
    await dialog.getByLabel("Баллы").fill("12,345");
    await dialog.getByLabel("Причина").fill("Компенсация за сбой кассы");
    await dialog.getByRole("button", { name: "Провести" }).click();
    // Three decimals are refused next to the field before anything is sent.
    await expect.poll(() => dialog.getByLabel("Баллы").getAttribute("aria-invalid")).toBe("true");
    await cabinet.expectAccessible(page, "cards-04-adjust-invalid");
    // 0.29 × 100 is 28.999… in floating point; the form must book exactly 1229 hundredths.
    await dialog.getByLabel("Баллы").fill("12,29");
    await dialog.getByRole("button", { name: "Провести" }).click();
    await dialog.waitFor({ state: "hidden" });

    const ledger = page.getByRole("table", { name: "Движение баллов" });
    const entry = ledger.getByRole("row").filter({ hasText: "Компенсация за сбой кассы" });
    await entry.waitFor();
    expect(await entry.innerText()).toContain("Ручная корректировка");
    expect(await entry.innerText()).toContain("+12,29");
    const after = await cardFromApi(holderCard);
    expect(after.balance.active - before.balance.active).toBe(1229);
    await expect
      .poll(() => page.getByTestId("balance-active").getByTestId("figure").innerText())
      .toBe(`${ruPoints(after.balance.active)} б.`);
    await cabinet.expectAccessible(page, "cards-05-adjusted");
  }, 120_000);

  it("blocks the card so that a real POS calculate refuses it, and unblocks it", async () => {
    const page = owner;
    await page.goto(`/p/demo/cards/${holderCard}`);
    expect((await calculate("cards-before-block", holderCard)).status).toBe(200);

    await page.getByRole("button", { name: "Заблокировать" }).click();
    await page.getByRole("button", { name: "Разблокировать" }).waitFor();
    await page.getByText("Заблокирована", { exact: true }).waitFor();
    expect((await cardFromApi(holderCard)).status).toBe("blocked");
    await cabinet.expectAccessible(page, "cards-06-blocked");

    const refused = await calculate("cards-while-blocked", holderCard);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe("CARD_BLOCKED");

    await page.getByRole("button", { name: "Разблокировать" }).click();
    await page.getByRole("button", { name: "Заблокировать" }).waitFor();
    expect((await cardFromApi(holderCard)).status).toBe("active");
    expect((await calculate("cards-after-unblock", holderCard)).status).toBe(200);

    // Accrual only: the card still earns at the till.
    await page.getByRole("button", { name: "Только начисление" }).click();
    // The button has the badge's words, so the wait is for what only the new state shows: its unblock button.
    await page.getByRole("button", { name: "Разблокировать" }).waitFor();
    await page.getByText("Только начисление", { exact: true }).waitFor();
    expect((await cardFromApi(holderCard)).status).toBe("accrual_only");
    expect((await calculate("cards-accrual-only", holderCard)).status).toBe(200);
    await page.getByRole("button", { name: "Разблокировать" }).click();
    await page.getByRole("button", { name: "Только начисление" }).waitFor();
    expect((await cardFromApi(holderCard)).status).toBe("active");
  }, 120_000);

  it("generates a batch of cards from the list page and lists it", async () => {
    const page = owner;
    await page.goto("/p/demo/cards");
    await page.getByRole("button", { name: "Выпустить карты" }).click();
    const dialog = page.getByRole("dialog", { name: "Выпуск партии карт" });
    await dialog.getByLabel("Префикс").fill("77");
    await dialog.getByLabel("Длина номера").fill("13");
    await dialog.getByLabel("Первый порядковый номер").fill("1");
    await dialog.getByLabel("Количество").fill("5");
    await cabinet.expectAccessible(page, "cards-07-generate");
    await dialog.getByRole("button", { name: "Выпустить" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText(/Выпущено карт: 5/).waitFor();

    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("-createdAt");
    const api = await cabinet.apiFromPage(
      owner,
      "GET",
      "/partners/demo/cards?programCode=main&sort=-createdAt&limit=5",
    );
    const numbers = (api.body.items as CardAnswer[]).map((c) => c.number);
    generated = numbers;
    expect(numbers).toHaveLength(5);
    for (const n of numbers) expect(n).toMatch(/^77\d{11}$/);
    const rows = page.getByRole("table", { name: "Карты" }).getByRole("row");
    await expect.poll(async () => (await rows.nth(1).innerText()).split("\t")[0]?.trim()).toBe(numbers[0]);
    for (const [i, n] of numbers.entries()) expect(await rows.nth(i + 1).innerText()).toContain(n);
    await cabinet.expectAccessible(page, "cards-08-batch-listed");

    // The same range again is refused whole: nothing is half-created.
    await page.getByRole("button", { name: "Выпустить карты" }).click();
    await dialog.getByLabel("Префикс").fill("77");
    await dialog.getByLabel("Количество").fill("5");
    await dialog.getByRole("button", { name: "Выпустить" }).click();
    // The server names the serial as the culprit: its message shows under that field.
    const from = dialog.getByLabel("Первый порядковый номер");
    await expect.poll(() => from.getAttribute("aria-invalid")).toBe("true");
    await cabinet.expectAccessible(page, "cards-09-generate-conflict");
    await dialog.getByRole("button", { name: "Отмена" }).click();
    await dialog.waitFor({ state: "hidden" });
  }, 120_000);

  it("replaces a lost card by a free one: the balance moves and the old card is blocked", async () => {
    const page = owner;
    const before = await cardFromApi(lostCard);
    const replacement = generated[2]!;
    await page.goto(`/p/demo/cards/${lostCard}`);
    await page.getByRole("button", { name: "Заменить утерянную" }).click();
    const dialog = page.getByRole("dialog", { name: `Замена карты ${lostCard}` });
    await dialog.getByLabel("Номер новой карты").fill(replacement);
    await cabinet.expectAccessible(page, "cards-09b-replace");
    await dialog.getByRole("button", { name: "Заменить" }).click();
    await page.waitForURL(`**/p/demo/cards/${replacement}`);
    await page.getByRole("heading", { name: `Карта ${replacement}`, level: 2 }).waitFor();
    await expect
      .poll(() => page.getByTestId("balance-active").getByTestId("figure").innerText())
      .toBe(`${ruPoints(before.balance.active)} б.`);
    const old = await cardFromApi(lostCard);
    expect(old.status).toBe("blocked");
    expect((await cardFromApi(replacement)).balance.active).toBe(before.balance.active);
    await page.goto(`/p/demo/cards/${lostCard}`);
    await page.getByRole("link", { name: replacement }).waitFor();
    expect(await page.getByRole("button", { name: "Заменить утерянную" }).count()).toBe(0);
  }, 120_000);

  it("finds a client by phone, edits them, exports their data and merges a duplicate", async () => {
    const page = owner;
    const duplicateId = await register({
      name: "Анна П.",
      phone: "+7 916 123-00-02",
      cardNumber: spareCard,
    });
    await page.getByRole("navigation", { name: "Меню" }).getByRole("link", { name: "Клиенты" }).click();
    await page.waitForURL("**/p/demo/clients");
    await page.getByRole("heading", { name: "Клиенты", level: 2 }).waitFor();
    await page.getByRole("combobox", { name: "Искать по" }).click();
    await page.getByRole("option", { name: "телефону" }).click();
    const search = page.getByRole("textbox", { name: "Поиск" });
    await search.fill("+7 916 123-00-01");
    await search.press("Enter");
    const rows = page.getByRole("table", { name: "Клиенты" }).getByRole("row");
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(1).innerText()).toContain(HOLDER_PHONE);
    await cabinet.expectAccessible(page, "cards-10-clients");

    await rows
      .nth(1)
      .getByRole("link", { name: `Клиент № ${holderId}` })
      .click();
    await page.waitForURL(`**/p/demo/clients/${holderId}`);
    await page.getByRole("heading", { name: `Анна Петрова · Клиент № ${holderId}` }).waitFor();
    expect(await page.getByTestId("client-phone").innerText()).toContain(HOLDER_PHONE);
    await page
      .getByRole("table", { name: "Карты клиента" })
      .getByRole("link", { name: holderCard })
      .waitFor();
    await cabinet.expectAccessible(page, "cards-11-client");

    await page.getByRole("button", { name: "Изменить" }).click();
    const edit = page.getByRole("dialog", { name: `Клиент № ${holderId}` });
    await edit.getByLabel("Имя").fill("Анна Смирнова");
    await edit.getByLabel("Согласие на рассылку SMS").check();
    await cabinet.expectAccessible(page, "cards-12-client-edit");
    await edit.getByRole("button", { name: "Сохранить" }).click();
    await edit.waitFor({ state: "hidden" });
    await page.getByRole("heading", { name: `Анна Смирнова · Клиент № ${holderId}` }).waitFor();
    const saved = await cabinet.apiFromPage(owner, "GET", `/partners/demo/clients/${holderId}`);
    expect(saved.body.name).toBe("Анна Смирнова");
    expect((saved.body.consents as { sms?: boolean }).sms).toBe(true);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Выгрузить персональные данные" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`client-${holderId}-personal-data.json`);
    const exported = JSON.parse(readFileSync(await download.path(), "utf8")) as {
      client: { id: number; name: string; phone: string; email: string };
      cards: unknown[];
    };
    expect(exported.client).toMatchObject({ id: holderId, name: "Анна Смирнова", phone: HOLDER_PHONE });
    expect(exported.client.email).toBe("anna@example.ru");
    expect(exported.cards).toHaveLength(1);

    await page.getByRole("button", { name: "Объединить" }).click();
    const merge = page.getByRole("dialog", { name: `Объединить дубликат с клиентом № ${holderId}` });
    await merge.getByLabel("Номер клиента-дубликата").fill(String(duplicateId));
    await cabinet.expectAccessible(page, "cards-13-client-merge");
    await merge.getByRole("button", { name: "Объединить" }).click();
    await merge.waitFor({ state: "hidden" });
    const cards = page.getByRole("table", { name: "Карты клиента" });
    await cards.getByRole("link", { name: spareCard }).waitFor();
    expect(await cards.getByRole("row").count()).toBe(3);
    const duplicate = await cabinet.apiFromPage(owner, "GET", `/partners/demo/clients/${duplicateId}`);
    expect(duplicate.body).toMatchObject({ status: "merged", mergedInto: holderId });
  }, 120_000);

  it("erases a client on request after a confirmation that names the consequence", async () => {
    const page = owner;
    const clientId = await register({ name: "Вера Иванова", phone: "+7 916 123-00-03" });
    await page.goto(`/p/demo/clients/${clientId}`);
    await page.getByRole("heading", { name: `Вера Иванова · Клиент № ${clientId}` }).waitFor();
    await page.getByRole("button", { name: "Удалить по запросу" }).click();
    const confirm = page.getByRole("dialog", { name: `Удалить персональные данные клиента № ${clientId}?` });
    expect(await confirm.innerText()).toContain("удалены безвозвратно");
    expect(await confirm.innerText()).toContain("Карты, покупки и движение баллов останутся");
    await cabinet.expectAccessible(page, "cards-14-client-erase");
    await confirm.getByRole("button", { name: "Удалить безвозвратно" }).click();
    await confirm.waitFor({ state: "hidden" });
    await page.getByRole("heading", { name: `Клиент № ${clientId}`, exact: true }).waitFor();
    await page.getByText("Данные удалены", { exact: true }).waitFor();
    const erased = await cabinet.apiFromPage(owner, "GET", `/partners/demo/clients/${clientId}`);
    expect(erased.body).toMatchObject({ status: "anonymised", name: null, phone: null, email: null });
    expect(await page.getByRole("button", { name: "Изменить" }).count()).toBe(0);
  }, 120_000);

  it("shows an analyst the contacts masked as the server sends them, with no actions", async () => {
    const page = await cabinet.signInNewMember(owner, "cards-analyst@demo.kopilka", "analyst");

    const fromServer = await cabinet.apiFromPage(page, "GET", `/partners/demo/clients/${holderId}`);
    const maskedPhone = fromServer.body.phone as string;
    expect(maskedPhone).not.toBe(HOLDER_PHONE);
    expect(maskedPhone).toContain("*");
    await page.goto(`/p/demo/clients/${holderId}`);
    await page.getByRole("heading", { name: `Анна Смирнова · Клиент № ${holderId}` }).waitFor();
    expect(await page.getByTestId("client-phone").innerText()).toContain(maskedPhone);
    expect(await page.content()).not.toContain(HOLDER_PHONE);
    expect(await page.getByRole("button", { name: "Изменить" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Выгрузить персональные данные" }).count()).toBe(0);
    await cabinet.expectAccessible(page, "cards-15-client-analyst");

    await page.goto(`/p/demo/cards/${holderCard}`);
    await page.getByRole("heading", { name: `Карта ${holderCard}`, level: 2 }).waitFor();
    expect(await page.getByRole("button", { name: "Заблокировать" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Скорректировать баллы" }).count()).toBe(0);
    const refused = await cabinet.apiFromPage(page, "POST", `/partners/demo/cards/${holderCard}/block`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
  }, 120_000);

  it("gives the marketer neither section, and the server refuses them too", async () => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, "marketer@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    const menu = await cabinet.menu(page);
    expect(menu).not.toContain("Карты");
    expect(menu).not.toContain("Клиенты");
    await page.goto(`/p/demo/cards/${holderCard}`);
    await page.getByRole("alert").filter({ hasText: "Нет доступа" }).waitFor();
    for (const path of ["/partners/demo/cards", `/partners/demo/clients/${holderId}`]) {
      const refused = await cabinet.apiFromPage(page, "GET", path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.code, path).toBe("PERMISSION_DENIED");
    }
  }, 120_000);

  it("shows the card page in English", async () => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    await page.goto(`/p/demo/cards/${holderCard}`);
    await page.getByRole("heading", { name: `Карта ${holderCard}`, level: 2 }).waitFor();
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: `Card ${holderCard}`, level: 2 }).waitFor();
    const api = await cardFromApi(holderCard);
    const active = page.getByTestId("balance-active");
    expect(await active.innerText()).toContain("Active");
    expect(await active.getByTestId("figure").innerText()).toMatch(/ pts$/);
    await page.getByRole("heading", { name: "Points ledger" }).waitFor();
    await page.getByRole("table", { name: "Points ledger" }).getByText("Manual adjustment").first().waitFor();
    await page.getByRole("button", { name: "Adjust points" }).waitFor();
    expect(api.status).toBe("active");
    await cabinet.expectAccessible(page, "cards-16-card-english");
    await page.goto("/p/demo/clients");
    await page.getByRole("heading", { name: "Clients", level: 2 }).waitFor();
    await page.getByRole("columnheader", { name: /Phone/ }).waitFor();
    await cabinet.expectAccessible(page, "cards-17-clients-english");
  }, 120_000);
});
