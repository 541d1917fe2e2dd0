/**
 * The command line as an operator meets it: usage for every command, exit codes (0 done, 1 failed,
 * 2 usage), and one clear line on stderr for every mistake, never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace, kopilka, linesOf } from "../support/cli.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";

let scratch: ScratchDatabase;
let env: Record<string, string>;

/**
 * What usage never needs: the HTTP stack, the database drivers and query builder, the report, mail and log
 * libraries, the schemas. A command imports them in its action (src/cli/support.ts), so that --help and a
 * mistyped flag answer at once; test/support/forbidden-packages.mjs fails any process that loads one.
 */
const HEAVY_PACKAGES = [
  "fastify",
  "kysely",
  "better-sqlite3",
  "pg",
  "exceljs",
  "typebox",
  "pino",
  "nodemailer",
];
const withoutHeavyPackages = (packages = HEAVY_PACKAGES) => ({
  ...env,
  NODE_OPTIONS: `--import=${new URL("../support/forbidden-packages.mjs", import.meta.url).href}`,
  FORBIDDEN_PACKAGES: packages.join(","),
});

beforeAll(async () => {
  scratch = await scratchDatabase();
  env = { DATABASE_URL: scratch.url, NODE_ENV: "test" };
});
afterAll(async () => {
  await scratch?.drop();
});

/** One line on stderr, nothing on stdout, no stack, and the exit code. */
async function expectOneLineFailure(args: string[], exitCode: number, pattern: RegExp) {
  const run = await kopilka(args, env);
  expect(run.code, run.stderr).toBe(exitCode);
  expect(
    linesOf(run.stderr).filter((l) => !l.startsWith("database migrated")),
    run.stderr,
  ).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(hasStackTrace(run.stderr)).toBe(false);
  expect(run.stdout).toBe("");
}

// Every test starts several processes; on a busy two-core machine that can take a while.
describe("kopilka command line", { timeout: 180_000 }, () => {
  it("prints the usage of every command with --help and -h, exiting 0, without loading the server's libraries", async () => {
    const top = await kopilka(["--help"], withoutHeavyPackages());
    expect(top.stderr).toBe("");
    expect(top.code).toBe(0);
    const section = top.stdout.slice(top.stdout.indexOf("Commands:"));
    const commands = [...section.matchAll(/^ {2}([a-z][a-z:-]*)/gm)].map((m) => m[1]!);
    expect(commands).toEqual(
      expect.arrayContaining([
        "serve",
        "migrate",
        "demo",
        "verify-ledger",
        "partner:create",
        "store:create",
        "credential:create",
        "credential:disable",
        "credential:enable",
        "backup",
        "restore",
      ]),
    );
    // Four at a time: each run is a whole process start. Every command with --help; -h is commander's
    // same option, checked on the first command of each group.
    const runs = commands
      .filter((c) => c !== "help")
      .flatMap((command, i, all) => {
        const group = command.split(":")[0];
        const firstOfGroup = all.findIndex((c) => c.split(":")[0] === group) === i;
        return firstOfGroup
          ? [
              { command, flag: "--help" },
              { command, flag: "-h" },
            ]
          : [{ command, flag: "--help" }];
      });
    for (let i = 0; i < runs.length; i += 4) {
      await Promise.all(
        runs.slice(i, i + 4).map(async ({ command, flag }) => {
          const run = await kopilka([command, flag], withoutHeavyPackages());
          expect(run.code, `${command} ${flag}: ${run.stderr}`).toBe(0);
          expect(run.stdout, command).toMatch(new RegExp(`^Usage: kopilka ${command}`));
          expect(run.stderr, command).toBe("");
        }),
      );
    }
    expect((await kopilka(["-h"], env)).code).toBe(0);
    const viaHelp = await kopilka(["help", "store:create"], env);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain("--timezone <zone>");
  });

  it("loads a command's libraries when it runs (the check above would see them)", async () => {
    const run = await kopilka(["verify-ledger"], withoutHeavyPackages(["kysely"]));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("forbidden package kysely");
  });

  it("documents serve's environment variables in its usage", async () => {
    const run = await kopilka(["serve", "--help"], env);
    for (const name of ["DATABASE_URL", "LOG_FORMAT", "NODE_ENV", "DEMO_DATA"])
      expect(run.stdout).toContain(name);
  });

  it("refuses unknown commands, unknown flags, missing values and stray arguments with exit 2", async () => {
    await expectOneLineFailure(["frobnicate"], 2, /unknown command 'frobnicate'/);
    await expectOneLineFailure(
      ["partner:create", "--code", "x", "--name", "X", "--colour", "red"],
      2,
      /unknown option '--colour'/,
    );
    await expectOneLineFailure(["partner:create", "--code"], 2, /option '--code <code>' argument missing/);
    await expectOneLineFailure(["partner:create", "--code", "--name", "X"], 2, /--code.*value is missing/);
    await expectOneLineFailure(
      ["partner:create", "--code", "x"],
      2,
      /required option '--name <name>' not specified/,
    );
    await expectOneLineFailure(["partner:create", "--code", " ", "--name", "X"], 2, /must not be empty/);
    await expectOneLineFailure(["migrate", "now"], 2, /too many arguments/);
    await expectOneLineFailure(["backup"], 2, /missing required argument 'file'/);
    const bare = await kopilka([], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: kopilka");
  });

  it("reports what migrate applied, then that the database is up to date", async () => {
    const first = await kopilka(["migrate"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied \d+ migrations?: 0001-initial/);
    const second = await kopilka(["migrate"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("the database is up to date; nothing applied\n");
  });

  it("sets up a partner, a store and a credential, and refuses duplicates and bad values in one line", async () => {
    const partner = await kopilka(["partner:create", "--code", "chain", "--name", "Аптеки Плюс"], env);
    expect(partner.code, partner.stderr).toBe(0);
    expect(partner.stdout).toMatch(/^partner chain created with id \d+\n$/);
    await expectOneLineFailure(
      ["partner:create", "--code", "chain", "--name", "Другая"],
      1,
      /partner chain already exists \(ALREADY_EXISTS\)/,
    );

    const storeArgs = ["store:create", "--partner", "chain", "--code", "S1", "--name", "Аптека №1"];
    await expectOneLineFailure(
      [...storeArgs, "--timezone", "Europe/Mordor"],
      2,
      /unknown time zone Europe\/Mordor/,
    );
    await expectOneLineFailure(
      ["store:create", "--partner", "nobody", "--code", "S1", "--name", "A", "--timezone", "Europe/Moscow"],
      1,
      /no partner with code nobody/,
    );
    const store = await kopilka([...storeArgs, "--timezone", "Europe/Moscow"], env);
    expect(store.code, store.stderr).toBe(0);
    await expectOneLineFailure([...storeArgs, "--timezone", "Europe/Moscow"], 1, /store S1 already exists/);

    const credential = await kopilka(
      ["credential:create", "--partner", "chain", "--login", "chain-pos-1", "--store", "S1"],
      env,
    );
    expect(credential.code, credential.stderr).toBe(0);
    expect(credential.stdout).toMatch(/secret \(shown once\): \S{16,}/);
    await expectOneLineFailure(
      ["credential:create", "--partner", "chain", "--login", "chain-pos-1"],
      1,
      /credential chain-pos-1 already exists/,
    );
    await expectOneLineFailure(
      ["credential:create", "--partner", "chain", "--login", "x", "--store", "S9"],
      1,
      /no store with code S9/,
    );

    const disabled = await kopilka(["credential:disable", "--login", "chain-pos-1"], env);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toBe("credential chain-pos-1 disabled\n");
    await expectOneLineFailure(
      ["credential:enable", "--login", "nobody"],
      1,
      /no credential with login nobody/,
    );

    const ledger = await kopilka(["verify-ledger"], env);
    expect(ledger.code).toBe(0);
    expect(ledger.stdout).toContain("ledger ok");
  });

  it("loads demo data only into a new database, and never in production", async () => {
    // The database of this file already has the partner "chain".
    await expectOneLineFailure(["demo"], 1, /already has partners: demo data loads only into a new database/);
    const production = await kopilka(["demo"], { ...env, NODE_ENV: "production" });
    expect(production.code).toBe(2);
    expect(production.stderr).toMatch(/NODE_ENV=production/);
  });

  it("reports bad configuration by variable, with exit 2", async () => {
    const run = await kopilka(["migrate"], { ...env, LOG_FORMAT: "fancy" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("LOG_FORMAT");
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
