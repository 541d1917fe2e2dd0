/**
 * A real browser for the cabinet's tests: Debian's Chromium driven by playwright-core (browser downloads
 * do not work here; CI installs the `chromium` package). Without it the tests skip and say why.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";

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

export async function screenshot(page: Page, name: string): Promise<void> {
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
