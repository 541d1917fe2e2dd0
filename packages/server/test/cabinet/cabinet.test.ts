/**
 * The web cabinet in a real browser against a real server process with the demo data: each role signs
 * in and sees its menu while the server refuses what the role may not do; a store and a POS credential
 * are created through the forms and the secret is shown once; the language switches and stays; axe-core
 * finds no serious or critical violation on any page; screenshots of the main pages are saved.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ARTIFACTS, checkPage, pageChecksOff, screenshot } from "../support/browser.js";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";
import type { ServerProcess } from "../support/server-process.js";

const CABINET_DIST = fileURLToPath(new URL("../../../../apps/cabinet/dist/", import.meta.url));

describeInChromium("web cabinet in Chromium", () => {
  let cabinet: Cabinet;
  let server: ServerProcess;
  let newPage: Cabinet["newPage"];
  let signIn: Cabinet["signIn"];
  let menu: Cabinet["menu"];
  let apiFromPage: Cabinet["apiFromPage"];
  let expectAccessible: Cabinet["expectAccessible"];

  beforeAll(async () => {
    cabinet = await startCabinet({
      LOGIN_MAX_FAILURES: "3",
      LOGIN_ADDRESS_MAX_FAILURES: "1000",
      LOGIN_LOCK_SECONDS: "600",
    });
    ({ server, newPage, signIn, menu, apiFromPage, expectAccessible } = cabinet);
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  it("is built within its budget of 500 KB of gzipped JavaScript on first load", () => {
    const size = JSON.parse(readFileSync(`${CABINET_DIST}bundle-size.json`, "utf8")) as {
      firstLoadBytes: number;
      budgetBytes: number;
    };
    console.log(`cabinet first load: ${(size.firstLoadBytes / 1024).toFixed(1)} KB gzipped JavaScript`);
    expect(size.firstLoadBytes).toBeGreaterThan(0);
    expect(size.firstLoadBytes).toBeLessThanOrEqual(500 * 1024);
  });

  it("is served with long-lived hashed assets, a revalidated page and a fallback only for client routes", async () => {
    const page = await fetch(`${server.base}/p/demo/stores?sort=-name`);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.base}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    await asset.arrayBuffer();
    expect((await fetch(`${server.base}/assets/missing-0000.js`)).status).toBe(404);
    for (const path of ["/v1/nothing", "/admin/v1/nothing", "/api/x", "/docs/nothing.json", "/health/x"]) {
      const res = await fetch(`${server.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/json/);
    }
    expect((await fetch(`${server.base}/openapi.json`)).headers.get("content-type")).toMatch(/json/);
  });

  it("signs the owner in, shows the partner's menu, no platform section, and checks every page", async () => {
    const page = await newPage();
    await page.goto("/");
    await expect.poll(() => page.url()).toContain("/login");
    await expectAccessible(page, "01-login");
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    expect(await menu(page)).toEqual([
      "Сводка",
      "Магазины",
      "Доступы касс",
      "Программы",
      "Программы производителей",
      "Товары",
      "Карты",
      "Клиенты",
      "Покупки",
      "Антифрод",
      "Отчёты",
      "Пользователи и роли",
      "Журнал действий",
    ]);
    await expect.poll(() => page.getByTestId("time-zone-note").innerText()).toContain("Europe/Moscow");
    await expectAccessible(page, "02-dashboard");
    for (const [path, name, heading] of [
      ["stores", "03-stores", "Магазины"],
      ["credentials", "04-credentials", "Доступы касс"],
      ["programs", "05-programs", "Программы"],
      ["users", "06-users", "Пользователи и роли"],
      ["audit", "07-audit", "Журнал действий"],
    ] as const) {
      await page
        .getByRole("navigation", { name: "Меню" })
        .getByRole("link", { name: heading, exact: true })
        .click();
      await page.waitForURL(`**/p/demo/${path}`);
      await page.getByRole("heading", { name: heading, level: 2, exact: true }).waitFor();
      await page.getByRole("table").first().waitFor();
      await expectAccessible(page, name);
    }
    // A platform page is refused by the menu and by the server alike.
    await page.goto("/platform/partners");
    await page.getByRole("alert").filter({ hasText: "Нет доступа" }).waitFor();
    const refused = await apiFromPage(page, "GET", "/partners");
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
  });

  it("creates a store through the form, with the server's complaint next to the field", async () => {
    const page = await newPage();
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    await page.goto("/p/demo/stores");
    await page.getByRole("button", { name: "Добавить магазин" }).click();
    const dialog = page.getByRole("dialog", { name: "Добавить магазин" });
    await dialog.getByLabel("Код").fill("bad code!");
    await dialog.getByRole("textbox", { name: "Название", exact: true }).fill("Казань, Баумана");
    await dialog.getByLabel("Адрес").fill("ул. Баумана, 1");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    // The code's pattern is the server's rule: its message shows under the code field.
    const code = dialog.getByLabel("Код");
    await expect.poll(() => code.getAttribute("aria-invalid")).toBe("true");
    await checkPage(page, "08-store-form-error");
    await code.fill("KZN-01");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "hidden" });
    const row = page.getByRole("row").filter({ hasText: "KZN-01" });
    await row.waitFor();
    expect(await row.innerText()).toContain("Казань, Баумана");
    expect(await row.innerText()).toContain("Europe/Moscow");

    // The list's state is in the URL: sorting by name descending is a link one can share.
    await page.getByRole("button", { name: /Название/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("name");
    await page.getByRole("button", { name: /Название/ }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("sort")).toBe("-name");
    const shared = await newPage();
    await signIn(shared, "owner@demo.kopilka");
    await shared.waitForURL("**/p/demo/dashboard");
    await shared.goto(page.url());
    await shared.getByRole("row").nth(1).waitFor();
    const names = await shared.getByRole("row").allInnerTexts();
    expect(names.length).toBeGreaterThan(2);
    expect(await shared.getByRole("columnheader", { name: /Название/ }).getAttribute("aria-sort")).toBe(
      "descending",
    );

    // Disable and enable again.
    await row.getByRole("button", { name: "Отключить магазин KZN-01" }).click();
    await row.getByText("Отключён").waitFor();
    await row.getByRole("button", { name: "Включить магазин KZN-01" }).click();
    await row.getByText("Включён").waitFor();
  });

  it("creates a POS credential and shows its secret once; rotating gives a new one", async () => {
    const page = await newPage();
    page.on("dialog", (d) => void d.accept());
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    await page.goto("/p/demo/credentials");
    await page.getByRole("button", { name: "Добавить доступ кассы" }).click();
    const form = page.getByRole("dialog", { name: "Добавить доступ кассы" });
    await form.getByLabel("Логин").fill("kzn-pos-1");
    await form.getByRole("combobox", { name: "Магазин" }).click();
    await page.getByRole("option", { name: /MSK-01/ }).click();
    await form.getByLabel("Описание").fill("касса 1");
    await form.getByRole("button", { name: "Создать" }).click();

    const secretDialog = page.getByRole("dialog", { name: "Секрет кассы kzn-pos-1" });
    await secretDialog.waitFor();
    const secret = (await secretDialog.getByTestId("secret-value").innerText()).trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await expectAccessible(page, "09-credential-secret");
    const token = (s: string) =>
      fetch(`${server.base}/v1/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ login: "kzn-pos-1", secret: s }),
      });
    expect((await token(secret)).status).toBe(200);
    await secretDialog.getByRole("button", { name: "Я сохранил" }).click();
    await secretDialog.waitFor({ state: "hidden" });
    expect(await page.content()).not.toContain(secret);
    const row = page.getByRole("row").filter({ hasText: "kzn-pos-1" });
    expect(await row.innerText()).toContain("MSK-01");

    await row.getByRole("button", { name: "Сменить секрет kzn-pos-1" }).click();
    await secretDialog.waitFor();
    const rotated = (await secretDialog.getByTestId("secret-value").innerText()).trim();
    expect(rotated).not.toBe(secret);
    await secretDialog.getByRole("button", { name: "Я сохранил" }).click();
    expect((await token(rotated)).status).toBe(200);
    expect((await token(secret)).status).toBe(401);
  });

  it("gives an analyst a role, who changes the one-time password and may only read", async () => {
    const owner = await newPage();
    await signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    await owner.goto("/p/demo/users");
    await owner.getByRole("button", { name: "Добавить пользователя" }).click();
    const form = owner.getByRole("dialog", { name: "Добавить пользователя" });
    await form.getByLabel("Эл. почта").fill("analyst@demo.kopilka");
    await form.getByRole("combobox", { name: "Роль" }).click();
    await owner.getByRole("option", { name: "Аналитик" }).click();
    await form.getByRole("button", { name: "Добавить пользователя" }).click();
    const shown = owner.getByRole("dialog", { name: "Одноразовый пароль для analyst@demo.kopilka" });
    await shown.waitFor();
    const oneTime = (await shown.getByTestId("secret-value").innerText()).trim();
    await shown.getByRole("button", { name: "Я сохранил" }).click();

    const analyst = await newPage();
    await signIn(analyst, "analyst@demo.kopilka", oneTime);
    await analyst.waitForURL("**/change-password");
    await expectAccessible(analyst, "10-change-password");
    // Until the password is changed, the server refuses everything else.
    const early = await apiFromPage(analyst, "GET", "/partners/demo/stores");
    expect(early.body.code).toBe("PASSWORD_CHANGE_REQUIRED");
    await analyst.getByLabel("Текущий пароль").fill(oneTime);
    await analyst.getByRole("textbox", { name: "Новый пароль", exact: true }).fill("analyst-password-1");
    await analyst.getByLabel("Новый пароль ещё раз").fill("analyst-password-1");
    await analyst.getByRole("button", { name: "Сменить пароль" }).click();
    await analyst.waitForURL("**/p/demo/dashboard");
    expect(await menu(analyst)).toEqual([
      "Сводка",
      "Магазины",
      "Доступы касс",
      "Программы",
      "Программы производителей",
      "Товары",
      "Карты",
      "Клиенты",
      "Покупки",
      "Антифрод",
      "Отчёты",
      "Пользователи и роли",
      "Журнал действий",
    ]);
    await analyst.goto("/p/demo/stores");
    await analyst.getByRole("row").filter({ hasText: "MSK-01" }).waitFor();
    expect(await analyst.getByRole("button", { name: "Добавить магазин" }).count()).toBe(0);
    expect(await analyst.getByRole("button", { name: /Отключить магазин/ }).count()).toBe(0);
    const refused = await apiFromPage(analyst, "POST", "/partners/demo/stores", {
      code: "AN-01",
      name: "x",
      timezone: "Europe/Moscow",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
  });

  it("shows the marketer the dashboard, stores and programs; the server refuses the audit log", async () => {
    const page = await newPage();
    await signIn(page, "marketer@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    expect(await menu(page)).toEqual([
      "Сводка",
      "Магазины",
      "Программы",
      "Программы производителей",
      "Товары",
      "Антифрод",
      "Отчёты",
    ]);
    await page.goto("/p/demo/audit");
    await page.getByRole("alert").filter({ hasText: "Нет доступа" }).waitFor();
    const refused = await apiFromPage(page, "GET", "/partners/demo/audit");
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
    const write = await apiFromPage(page, "POST", "/partners/demo/stores/MSK-01/disable");
    expect(write.status).toBe(403);
  });

  it("gives the platform administrator the platform sections, a partner switcher and the audit diff", async () => {
    const page = await newPage();
    await signIn(page, "admin@demo.kopilka");
    await page.waitForURL("**/platform/partners");
    expect(await menu(page)).toEqual(["Партнёры", "Все пользователи", "Журнал платформы"]);
    await page.getByRole("row").filter({ hasText: "demo" }).waitFor();
    await expectAccessible(page, "11-platform-partners");
    await page.goto("/platform/users");
    await page.getByRole("row").filter({ hasText: "owner@demo.kopilka" }).waitFor();
    await expectAccessible(page, "12-platform-users");

    // The partner switcher opens the demo chain's cabinet with every partner section.
    await page.getByRole("combobox", { name: "Партнёр" }).click();
    await page.getByRole("option", { name: /demo/ }).click();
    await page.waitForURL("**/p/demo/**");
    expect(await menu(page)).toEqual([
      "Сводка",
      "Магазины",
      "Доступы касс",
      "Программы",
      "Программы производителей",
      "Товары",
      "Карты",
      "Клиенты",
      "Покупки",
      "Антифрод",
      "Отчёты",
      "Пользователи и роли",
      "Журнал действий",
      "Партнёры",
      "Все пользователи",
      "Журнал платформы",
    ]);

    // Rename a store, then find the change in the audit log as a before/after diff.
    await page.goto("/p/demo/stores");
    await page.getByRole("button", { name: "Изменить магазин KZN-01" }).click();
    const dialog = page.getByRole("dialog", { name: "Магазин KZN-01" });
    await dialog.getByRole("textbox", { name: "Название", exact: true }).fill("Казань, Кремлёвская");
    await dialog.getByRole("button", { name: "Сохранить" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.goto("/platform/audit?entityType=store&entityId=KZN-01");
    const update = page.getByRole("row").filter({ hasText: "Казань, Кремлёвская" }).first();
    await update.waitFor();
    expect(await update.locator("del").allInnerTexts()).toContain("Казань, Баумана");
    expect(await update.locator("ins").allInnerTexts()).toContain("Казань, Кремлёвская");
    await expectAccessible(page, "13-platform-audit");
  });

  it("switches to English, shows the same page in English and remembers the choice", async () => {
    const page = await newPage();
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    await page.goto("/p/demo/stores");
    await page.getByRole("heading", { name: "Магазины", level: 2 }).waitFor();
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Stores", level: 2 }).waitFor();
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await menu(page, "Menu")).toEqual([
      "Dashboard",
      "Stores",
      "POS credentials",
      "Programs",
      "Manufacturer programs",
      "Products",
      "Cards",
      "Clients",
      "Purchases",
      "Anti-fraud",
      "Reports",
      "Users and roles",
      "Audit log",
    ]);
    await page.reload();
    await page.getByRole("heading", { name: "Stores", level: 2 }).waitFor();
    await page.getByRole("row").filter({ hasText: "MSK-01" }).waitFor();
    await expectAccessible(page, "14-stores-english");
    // The server words its errors in the same language.
    const refused = await page.evaluate(async () => {
      const res = await fetch("/admin/v1/partners/nowhere/stores", { headers: { "accept-language": "en" } });
      return (await res.json()) as { code?: string };
    });
    expect(refused.code).toBe("PERMISSION_DENIED");
  });

  it("sends a signed-out visitor to the login page and back; tells a locked login how long to wait", async () => {
    const page = await newPage();
    await page.goto("/p/demo/credentials?enabled=true");
    await page.waitForURL((url) => url.pathname === "/login" && url.searchParams.has("next"));
    await signIn(page, "owner@demo.kopilka");
    await page.waitForURL((url) => url.pathname === "/p/demo/credentials" && url.search === "?enabled=true");
    await page.getByRole("button", { name: "Выйти" }).click();
    await page.waitForURL("**/login");

    for (let i = 0; i < 3; i++) {
      await page.goto("/login");
      await signIn(page, "nobody@demo.kopilka", "wrong-password");
      await page.getByRole("alert").filter({ hasText: "Неверная почта или пароль" }).waitFor();
    }
    await page.goto("/login");
    await signIn(page, "nobody@demo.kopilka", "wrong-password");
    const locked = page.getByRole("alert").filter({ hasText: "Слишком много попыток входа" });
    await locked.waitFor();
    expect(await locked.innerText()).toMatch(/через \d+ с/);
    expect(await page.getByRole("button", { name: "Войти" }).isDisabled()).toBe(true);
    await screenshot(page, "15-login-locked");
  });

  it.skipIf(pageChecksOff)("leaves the screenshots where CI keeps them", () => {
    expect(readFileSync(`${ARTIFACTS}03-stores.png`).length).toBeGreaterThan(1000);
  });
});
