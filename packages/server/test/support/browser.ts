/**
 * A real browser for the cabinet's tests: Debian's Chromium driven by playwright-core (browser downloads
 * do not work here; CI installs the `chromium` package). Without it the tests skip and say why.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
/** CI sets REQUIRE_CHROMIUM=1: there a missing browser fails the tests instead of skipping them. */
export const chromiumRequired = process.env.REQUIRE_CHROMIUM === "1";

/** Screenshots of the main pages land here (a CI artifact; gitignored). */
export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/cabinet/", import.meta.url));

export function launchChromium(): Promise<Browser> {
  if (!hasChromium) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * `CABINET_PAGE_CHECKS=off` leaves out the browser tests' screenshots and axe checks, and nothing else they
 * do. Both look at the cabinet's markup, which does not depend on the database: CI makes them on its
 * SQLite run and leaves them out on its PostgreSQL run, where checking the same pages again cost minutes.
 */
export const pageChecksOff = process.env.CABINET_PAGE_CHECKS === "off";

export async function screenshot(page: Page, name: string): Promise<void> {
  if (pageChecksOff) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/**
 * axe-core's serious and critical violations on the page as it is now, one line each. Legacy mode runs
 * axe in the page itself: the default opens a blank page per check to merge the results of cross-origin
 * frames, which the cabinet has none of, and that doubled the cost of every check (about half of the
 * browser tests' time).
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .setLegacyMode()
    .analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Saves the page's screenshot and expects no serious axe violation (unless CABINET_PAGE_CHECKS=off). */
export async function checkPage(page: Page, name: string): Promise<void> {
  if (pageChecksOff) return;
  await screenshot(page, name);
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}
