/**
 * The cabinet's static serving without a browser: cache headers, the client-route fallback, the API's own
 * 404s, a server that starts without a built cabinet, and the cabinet's copy of the permission table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import Fastify from "fastify";
import pino from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { isServerPath, registerCabinet } from "../../src/api/cabinet/static.js";
import { installErrorHandling } from "../../src/api/http/error-handler.js";
import type { Api } from "../../src/api/http/types.js";
import { PARTNER_ROLES, ROLE_PERMISSIONS } from "../../src/core/admin/permissions.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function cabinetDir(withIndex = true): string {
  const dir = mkdtempSync(join(tmpdir(), "kopilka-cabinet-"));
  dirs.push(dir);
  mkdirSync(join(dir, "assets"));
  if (withIndex)
    writeFileSync(join(dir, "index.html"), '<!doctype html><script src="/assets/app-1a2b.js"></script>');
  const script = "console.log('cabinet');".repeat(50);
  writeFileSync(join(dir, "assets", "app-1a2b.js"), script);
  writeFileSync(join(dir, "assets", "app-1a2b.js.gz"), gzipSync(script));
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  return dir;
}

async function appWith(dir: string) {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
  const app = Fastify({ loggerInstance: logger }) as unknown as Api;
  installErrorHandling(app);
  app.get("/v1/known", async () => ({ ok: true }));
  const served = await registerCabinet(app, app.log, dir);
  await app.ready();
  return { app, served, lines };
}

describe("cabinet static serving", () => {
  it("gives hashed assets a year, immutable, gzipped when asked; the page is revalidated", async () => {
    const { app, served } = await appWith(cabinetDir());
    expect(served).toBe(true);
    const asset = await app.inject({ url: "/assets/app-1a2b.js", headers: { "accept-encoding": "gzip" } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(asset.headers["content-encoding"]).toBe("gzip");
    const plain = await app.inject({ url: "/assets/app-1a2b.js" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toContain("cabinet");
    for (const url of ["/", "/index.html", "/p/demo/stores?sort=-name&q=%D0%BC", "/platform/audit"]) {
      const page = await app.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers["cache-control"], url).toBe("no-cache");
      expect(page.headers["content-type"], url).toMatch(/^text\/html/);
    }
    const icon = await app.inject({ url: "/favicon.svg" });
    expect(icon.headers["cache-control"]).toBe("public, max-age=0");
    await app.close();
  });

  it("never answers API paths or missing assets with the page", async () => {
    const { app } = await appWith(cabinetDir());
    expect((await app.inject({ url: "/v1/known" })).json()).toEqual({ ok: true });
    for (const url of [
      "/v1/unknown",
      "/admin/v1/nothing",
      "/api",
      "/api/x",
      "/docs/x",
      "/openapi.json",
      "/metrics",
      "/health/x",
      "/assets/gone-0000.js",
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: "NOT_FOUND" });
    }
    // A file outside the build is not reachable by climbing out of it.
    const climb = await app.inject({ url: "/..%2F..%2Fetc%2Fpasswd" });
    expect(climb.body).not.toContain("root:");
    expect((await app.inject({ method: "POST", url: "/p/demo/stores" })).statusCode).toBe(404);
    await app.close();
  });

  it("lets the server start without a built cabinet and says so", async () => {
    const { app, served, lines } = await appWith(cabinetDir(false));
    expect(served).toBe(false);
    expect(lines.join("")).toContain("web cabinet not built");
    expect((await app.inject({ url: "/" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/v1/known" })).statusCode).toBe(200);
    await app.close();
  });

  it("tells server paths from client routes", () => {
    expect(isServerPath("/v1")).toBe(true);
    expect(isServerPath("/admin/v1/auth/me")).toBe(true);
    expect(isServerPath("/healthy-stores")).toBe(false);
    expect(isServerPath("/v1x")).toBe(false);
    expect(isServerPath("/p/demo/audit")).toBe(false);
  });
});

describe("the cabinet's permission table", () => {
  it("is the server's: the menu hides exactly what the server refuses", async () => {
    const file = new URL("../../../../apps/cabinet/src/auth/permissions.ts", import.meta.url);
    const cabinet = (await import(pathToFileURL(file.pathname).href)) as {
      ROLE_PERMISSIONS: Record<string, ReadonlySet<string>>;
    };
    for (const role of PARTNER_ROLES) {
      expect([...cabinet.ROLE_PERMISSIONS[role]!].sort(), role).toEqual([...ROLE_PERMISSIONS[role]].sort());
    }
  });
});
