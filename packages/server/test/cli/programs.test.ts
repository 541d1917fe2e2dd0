/**
 * program:export and program:import: a program with its rules round-trips through a JSON file; an import
 * creates or updates the program, each changed rule as a new version, all or nothing, and a bad rule is
 * named with its field.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kopilka } from "../support/cli.js";
import { seedPartner, startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await startTestApp();
  await seedPartner(t, { code: "alpha" });
  await seedPartner(t, { code: "beta" });
  dir = await mkdtemp(join(tmpdir(), "kopilka-programs-"));
});
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const run = (args: string[]) => kopilka(args, { DATABASE_URL: t.scratch.url, PII_KEY: "0".repeat(64) });

const versionsOf = async () =>
  Number(
    (
      await t.database.db
        .selectFrom("rule_versions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("program files", () => {
  it("exports a program and imports it back: unchanged rules stay, changed ones get a version", async () => {
    const file = join(dir, "main.json");
    const exported = await run(["program:export", "--partner", "alpha", "--program", "main", "--out", file]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("5 rules written");
    const data = JSON.parse(await readFile(file, "utf8"));
    expect(data).toMatchObject({
      format: "kopilka-program/1",
      program: { code: "main", kind: "loyalty", maxPointsPaymentShareBp: 5000, discountRounding: "down" },
    });
    expect(data.rules).toHaveLength(5);
    expect(data.rules[2]).toMatchObject({ id: 3, active: true, name: "vitamins -10%" });

    const same = await run(["program:import", "--partner", "alpha", file]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain("0 created, 0 new versions, 5 unchanged, 0 disabled");

    data.rules[2].effects[0].params.percentBp = 1200;
    data.rules.push({
      name: "weekend accrual",
      priority: 0,
      stacking: { mode: "stackable" },
      conditions: [{ type: "weekdays", params: { days: [6, 7] } }],
      effects: [{ type: "accrual_percent", params: { percentBp: 100 } }],
    });
    data.rules = data.rules.filter((r: { id?: number }) => r.id !== 5);
    data.program.holdDays = 3;
    await writeFile(file, JSON.stringify(data));
    const changed = await run(["program:import", "--partner", "alpha", file]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain("1 created, 1 new versions, 3 unchanged, 1 disabled");
    const rules = await t.database.db
      .selectFrom("rules")
      .select(["id", "version", "active"])
      .orderBy("id")
      .execute();
    expect(rules.filter((r) => r.id <= 5).map((r) => [r.id, r.version, r.active])).toEqual([
      [1, 1, 1],
      [2, 1, 1],
      [3, 2, 1],
      [4, 1, 1],
      [5, 1, 0],
    ]);

    // Into another partner: a new program with the same rules (ids of another program are not reused).
    const copy = await run(["program:import", "--partner", "beta", file]);
    expect(copy.code, copy.stderr).toBe(0);
    const again = join(dir, "beta.json");
    expect(
      (await run(["program:export", "--partner", "beta", "--program", "main", "--out", again])).code,
    ).toBe(0);
    const betaFile = JSON.parse(await readFile(again, "utf8"));
    const strip = (r: Record<string, unknown>) => {
      const { id: _id, ...rest } = r;
      return rest;
    };
    const active = (rs: Record<string, unknown>[]) => rs.filter((r) => r.active).map(strip);
    expect(active(betaFile.rules)).toEqual(
      expect.arrayContaining(active(data.rules as Record<string, unknown>[])),
    );
    expect(betaFile.program.holdDays).toBe(3);
  });

  it("refuses a file with a bad rule whole, naming the rule and the field", async () => {
    const file = join(dir, "bad.json");
    const good = {
      name: "fine",
      priority: 0,
      stacking: { mode: "stackable" },
      conditions: [],
      effects: [{ type: "accrual_percent", params: { percentBp: 100 } }],
    };
    await writeFile(
      file,
      JSON.stringify({
        format: "kopilka-program/1",
        program: { code: "autumn", name: "Autumn", kind: "loyalty" },
        rules: [
          good,
          { ...good, name: "broken", effects: [{ type: "accrual_percent", params: { percentBp: 0 } }] },
        ],
      }),
    );
    const before = await versionsOf();
    const res = await run(["program:import", "--partner", "alpha", file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('rule "broken"');
    expect(res.stderr).toContain("rules[1].effects[0].params.percentBp");
    expect(res.stderr).toContain("(RULE_INVALID)");
    expect(await versionsOf()).toBe(before);
    const program = await t.database.db
      .selectFrom("programs")
      .select("id")
      .where("code", "=", "autumn")
      .executeTakeFirst();
    expect(program).toBeUndefined();

    await writeFile(file, JSON.stringify({ format: "something else", program: {}, rules: [] }));
    const wrong = await run(["program:import", "--partner", "alpha", file]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("format");
    const unknown = await run(["program:export", "--partner", "alpha", "--program", "nope", "--out", file]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("PROGRAM_NOT_FOUND");
  });
});
