/**
 * The program's anti-fraud caps and the day's cap hits in Chromium against a real server with the demo
 * data. The owner sets the caps on the program's settings in points and counts (an empty field is no cap),
 * sees the server's refusal of a zero cap at its field in points, and reads the saved caps back through the
 * admin API; a till (the demo POS credential, through the real POS API) then pays with more points than
 * the day's cap and is refused, and the hit is on the anti-fraud page for today, with an empty state for a
 * quiet day. An analyst sees the caps read-only; an operator has no anti-fraud page in the menu. Every
 * page passes axe and leaves a screenshot prefixed `anti-fraud-`.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, fieldError, startCabinet } from "../support/cabinet.js";

const POS = { login: "demo-pos-msk-1", secret: "demo-secret" };
/** A demo card with 1 916 points on it. */
const CARD = "2000000000001";
const PROGRAM = "/partners/demo/programs/main";

interface ProgramAnswer {
  version: number;
  antiFraud: Record<string, number | null>;
}

describeInChromium("cabinet: anti-fraud caps and their hits", () => {
  let cabinet: Cabinet;
  let owner: Page;
  let token: string;

  const program = async () =>
    (await cabinet.apiFromPage(owner, "GET", PROGRAM)).body as unknown as ProgramAnswer;

  /** The page scrolled back to the top first: a full-page shot of a scrolled page repeats the fixed header. */
  const topAndAccessible = async (page: Page, name: string) => {
    await page.evaluate("window.scrollTo(0, 0)");
    await cabinet.expectAccessible(page, name);
  };

  const pos = async (path: string, body: unknown) => {
    const res = await fetch(`${cabinet.server.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    cabinet = await startCabinet();
    const tokenRes = await fetch(`${cabinet.server.base}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(POS),
    });
    token = ((await tokenRes.json()) as { accessToken: string }).accessToken;
    owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
  }, 120_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  it("sets the caps in points and counts, shows the server's refusal at its field, and saves them", async () => {
    const page = owner;
    const before = await program();
    expect(Object.values(before.antiFraud).every((v) => v === null)).toBe(true);
    await page.goto("/p/demo/programs/main?tab=settings");
    const section = page.getByRole("region", { name: "Антифрод-ограничения" });
    const perDay = section.getByLabel("Оплата баллами по карте за день", { exact: true });
    await perDay.waitFor();
    expect(await perDay.inputValue()).toBe("");
    expect(await perDay.getAttribute("placeholder")).toBe("без ограничения");

    // The contract wants at least 1 (a hundredth of a point): the server refuses 0 naming the cap, and
    // the cabinet says it at the field in points.
    const refusal = await cabinet.apiFromPage(owner, "PATCH", PROGRAM, {
      antiFraud: { maxPointsSpentPerCardPerDay: 0 },
    });
    expect(refusal.status).toBe(400);
    expect(refusal.body).toMatchObject({
      code: "VALIDATION_FAILED",
      details: { field: "antiFraud.maxPointsSpentPerCardPerDay", rule: "minimum" },
    });
    await perDay.fill("0");
    await section.getByRole("button", { name: "Сохранить ограничения" }).click();
    expect(await fieldError(page, "Оплата баллами по карте за день")).toContain("Не меньше 0,01 б.");
    expect((await program()).version).toBe(before.version);
    await topAndAccessible(page, "anti-fraud-01-caps-error");
    // Text that is no number of points is caught before it is sent.
    await perDay.fill("сто");
    await section.getByRole("button", { name: "Сохранить ограничения" }).click();
    expect(await fieldError(page, "Оплата баллами по карте за день")).toContain("Введите число баллов");

    await perDay.fill("100");
    // The week stays empty: no cap.
    await section.getByLabel("Покупок с оплатой баллами по карте за день", { exact: true }).fill("5");
    await section.getByLabel("Начисление баллов на карту за день", { exact: true }).fill("250,5");
    await section.getByLabel("Возвратов и отмен с одной кассы за день", { exact: true }).fill("3");
    await section.getByRole("button", { name: "Сохранить ограничения" }).click();
    await expect.poll(async () => (await program()).antiFraud.maxRefundsPerPosPerDay).toBe(3);
    const after = await program();
    expect(after.antiFraud).toEqual({
      maxPointsSpentPerCardPerDay: 10_000,
      maxPointsSpentPerCardPerWeek: null,
      maxPointsPurchasesPerCardPerDay: 5,
      maxAccrualPerCardPerDay: 25_050,
      maxRefundsPerPosPerDay: 3,
    });
    expect(after.version).toBeGreaterThan(before.version);
    await page.getByText(`Ограничения сохранены, версия программы ${after.version}`).waitFor();
    // The form shows what was saved, in points.
    expect(await section.getByLabel("Начисление баллов на карту за день", { exact: true }).inputValue()).toBe(
      "250,5",
    );
    await topAndAccessible(page, "anti-fraud-02-caps");
  }, 120_000);

  it("lists a till's bonus payment over the day's cap among the day's hits", async () => {
    const calculated = await pos("/v1/purchases/calculate", {
      purchaseId: "web-af-1",
      storeCode: "MSK-01",
      posCode: "AF-1",
      cardNumber: CARD,
      lines: [{ lineId: "1", sku: "SKU-00001", quantity: 2000, price: 30_000 }],
    });
    expect(calculated.status, JSON.stringify(calculated.body)).toBe(200);
    // 150 points against a cap of 100 a day.
    const refused = await pos("/v1/purchases/web-af-1/bonus-payment", { amount: 15_000 });
    expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    expect(refused.body).toMatchObject({
      code: "POINTS_SPENDING_CAP_EXCEEDED",
      details: { cap: "maxPointsSpentPerCardPerDay" },
    });

    const page = owner;
    await page.goto("/p/demo/dashboard");
    await page.getByRole("navigation", { name: "Меню" }).getByRole("link", { name: "Антифрод" }).click();
    await page.waitForURL("**/p/demo/anti-fraud");
    await page.getByRole("heading", { name: "Срабатывания антифрода", level: 2 }).waitFor();
    const row = page.getByRole("row").filter({ hasText: `Карта ${CARD}` });
    await row.waitFor();
    const cells = (await row.getByRole("cell").allInnerTexts()).map((s) => s.trim());
    expect(cells.slice(0, 3)).toEqual(["Оплата баллами по карте за день", `Карта ${CARD}`, "1"]);
    expect(cells[4]).toBe("Копилка Демо");
    await page.getByText("Всего срабатываний: 1").waitFor();

    // The page asks for the browser's today, the same local day as the Moscow store's.
    const day = await page.getByLabel("День").innerText();
    const [dd, mm, yyyy] = day.trim().split(".");
    const listed = await cabinet.apiFromPage(
      owner,
      "GET",
      `/partners/demo/anti-fraud/hits?day=${yyyy}-${mm}-${dd}`,
    );
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        cap: "maxPointsSpentPerCardPerDay",
        subject: "card",
        cardNumber: CARD,
        hits: 1,
        programCode: "main",
        programName: "Копилка Демо",
        programOwnerCode: "demo",
        partnerCode: "demo",
      }),
    ]);
    // Only the partner's own POS here: no column for whose POS it was.
    expect(await page.getByRole("columnheader", { name: "Сеть" }).count()).toBe(0);
    await cabinet.expectAccessible(page, "anti-fraud-03-hits");

    await row.getByRole("link", { name: "Ограничения программы Копилка Демо" }).click();
    await page.waitForURL("**/p/demo/programs/main?tab=settings");
    await page.getByRole("region", { name: "Антифрод-ограничения" }).waitFor();

    await page.goto("/p/demo/anti-fraud?day=2026-01-05");
    await page.getByText("За 5 янв. 2026 г. срабатываний не было").waitFor();
    expect(await page.getByRole("table").count()).toBe(0);
    await cabinet.expectAccessible(page, "anti-fraud-04-hits-empty");

    await page.goto("/p/demo/anti-fraud");
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Anti-fraud hits", level: 2 }).waitFor();
    await page.getByRole("row").filter({ hasText: "Points paid per card per day" }).waitFor();
    await cabinet.expectAccessible(page, "anti-fraud-05-hits-english");
    await page.getByText("RU", { exact: true }).click();
    await page.getByRole("heading", { name: "Срабатывания антифрода", level: 2 }).waitFor();
  }, 120_000);

  it("shows an analyst the caps read-only, and gives an operator no anti-fraud page", async () => {
    const analyst = await cabinet.signInNewMember(owner, "af-analyst@demo.kopilka", "analyst");
    expect(await cabinet.menu(analyst)).toContain("Антифрод");
    await analyst.goto("/p/demo/programs/main?tab=settings");
    const section = analyst.getByRole("region", { name: "Антифрод-ограничения" });
    await section.getByTestId("cap-maxPointsSpentPerCardPerDay").waitFor();
    expect(await section.getByTestId("cap-maxPointsSpentPerCardPerDay").innerText()).toBe("100 б.");
    expect(await section.getByTestId("cap-maxPointsSpentPerCardPerWeek").innerText()).toBe("без ограничения");
    expect(await section.getByTestId("cap-maxAccrualPerCardPerDay").innerText()).toBe("250,5 б.");
    expect(await section.getByTestId("cap-maxRefundsPerPosPerDay").innerText()).toBe("3");
    expect(await section.getByRole("textbox").count()).toBe(0);
    expect(await section.getByRole("button", { name: "Сохранить ограничения" }).count()).toBe(0);
    await topAndAccessible(analyst, "anti-fraud-06-caps-read-only");
    const refused = await cabinet.apiFromPage(analyst, "PATCH", PROGRAM, { antiFraud: null });
    expect(refused.status).toBe(403);

    // An operator has no reports, so lands on the stores rather than the dashboard signInNewMember waits for.
    const created = await cabinet.apiFromPage(owner, "POST", "/partners/demo/users", {
      email: "af-operator@demo.kopilka",
      role: "operator",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const oneTime = created.body.oneTimePassword as string;
    const operator = await cabinet.newPage();
    await cabinet.signIn(operator, "af-operator@demo.kopilka", oneTime);
    await operator.waitForURL("**/change-password");
    await operator.getByLabel("Текущий пароль").fill(oneTime);
    await operator.getByRole("textbox", { name: "Новый пароль", exact: true }).fill("operator-password-1");
    await operator.getByLabel("Новый пароль ещё раз").fill("operator-password-1");
    await operator.getByRole("button", { name: "Сменить пароль" }).click();
    await operator.waitForURL("**/p/demo/stores");
    const items = await cabinet.menu(operator);
    expect(items).toContain("Покупки");
    expect(items).not.toContain("Антифрод");
  }, 180_000);
});
