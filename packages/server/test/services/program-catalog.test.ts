/**
 * The program catalog in and out of transactions: a caller inside a transaction never waits for a read that
 * needs another connection (on SQLite the transaction holds the only one), and a change is seen at the next
 * version check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addRules, ProgramCatalog } from "../../src/modules/programs/index.js";
import { type SeededPartner, seedPartner, startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let p: SeededPartner;
beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t);
});
afterAll(async () => t?.close());

describe("program catalog", () => {
  it("serves callers inside and outside transactions at once, checking the version on every call", async () => {
    const catalog = new ProgramCatalog(t.database, t.clock, 0);
    const loaded = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? catalog.get(p.programId)
          : t.database.transaction((trx) => catalog.get(p.programId, trx)),
      ),
    );
    expect(loaded.every((l) => l?.rules.length === 5)).toBe(true);
    // A request outside any transaction starts a version read (it needs the connection the transaction
    // holds on SQLite); the transaction's own read must not wait for it.
    const { outside } = await t.database.transaction(async (trx) => {
      const outside = catalog.get(p.programId);
      expect((await catalog.get(p.programId, trx))?.rules).toHaveLength(5);
      return { outside };
    });
    expect((await outside)?.rules).toHaveLength(5);
    await addRules(
      t.database,
      p.programId,
      [{ name: "new 1%", kind: "accrual_percent", value: 100 }],
      t.clock.now(),
    );
    const after = await t.database.transaction((trx) => catalog.get(p.programId, trx));
    expect(after?.rules.map((r) => r.name)).toContain("new 1%");
    expect(after?.version).toBe(loaded[0]!.version + 1);
    // The earlier version stays exactly as it was, for purchases priced with it.
    const earlier = await catalog.atVersion(p.programId, loaded[0]!.version);
    expect(earlier?.rules).toHaveLength(5);
  });
});
