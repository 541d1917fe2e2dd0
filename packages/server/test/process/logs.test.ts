/**
 * The logs of a real server process: stdout carries one JSON line per event and nothing else, no line
 * repeats a key, a refused request is logged with its code and path (never its query string), secrets
 * stay out, and the request id is echoed in X-Request-Id.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";
import { duplicateKeys } from "../support/json-keys.js";
import { killAll, type ServerProcess, startServer, stopGracefully } from "../support/server-process.js";

let scratch: ScratchDatabase;
let server: ServerProcess;

beforeAll(async () => {
  scratch = await scratchDatabase();
  server = await startServer(scratch.url, { LOG_LEVEL: "info", LOG_FORMAT: "" });
});
afterAll(async () => {
  await killAll();
  await scratch?.drop();
});

describe("server logs", () => {
  it("are JSON lines on stdout, with refused requests by code and path, and request ids echoed", async () => {
    const given = await fetch(`${server.base}/health/live`, { headers: { "x-request-id": "till-42.req-7" } });
    expect(given.headers.get("x-request-id")).toBe("till-42.req-7");
    const insane = await fetch(`${server.base}/health/live`, {
      headers: { "x-request-id": "x".repeat(300) },
    });
    const generated = insane.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const none = await fetch(`${server.base}/health/live`);
    expect(none.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const wrongSecret = await fetch(`${server.base}/v1/auth/token?secret=query-secret-1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "refused-login-1" },
      body: JSON.stringify({ login: "demo-pos-msk-1", secret: "body-secret-2" }),
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get("x-request-id")).toBe("refused-login-1");
    const noToken = await fetch(`${server.base}/v1/cards/2000000000002?token=query-token-3`, {
      headers: { authorization: "Bearer forged-token-4" },
    });
    expect(noToken.status).toBe(401);
    // An API path: any other GET is a route of the web cabinet and gets its page.
    const unknown = await fetch(`${server.base}/v1/no/such/route?x=1`);
    expect(unknown.status).toBe(404);

    await stopGracefully(server);

    const stdout = server.stdout();
    const lines = stdout.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(3);
    const events = lines.map((line) => {
      expect(() => JSON.parse(line), line).not.toThrow();
      expect(duplicateKeys(line), line).toEqual([]);
      return JSON.parse(line) as Record<string, unknown>;
    });
    expect(events.some((e) => e.msg === "kopilka is serving")).toBe(true);

    const refused = events.filter((e) => e.msg === "request refused");
    const byId = new Map(refused.map((e) => [e.reqId, e]));
    expect(byId.get("refused-login-1")).toMatchObject({
      code: "INVALID_CREDENTIALS",
      url: "/v1/auth/token",
      method: "POST",
      status: 401,
    });
    expect(refused).toContainEqual(
      expect.objectContaining({ code: "UNAUTHORIZED", url: "/v1/cards/2000000000002", status: 401 }),
    );
    expect(refused).toContainEqual(
      expect.objectContaining({ code: "NOT_FOUND", url: "/v1/no/such/route", status: 404 }),
    );
    for (const secret of [
      "query-secret-1",
      "body-secret-2",
      "query-token-3",
      "forged-token-4",
      "demo-secret",
    ])
      expect(stdout, secret).not.toContain(secret);

    // People get the banner and the demo logins, on stderr.
    expect(server.stderr()).toContain("Kopilka is serving at");
    expect(server.stderr()).toContain("demo-accounting");
  });

  it("are readable by people with LOG_FORMAT=pretty", async () => {
    const pretty = await startServer(scratch.url, {
      LOG_LEVEL: "info",
      LOG_FORMAT: "pretty",
      DEMO_DATA: "false",
    });
    await stopGracefully(pretty);
    const out = pretty.stdout();
    expect(out).toContain("kopilka is serving");
    expect(out.split("\n")[0]!.startsWith("{")).toBe(false);
  });
});
