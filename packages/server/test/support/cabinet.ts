/**
 * A cabinet session for browser tests: a real server process on a scratch database with the demo data,
 * Chromium, and the steps every page's test takes (a fresh profile in Russian, signing in, reading the
 * menu, calling the admin API from the page with its cookies, checking a page with axe and saving its
 * screenshot). Each page's test file starts its own with `startCabinet()` in `beforeAll`.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect } from "vitest";
import { CHROMIUM, checkPage, chromiumRequired, hasChromium, launchChromium } from "./browser.js";
import { type ScratchDatabase, scratchDatabase } from "./databases.js";
import { killAll, type ServerProcess, startServer, stopGracefully } from "./server-process.js";

export const DEMO_PASSWORD = "demo-password";

/**
 * `CABINET_BROWSER_TESTS=off` skips the browser tests on purpose, for a quick run of the rest: they are
 * the largest part of the suite's time. (`CABINET_PAGE_CHECKS=off` keeps them and leaves out only their
 * screenshots and axe checks: see browser.ts.)
 */
const browserTestsOff = process.env.CABINET_BROWSER_TESTS === "off";

if (browserTestsOff) console.warn("SKIPPED the cabinet's browser tests: CABINET_BROWSER_TESTS=off");
else if (!hasChromium && !chromiumRequired) {
  console.warn(`SKIPPED the cabinet's browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

/** `describe` for browser tests: skipped without Chromium on a developer's machine, required in CI. */
export const describeInChromium = describe.skipIf(browserTestsOff || (!hasChromium && !chromiumRequired));

export interface AnswerFromPage {
  status: number;
  body: { code?: string } & Record<string, unknown>;
}

export interface Cabinet {
  server: ServerProcess;
  scratch: ScratchDatabase;
  browser: Browser;
  /** A fresh browser profile (its own cookies and localStorage), in Russian like a manager's laptop. */
  newPage(): Promise<Page>;
  /** Signs in on the login page (the one the page was sent to, keeping its `next`, or a fresh one). */
  signIn(page: Page, email: string, password?: string): Promise<void>;
  /** The link texts of a navigation landmark. */
  menu(page: Page, name?: string): Promise<string[]>;
  /** Calls the admin API from the page, with its session cookie and its CSRF cookie, as the cabinet does. */
  apiFromPage(page: Page, method: string, path: string, body?: unknown): Promise<AnswerFromPage>;
  /**
   * A new member of the demo partner, added by `ownerPage`'s user, signed in on a page of their own past the
   * one-time password's change; the page is on the dashboard.
   */
  signInNewMember(ownerPage: Page, email: string, role: string): Promise<Page>;
  /** Waits for the page to settle, saves its screenshot and expects no serious axe violation. */
  expectAccessible(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCabinet(env: Record<string, string> = {}): Promise<Cabinet> {
  const scratch = await scratchDatabase();
  const server = await startServer(scratch.url, env);
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];

  const newPage = async () => {
    const context = await browser.newContext({
      baseURL: server.base,
      locale: "ru-RU",
      timezoneId: "Europe/Moscow",
      viewport: { width: 1360, height: 860 },
      reducedMotion: "reduce",
    });
    contexts.push(context);
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on("pageerror", (error) => {
      throw error;
    });
    return page;
  };

  const signIn = async (page: Page, email: string, password = DEMO_PASSWORD) => {
    if (new URL(page.url(), server.base).pathname !== "/login") await page.goto("/login");
    await page.getByLabel("Эл. почта").fill(email);
    await page.getByRole("textbox", { name: "Пароль", exact: true }).fill(password);
    await page.getByRole("button", { name: "Войти" }).click();
  };

  const menu = async (page: Page, name = "Меню") => {
    const nav = page.getByRole("navigation", { name });
    await nav.getByRole("link").first().waitFor();
    return (await nav.getByRole("link").allInnerTexts()).map((s) => s.trim());
  };

  const apiFromPage = async (page: Page, method: string, path: string, body?: unknown) => {
    const csrf = (await page.context().cookies()).find((c) => c.name === "kopilka_csrf")?.value ?? "";
    return page.evaluate(
      async ({ method, path, body, csrf }) => {
        const res = await fetch(`/admin/v1${path}`, {
          method,
          headers: { "content-type": "application/json", "x-csrf-token": csrf },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, body: (text ? JSON.parse(text) : {}) as AnswerFromPage["body"] };
      },
      { method, path, body, csrf },
    );
  };

  const signInNewMember = async (ownerPage: Page, email: string, role: string) => {
    const created = await apiFromPage(ownerPage, "POST", "/partners/demo/users", { email, role });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const oneTime = created.body.oneTimePassword as string;
    const page = await newPage();
    await signIn(page, email, oneTime);
    await page.waitForURL("**/change-password");
    await page.getByLabel("Текущий пароль").fill(oneTime);
    await page.getByRole("textbox", { name: "Новый пароль", exact: true }).fill(`${role}-password-1`);
    await page.getByLabel("Новый пароль ещё раз").fill(`${role}-password-1`);
    await page.getByRole("button", { name: "Сменить пароль" }).click();
    await page.waitForURL("**/p/demo/dashboard");
    return page;
  };

  const expectAccessible = async (page: Page, name: string) => {
    await page.waitForLoadState("networkidle");
    await checkPage(page, name);
  };

  const stop = async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser.close();
    // Graceful shutdown has tests of its own (test/process); here a slow stop is only reported.
    if (!server.hasExited()) {
      await stopGracefully(server).catch((error: Error) =>
        console.warn(`cabinet test server: ${error.message}`),
      );
    }
    await killAll();
    await scratch.drop();
  };

  return {
    server,
    scratch,
    browser,
    newPage,
    signIn,
    menu,
    apiFromPage,
    signInNewMember,
    expectAccessible,
    stop,
  };
}

/** The text of the error Mantine links to an input through aria-describedby, once the input is invalid. */
export async function fieldError(page: Page, label: string | RegExp): Promise<string> {
  const input = page.getByLabel(label, { exact: true });
  await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
  const ids = ((await input.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).innerText()));
  return texts.join(" ");
}
