import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig, redactUrl } from "../../src/infra/config.js";

describe("configuration", () => {
  it("has working defaults for the embedded database", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      databaseUrl: "sqlite:./data/kopilka.db",
      demoData: true,
    });
    expect(loadConfig({ DATABASE_URL: "postgres://u:p@h/db" }).demoData).toBe(false);
  });

  it("reports every bad value at once, naming the variable", () => {
    try {
      loadConfig({
        PORT: "eighty",
        DATABASE_URL: "mysql://x",
        LOG_LEVEL: "loud",
        TOKEN_SECRET: "short",
        DEMO_DATA: "maybe",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      for (const name of ["PORT", "DATABASE_URL", "LOG_LEVEL", "TOKEN_SECRET", "DEMO_DATA"])
        expect(problems).toContain(name);
    }
  });

  it("never shows a database password", () => {
    expect(redactUrl("postgres://kopilka:s3cret@db:5432/k")).toBe("postgres://kopilka:***@db:5432/k");
    expect(() => loadConfig({ DATABASE_URL: "mysql://u:s3cret@h/db" })).toThrow(/\*\*\*/);
  });

  it("documents every variable it reads", () => {
    const names = CONFIG_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining(["HOST", "PORT", "DATABASE_URL", "TOKEN_SECRET", "BODY_LIMIT_BYTES"]),
    );
  });
});

describe("production", () => {
  it("defaults to no demo data and refuses it when asked", () => {
    expect(loadConfig({ NODE_ENV: "production" })).toMatchObject({ production: true, demoData: false });
    expect(() => loadConfig({ NODE_ENV: "production", DEMO_DATA: "true" })).toThrow(
      /DEMO_DATA=true with NODE_ENV=production/,
    );
  });

  it("reads the log format", () => {
    expect(loadConfig({}).logFormat).toBe("auto");
    expect(loadConfig({ LOG_FORMAT: "JSON" }).logFormat).toBe("json");
    expect(() => loadConfig({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT/);
  });
});
