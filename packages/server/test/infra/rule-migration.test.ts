/**
 * Migration 0005 turns stored rules of the four basic kinds into rule-engine definitions, and the program
 * priced by them gives what the basic engine gave, receipt after receipt (with the same rule ids, and the
 * purchases priced before it still rebuildable by their `basic-1/…` version).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBasicEngine } from "../../src/core/engine/basic-engine.js";
import type { Rule } from "../../src/core/engine/types.js";
import { type Database, openDatabase } from "../../src/infra/db/database.js";
import { migrateTo, migrateToLatest } from "../../src/infra/db/migrate.js";
import { ProgramCatalog, parseRulesVersion } from "../../src/modules/programs/index.js";
import { LEVELS, scenarioArb } from "../core/engine-arbitraries.js";
import { type ScratchDatabase, scratchDatabase } from "../support/databases.js";

let scratch: ScratchDatabase;
let database: Database;
const now = Date.UTC(2026, 0, 10);

const legacy: Rule[] = [
  { id: 1, name: "accrual 5%", kind: "accrual_percent", percentBp: 500, scope: {}, priority: 0 },
  {
    id: 2,
    name: "gold 10%",
    kind: "accrual_percent",
    percentBp: 1000,
    scope: {},
    priority: 0,
    levels: [LEVELS[0]!],
  },
  {
    id: 3,
    name: "vitamins",
    kind: "discount_percent",
    percentBp: 1000,
    scope: { categories: ["C1"] },
    priority: 1,
  },
  {
    id: 4,
    name: "brand X",
    kind: "discount_fixed",
    amountPerUnit: 3000,
    scope: { brands: ["B1"], categories: ["C2"] },
    priority: 0,
  },
  {
    id: 5,
    name: "SALE",
    kind: "discount_percent",
    percentBp: 2000,
    scope: {},
    priority: 0,
    promoCode: "VIP",
  },
  {
    id: 6,
    name: "half",
    kind: "points_payment_limit",
    maxShareBp: 5000,
    scope: { categories: ["C1"] },
    priority: 0,
  },
  { id: 7, name: "nothing", kind: "discount_percent", percentBp: 0, scope: {}, priority: 0 },
];

function paramsOf(r: Rule): Record<string, number> {
  switch (r.kind) {
    case "discount_fixed":
      return { amountPerUnit: r.amountPerUnit };
    case "points_payment_limit":
      return { maxShareBp: r.maxShareBp };
    default:
      return { percentBp: r.percentBp };
  }
}

beforeAll(async () => {
  scratch = await scratchDatabase();
  database = openDatabase(scratch.url, { poolSize: 4 });
  await migrateTo(database, "0004-clients");
  // biome-ignore lint/suspicious/noExplicitAny: the schema before 0005, not as it is typed now
  const db = database.db as any;
  await db.insertInto("partners").values({ code: "old", name: "Old chain", created_at: now }).execute();
  await db
    .insertInto("programs")
    .values({
      partner_id: 1,
      code: "main",
      name: "Main",
      kind: "loyalty",
      active: 1,
      hold_days: 0,
      cancel_window_minutes: 30,
      purchase_ttl_seconds: 1800,
      max_points_payment_share_bp: 5000,
      points_lifetime_days: null,
      version: 3,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const r of legacy)
    await db
      .insertInto("rules")
      .values({
        program_id: 1,
        name: r.name,
        kind: r.kind,
        params: JSON.stringify(paramsOf(r)),
        scope: JSON.stringify(r.scope),
        levels: r.levels ? JSON.stringify(r.levels) : null,
        promo_code: r.promoCode ?? null,
        priority: r.priority,
        active: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  await migrateToLatest(database);
});

afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

describe("migration 0005", () => {
  it("keeps every rule with its id as version 1 of a definition; a rule that gave nothing is disabled", async () => {
    const rows = await database.db
      .selectFrom("rules")
      .select(["id", "version", "active", "definition"])
      .orderBy("id")
      .execute();
    expect(rows.map((r) => [r.id, r.version, r.active])).toEqual([
      [1, 1, 1],
      [2, 1, 1],
      [3, 1, 1],
      [4, 1, 1],
      [5, 1, 1],
      [6, 1, 1],
      [7, 1, 0],
    ]);
    expect(JSON.parse(rows[3]!.definition)).toMatchObject({
      id: 4,
      version: 1,
      program: "main",
      stacking: { mode: "exclusive", group: "discount", per: "line" },
      conditions: [
        { type: "products", params: { set: { brands: ["B1"], categories: ["C2"], match: "all" } } },
      ],
      effects: [{ type: "line_discount_amount", params: { amount: 3000, per: "unit" } }],
    });
    const program = await database.db
      .selectFrom("programs")
      .select(["version", "discount_rounding"])
      .executeTakeFirstOrThrow();
    expect(program).toEqual({ version: 3, discount_rounding: "down" });
    expect(parseRulesVersion("basic-1/1/3")).toEqual({ programId: 1, version: 3 });
  });

  it("prices every receipt as the basic engine did", async () => {
    const loaded = (await new ProgramCatalog(database).get(1))!;
    expect(loaded.version).toBe(3);
    const basic = createBasicEngine(legacy, { maxPointsPaymentShareBp: 10_000 });
    fc.assert(
      fc.property(scenarioArb, ({ input }) => {
        const old = basic.evaluate(input);
        const evaluation = loaded.engine.evaluate({
          now,
          store: null,
          lines: input.lines.map((l) => ({ ...l, barcode: null })),
          card: input.card,
          promoCodes: input.promoCodes,
        });
        for (const [i, line] of evaluation.lines.entries()) {
          expect(line.discount).toBe(old.lines[i]!.discount);
          const rate = line.contributions
            .filter((c) => c.kind === "accrual")
            .reduce((s, c) => s + c.rateBp, 0);
          expect(rate).toBe(old.lines[i]!.accrualRateBp);
        }
      }),
      { numRuns: 200 },
    );
  });
});
