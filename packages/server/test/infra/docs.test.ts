import { readFileSync } from "node:fs";
import { ERROR_CATALOGUE } from "@kopilka/contract";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../src/infra/config.js";

const readme = readFileSync(new URL("../../../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("documents every error code and every configuration variable", () => {
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(readme, code).toContain(`\`${code}\``);
    for (const v of CONFIG_VARIABLES) expect(readme, v.name).toContain(`\`${v.name}\``);
  });

  it("keeps the two set-up commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm ci && npm test");
  });
});
