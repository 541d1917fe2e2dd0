/**
 * The purchases pages in a real browser against a real server with the demo data. A till (the demo POS
 * credential, through the real POS API) leaves a purchase hanging: its confirm carries a printed receipt
 * that differs from the calculation. An operator sees it first, opens it, cancels it with a reason; it
 * leaves the hanging block, the purchase is cancelled and the audit log has the decision. The list's
 * filters live in the URL (POS among them), the purchase page shows lines, the rules that gave them,
 * refunds and history, and the pages pass axe in Russian and English.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cabinet, describeInChromium, startCabinet } from "../support/cabinet.js";

const POS = { login: "demo-pos-msk-1", secret: "demo-secret" };
const CARD = "2000000000001";
/** A till code of this test's own, so the list can be filtered down to its purchases. */
const TILL = "WEB-POS-7";

interface CalculatedLine {
  lineId: string;
  sku: string | null;
  quantity: number;
  unitPrice: number;
  amount: number;
  discount: number;
  pointsPaid: number;
  accrual: number;
  discounts?: { ruleId: number; amount: number }[];
}
interface Calculated {
  purchaseId: string;
  storeCode: string;
  posCode: string;
  cardNumber: string | null;
  rulesVersion: string | null;
  lines: CalculatedLine[];
  totals: { pointsPaid: number; accrual: number; discount: number; total: number };
}

describeInChromium("purchases pages in Chromium", () => {
  let cabinet: Cabinet;
  let base: string;
  let token: string;
  let operator: { email: string; password: string };

  const pos = async (method: string, path: string, body?: unknown, status = 200) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(json)).toBe(status);
    return json;
  };

  const calculate = async (purchaseId: string) =>
    (await pos("POST", "/v1/purchases/calculate", {
      purchaseId,
      storeCode: "MSK-01",
      posCode: TILL,
      cardNumber: CARD,
      lines: [
        // SKU-00003 is a vitamin (−15 % by the demo rules); SKU-00001 a plain medicine.
        { lineId: "1", sku: "SKU-00003", quantity: 2000, price: 15_000 },
        { lineId: "2", sku: "SKU-00001", quantity: 1000, price: 30_000 },
      ],
    })) as unknown as Calculated;

  const printed = (view: Calculated, extraDiscount = 0) => ({
    ...(view.rulesVersion ? { rulesVersion: view.rulesVersion } : {}),
    storeCode: view.storeCode,
    posCode: view.posCode,
    ...(view.cardNumber ? { cardNumber: view.cardNumber } : {}),
    lines: view.lines.map((l, i) => ({
      lineId: l.lineId,
      ...(l.sku ? { sku: l.sku } : {}),
      quantity: l.quantity,
      price: l.unitPrice,
      amount: l.amount,
      discount: l.discount + (i === 0 ? extraDiscount : 0),
      pointsPaid: l.pointsPaid,
      accrual: l.accrual,
    })),
    pointsSpent: view.totals.pointsPaid,
    pointsAccrued: view.totals.accrual,
  });

  beforeAll(async () => {
    cabinet = await startCabinet();
    base = cabinet.server.base;
    const tokenRes = await fetch(`${base}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(POS),
    });
    token = ((await tokenRes.json()) as { accessToken: string }).accessToken;
    // Two sales confirmed as calculated, one calculation the till never confirms, one confirm that hangs.
    for (const id of ["web-ok-1", "web-ok-2"]) {
      const view = await calculate(id);
      await pos("POST", `/v1/purchases/${id}/confirm`, { receipt: printed(view) });
    }
    await pos("POST", "/v1/purchases/web-ok-2/refunds", {
      refundId: "web-r-1",
      lines: [{ lineId: "2", quantity: 1000 }],
    });
    await calculate("web-open-1");
    const view = await calculate("web-hang-1");
    // The till printed one ruble more discount than the server gave: the server keeps it for an operator.
    // 202: accepted, kept for an operator.
    const hung = await pos("POST", "/v1/purchases/web-hang-1/confirm", { receipt: printed(view, 100) }, 202);
    expect(hung.state).toBe("hanging");

    // An operator of the demo chain, added by the owner, with a password of their own.
    const owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    const added = await cabinet.apiFromPage(owner, "POST", "/partners/demo/users", {
      email: "operator@demo.kopilka",
      role: "operator",
    });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const oneTime = String(added.body.oneTimePassword);
    const first = await cabinet.newPage();
    await cabinet.signIn(first, "operator@demo.kopilka", oneTime);
    await first.waitForURL("**/change-password");
    const changed = await cabinet.apiFromPage(first, "POST", "/auth/password", {
      currentPassword: oneTime,
      newPassword: "operator-password-1",
    });
    expect(changed.status, JSON.stringify(changed.body)).toBeLessThan(300);
    operator = { email: "operator@demo.kopilka", password: "operator-password-1" };
  }, 180_000);

  afterAll(async () => {
    await cabinet?.stop();
  });

  const signInAsOperator = async (): Promise<Page> => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, operator.email, operator.password);
    await page.waitForURL(/\/p\/demo\//);
    return page;
  };

  it("shows the operator the hanging purchase first, and resolves it by cancelling with a reason", async () => {
    const page = await signInAsOperator();
    expect(await cabinet.menu(page)).toContain("Покупки");
    expect(await cabinet.menu(page)).not.toContain("Отчёты");
    await page.getByRole("link", { name: "Покупки" }).click();
    await page.waitForURL("**/p/demo/purchases");
    const hanging = page.getByRole("region", { name: "Зависшие покупки" });
    const row = hanging.getByRole("row").filter({ hasText: "web-hang-1" });
    await row.waitFor();
    expect(await row.innerText()).toContain("Чек кассы не совпал с расчётом");
    expect(await row.innerText()).toContain(TILL);
    // The hanging block comes before the list of all purchases.
    const [hangingBox, listTitle] = await Promise.all([
      hanging.boundingBox(),
      page.getByRole("heading", { name: "Все покупки" }).boundingBox(),
    ]);
    expect(hangingBox!.y).toBeLessThan(listTitle!.y);
    await cabinet.expectAccessible(page, "purchases-01-list-hanging");

    await row.getByRole("button", { name: "Разобрать покупку web-hang-1" }).click();
    const dialog = page.getByRole("dialog", { name: "Зависшая покупка web-hang-1" });
    await dialog.waitFor();
    // The till's receipt is in the history, so confirming is offered too.
    await expect
      .poll(() => dialog.getByRole("radio", { name: "Подтвердить: чек напечатан" }).isEnabled())
      .toBe(true);
    await dialog.getByRole("button", { name: "Применить" }).click();
    await dialog.getByText("Заполните поле").waitFor();
    await cabinet.expectAccessible(page, "purchases-02-resolve");
    await dialog.getByLabel("Основание").fill("чек не пробит: покупатель ушёл без покупки");
    await dialog.getByRole("button", { name: "Применить" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByText("Покупка web-hang-1 отменена").waitFor();
    await hanging.getByText("Зависших покупок нет").waitFor();

    const detail = await cabinet.apiFromPage(page, "GET", "/partners/demo/purchases/web-hang-1");
    expect(detail.body.state).toBe("cancelled");
    const owner = await cabinet.newPage();
    await cabinet.signIn(owner, "owner@demo.kopilka");
    await owner.waitForURL("**/p/demo/dashboard");
    const audit = await cabinet.apiFromPage(
      owner,
      "GET",
      "/partners/demo/audit?entityType=purchase&entityId=web-hang-1",
    );
    const entries = audit.body.items as { action: string; after: { reason?: string; state?: string } }[];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "resolve-cancel",
      after: { reason: "чек не пробит: покупатель ушёл без покупки" },
    });
    await owner.goto("/p/demo/audit?entityType=purchase&entityId=web-hang-1");
    await owner.getByRole("cell", { name: "resolve-cancel" }).waitFor();
  });

  it("keeps the filters in the URL: POS and state narrow the list as the API does", async () => {
    const page = await signInAsOperator();
    await page.goto("/p/demo/purchases");
    await page.getByRole("textbox", { name: "Касса" }).fill(TILL);
    await page.getByRole("textbox", { name: "Касса" }).press("Enter");
    await page.waitForURL(`**/p/demo/purchases?posCode=${TILL}`);
    const list = page.getByRole("table", { name: "Все покупки" });
    await list.getByRole("row").filter({ hasText: "web-open-1" }).waitFor();
    const ids = async () =>
      (await list.getByRole("row").allInnerTexts()).slice(1).map((r) => r.match(/web-[a-z]+-\d/)?.[0]);
    expect((await ids()).sort()).toEqual(["web-hang-1", "web-ok-1", "web-ok-2", "web-open-1"]);
    const api = await cabinet.apiFromPage(page, "GET", `/partners/demo/purchases?posCode=${TILL}`);
    expect((api.body.items as { purchaseId: string }[]).map((p) => p.purchaseId).sort()).toEqual(
      (await ids()).sort(),
    );

    await page.getByRole("combobox", { name: "Состояние" }).click();
    await page.getByRole("option", { name: "Рассчитана" }).click();
    await page.waitForURL(/state=calculated/);
    await expect.poll(ids).toEqual(["web-open-1"]);
    // The same link shows the same list to a colleague.
    const shared = await signInAsOperator();
    await shared.goto(page.url());
    await shared
      .getByRole("table", { name: "Все покупки" })
      .getByRole("row")
      .filter({ hasText: "web-open-1" })
      .waitFor();
    expect(await shared.getByRole("table", { name: "Все покупки" }).getByRole("row").count()).toBe(2);
    await cabinet.expectAccessible(page, "purchases-03-list-filtered");
  });

  it("shows a purchase's lines with the rules that gave them, its refund and its history, formatted", async () => {
    const page = await signInAsOperator();
    await page.goto(`/p/demo/purchases?posCode=${TILL}`);
    await page.getByRole("link", { name: "web-ok-2" }).click();
    await page.waitForURL("**/p/demo/purchases/web-ok-2");
    await page.getByRole("heading", { name: "Покупка web-ok-2" }).waitFor();
    const lines = page.getByRole("region", { name: "Строки чека" });
    const vitamin = lines.getByRole("row").filter({ hasText: "SKU-00003" });
    await vitamin.getByText("Витамины −15%", { exact: false }).waitFor();
    const detail = (await cabinet.apiFromPage(page, "GET", "/partners/demo/purchases/web-ok-2"))
      .body as unknown as Calculated & {
      refunds: { amount: number }[];
    };
    // 2 × 150,00 ₽ with −15 %: 45,00 ₽ off, shown in rubles the Russian way.
    expect(detail.lines[0]!.discount).toBe(4_500);
    expect(await vitamin.innerText()).toContain("45,00\u00a0₽");
    // The demo's first card is gold: its accrual comes from the gold level's rule.
    expect(await vitamin.innerText()).toContain("Витамины −15% (версия 1): скидка 45,00\u00a0₽");
    expect(await vitamin.innerText()).toMatch(/Золотой уровень: начисление 7% \(версия 1\): баллы 17,85/);
    const refunds = page.getByRole("region", { name: "Возвраты" });
    expect(await refunds.getByRole("row").filter({ hasText: "web-r-1" }).innerText()).toContain(
      "300,00\u00a0₽",
    );
    const history = page.getByRole("region", { name: "История" });
    await history.getByRole("cell", { name: "Расчёт", exact: true }).waitFor();
    await history.getByRole("cell", { name: "Подтверждение", exact: true }).waitFor();
    expect(await page.getByRole("button", { name: "Разобрать" }).count()).toBe(0);
    await cabinet.expectAccessible(page, "purchases-04-detail");
  });

  it("shows the same pages in English", async () => {
    const page = await signInAsOperator();
    await page.goto("/p/demo/purchases/web-hang-1");
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("heading", { name: "Purchase web-hang-1" }).waitFor();
    await page.getByText("Cancelled", { exact: true }).first().waitFor();
    await page.getByRole("cell", { name: "Resolved by an operator" }).waitFor();
    await cabinet.expectAccessible(page, "purchases-05-detail-en");
    await page.getByRole("link", { name: "← All purchases" }).click();
    await page.getByRole("heading", { name: "Hanging purchases" }).waitFor();
    await page.getByText("No hanging purchases").waitFor();
    await cabinet.expectAccessible(page, "purchases-06-list-en");
  });

  it("lets the server refuse a resolve to a role without purchases.write, and the menu hide purchases from a marketer", async () => {
    const page = await cabinet.newPage();
    await cabinet.signIn(page, "marketer@demo.kopilka");
    await page.waitForURL("**/p/demo/dashboard");
    expect(await cabinet.menu(page)).not.toContain("Покупки");
    const refused = await cabinet.apiFromPage(page, "POST", "/partners/demo/purchases/web-hang-1/resolve", {
      action: "cancel",
      reason: "not mine to decide",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("PERMISSION_DENIED");
    await page.goto("/p/demo/purchases/web-ok-1");
    await page.getByRole("alert").filter({ hasText: "Нет доступа" }).waitFor();
  });
});
