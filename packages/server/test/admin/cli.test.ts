/** `kopilka user:create` and `user:reset-password`: one-time passwords printed once, or stdin's. */
import { execFile } from "node:child_process";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { userCreate, userResetPassword } from "../../src/cli/user-commands.js";
import { adminCall, bearerLogin } from "../support/admin.js";
import { seedPartner, startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await seedPartner(t, { code: "chain" });
});
afterAll(async () => t?.close());

function io(stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      database: t.database,
      clock: t.clock,
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      ...(stdin !== undefined ? { stdin: Readable.from([stdin]) } : {}),
    },
  };
}

describe("user:create", () => {
  it("prints a one-time password once; the user must change it", async () => {
    const run = io();
    expect(await userCreate({ email: "first@chain.test", role: "owner", partner: "chain" }, run.io)).toBe(0);
    const otp = run.out.join("\n").match(/one-time password .*: (\S+)/)![1]!;
    const login = await bearerLogin(t, "first@chain.test", otp);
    expect(login.statusCode).toBe(200);
    expect(login.json().user).toMatchObject({
      mustChangePassword: true,
      memberships: [{ partnerCode: "chain", role: "owner" }],
    });
  });

  it("takes the password from stdin, and makes platform administrators without a partner", async () => {
    const run = io("a password from stdin\n");
    expect(
      await userCreate({ email: "root@platform.test", role: "admin", passwordFromStdin: true }, run.io),
    ).toBe(0);
    expect(run.out.join("\n")).not.toContain("one-time");
    const login = await bearerLogin(t, "root@platform.test", "a password from stdin");
    expect(login.json().user).toMatchObject({ platformAdmin: true, mustChangePassword: false });
    const audit = await adminCall(t, "GET", "/audit?entityType=user", { token: login.json().token });
    expect(audit.json().items[0]).toMatchObject({ userId: null, address: "cli", action: "create" });
  });

  it("refuses bad usage and domain errors in one line with a non-zero exit", async () => {
    const cases: [Parameters<typeof userCreate>[0], number, RegExp][] = [
      [{ email: "x@chain.test", role: "boss", partner: "chain" }, 2, /--role must be/],
      [{ email: "x@chain.test", role: "owner" }, 2, /needs --partner/],
      [{ email: "x@chain.test", role: "admin", partner: "chain" }, 2, /leave out --partner/],
      [{ email: "x@chain.test", role: "owner", partner: "nowhere" }, 1, /PARTNER_NOT_FOUND/],
      [{ email: "first@chain.test", role: "analyst", partner: "chain" }, 1, /MEMBERSHIP_EXISTS/],
    ];
    for (const [options, code, message] of cases) {
      const run = io();
      expect(await userCreate(options, run.io)).toBe(code);
      expect(run.err).toHaveLength(1);
      expect(run.err[0]).toMatch(message);
    }
    const weak = io("short\n");
    expect(
      await userCreate(
        { email: "w@chain.test", role: "analyst", partner: "chain", passwordFromStdin: true },
        weak.io,
      ),
    ).toBe(1);
    expect(weak.err[0]).toMatch(/PASSWORD_TOO_WEAK/);
  });
});

describe("user:reset-password", () => {
  it("gives a new one-time password and ends the user's sessions", async () => {
    const created = io("the original password");
    await userCreate(
      { email: "forgetful@chain.test", role: "analyst", partner: "chain", passwordFromStdin: true },
      created.io,
    );
    const { token } = (await bearerLogin(t, "forgetful@chain.test", "the original password")).json();
    const run = io();
    expect(await userResetPassword({ email: "Forgetful@chain.test" }, run.io)).toBe(0);
    const otp = run.out.join("\n").match(/one-time password .*: (\S+)/)![1]!;
    expect((await adminCall(t, "GET", "/auth/me", { token })).statusCode).toBe(401);
    expect((await bearerLogin(t, "forgetful@chain.test", otp)).statusCode).toBe(200);
    const unknown = io();
    expect(await userResetPassword({ email: "nobody@chain.test" }, unknown.io)).toBe(1);
    expect(unknown.err[0]).toMatch(/USER_NOT_FOUND/);
  });
});

describe("the kopilka command", () => {
  it("wires user:create", async () => {
    const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [main, "user:create", "--email", "cli@chain.test", "--role", "marketer", "--partner", "chain"],
      { env: { ...process.env, DATABASE_URL: t.scratch.url, LOG_LEVEL: "silent" } },
    );
    expect(stdout).toMatch(/cli@chain.test \(user \d+\) is now marketer of chain/);
    expect(stdout).toMatch(/one-time password/);
  });
});
