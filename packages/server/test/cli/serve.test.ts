/**
 * `kopilka serve` refusing to start: a port already taken, and production with demo logins. Each is one
 * clear line per problem on stderr and a non-zero exit, never a stack trace.
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/infra/db/database.js";
import { hasPartners } from "../../src/modules/partners/index.js";
import { hasStackTrace, kopilka, linesOf } from "../support/cli.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";
import {
  freePort,
  killAll,
  spawnServer,
  startServer,
  stopGracefully,
  within,
} from "../support/server-process.js";

let scratch: ScratchDatabase;

beforeAll(async () => {
  scratch = await scratchDatabase();
});
afterAll(async () => {
  await killAll();
  await scratch?.drop();
});

describe("kopilka serve", { timeout: 180_000 }, () => {
  it("says in one line that the port is in use, and exits 1", async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      const server = spawnServer(scratch.url, port, { DEMO_DATA: "false" });
      const exit = await within(30_000, "serve to give up on a taken port", server.exited);
      expect(exit.code, server.output()).toBe(1);
      expect(linesOf(server.stderr())).toEqual([
        `kopilka: cannot listen on 127.0.0.1:${port}: the port is already in use (EADDRINUSE); set PORT to a free one`,
      ]);
      expect(hasStackTrace(server.output())).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it("refuses DEMO_DATA=true in production and loads nothing", async () => {
    const server = spawnServer(scratch.url, await freePort(), { NODE_ENV: "production", DEMO_DATA: "true" });
    const exit = await within(30_000, "serve to refuse demo data in production", server.exited);
    expect(exit.code).toBe(2);
    expect(server.stderr()).toContain("DEMO_DATA=true with NODE_ENV=production");
    expect(hasStackTrace(server.output())).toBe(false);
    const database = openDatabase(scratch.url);
    try {
      expect(await hasPartners(database.db)).toBe(false);
    } finally {
      await database.close();
    }
  });

  it("refuses to run in production while a demo credential is open, naming each and its fix", async () => {
    const demo = await kopilka(["demo"], { DATABASE_URL: scratch.url });
    expect(demo.code, demo.stderr).toBe(0);
    const logins = [
      "demo-accounting",
      "demo-pos-msk-1",
      "demo-pos-msk-2",
      "demo-pos-nsk-1",
      "demo-pos-vvo-1",
    ];
    const users = ["admin@demo.kopilka", "owner@demo.kopilka", "marketer@demo.kopilka"];

    const production = { NODE_ENV: "production", DEMO_DATA: "" };
    const refused = spawnServer(scratch.url, await freePort(), production);
    const exit = await within(30_000, "serve to refuse demo credentials in production", refused.exited);
    expect(exit.code).toBe(1);
    const lines = linesOf(refused.stderr());
    expect(lines).toHaveLength(logins.length + 1 + users.length);
    for (const [i, login] of logins.entries()) {
      expect(lines[i]).toContain(`demo POS credential ${login} still accepts the public demo secret`);
      expect(lines[i]).toContain(`kopilka credential:disable --login ${login}`);
    }
    expect(lines[logins.length]).toContain("demo PharmApi credential demo-pharmapi-token still accepts");
    expect(lines[logins.length]).toContain("kopilka pharmapi:disable --token demo-pharmapi-token");
    for (const [i, email] of users.entries()) {
      const line = lines[logins.length + 1 + i];
      expect(line).toContain(`demo cabinet user ${email} still accepts the public demo secret`);
      expect(line).toContain(`kopilka user:reset-password --email ${email}`);
    }

    // Following the advice for all but one leaves exactly that one.
    for (const login of logins.slice(1))
      expect(
        (await kopilka(["credential:disable", "--login", login], { DATABASE_URL: scratch.url })).code,
      ).toBe(0);
    for (const email of users)
      expect(
        (await kopilka(["user:reset-password", "--email", email], { DATABASE_URL: scratch.url })).code,
      ).toBe(0);
    expect(
      (await kopilka(["pharmapi:disable", "--token", "demo-pharmapi-token"], { DATABASE_URL: scratch.url }))
        .code,
    ).toBe(0);
    const again = spawnServer(scratch.url, await freePort(), production);
    expect((await within(30_000, "serve to refuse again", again.exited)).code).toBe(1);
    expect(linesOf(again.stderr())).toHaveLength(1);
    expect(again.stderr()).toContain("demo-accounting");

    expect(
      (await kopilka(["credential:disable", "--login", "demo-accounting"], { DATABASE_URL: scratch.url }))
        .code,
    ).toBe(0);
    const live = await startServer(scratch.url, production);
    expect((await fetch(`${live.base}/health/ready`)).status).toBe(200);
    await stopGracefully(live);
  });
});
