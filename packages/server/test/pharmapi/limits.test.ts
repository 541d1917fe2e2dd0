/**
 * Discount program limits and cards at the module level: a reservation lapses with its purchase (the
 * sweeper releases it), a period limit frees up in the next period, two first uses of a range card at
 * once create one card, and a card's live holds are read from its index alone.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumedPacks } from "../../src/modules/discount-programs/index.js";
import { LIVE_HOLDS } from "../../src/modules/discount-programs/limits.js";
import { sweepOnce } from "../../src/modules/purchases/index.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { createDiscountProgram, POS, pharmJson, seedPharmApi } from "../support/pharmapi.js";

let t: TestApp;
let partnerId: number;
let programId: number;
const LIMITED = "4600000000011";

beforeAll(async () => {
  t = await startTestApp();
  ({ partnerId } = await seedPharmApi(t));
  programId = await createDiscountProgram(t, partnerId, {
    code: "daily",
    name: "Один в день",
    items: [{ barcode: LIMITED, name: "Препарат", discount: { type: "percent", percentBp: 5000 } }],
    limits: [
      { id: "day", period: "day", maxPacks: 1 },
      { id: "ever", period: "lifetime", maxPacks: 2 },
    ],
    cardRanges: [{ prefix: "888", lengths: [13] }],
  });
});
afterAll(() => t.close());

const line = [{ barcode: LIMITED, count: 1, price: 100 }];

describe("limits over time", () => {
  it("a reservation lapses with its purchase; the sweeper releases it", async () => {
    const card = "8880000000001";
    const first = await pharmJson(t, "get_discount", { ...POS, card_number: card, orders: line });
    expect(first.orders[0].error_code).toBe(0);
    const other = { ...POS, pos_id: "other" };
    expect(
      (await pharmJson(t, "get_discount", { ...other, card_number: card, orders: line })).orders[0]
        .error_code,
    ).toBe(3);
    t.clock.advance(31 * 60_000);
    await sweepOnce(t.database, t.clock.now());
    const held = await t.database.db
      .selectFrom("discount_limit_holds")
      .select("state")
      .where("card_number", "=", card)
      .execute();
    expect(held.every((h) => h.state === "released")).toBe(true);
    expect(
      (await pharmJson(t, "get_discount", { ...other, card_number: card, orders: line })).orders[0]
        .error_code,
    ).toBe(0);
  });

  it("a day limit frees up the next day; a lifetime limit never does (301)", async () => {
    const card = "8880000000002";
    const buy = async () => {
      const calc = await pharmJson(t, "get_discount", { ...POS, card_number: card, orders: line });
      if (calc.orders[0].error_code === 0)
        expect(
          (
            await pharmJson(t, "confirm_purchase", {
              ...POS,
              card_number: card,
              transactions: [calc.orders[0].transaction],
            })
          ).error_code,
        ).toBe(0);
      return calc.orders[0];
    };
    expect((await buy()).error_code).toBe(0);
    const blocked = await buy();
    expect(blocked.error_code).toBe(3);
    expect(blocked.message).toMatch(/с \d\d\.\d\d\.\d{4}/);
    t.clock.advance(86_400_000);
    expect((await buy()).error_code).toBe(0);
    t.clock.advance(86_400_000);
    const exhausted = await buy();
    expect(exhausted.error_code).toBe(301);
    expect(await consumedPacks(t.database.db, programId, card)).toEqual({ day: 2, ever: 2 });
  });
});

describe("cards of a range", () => {
  it("two first uses at once create one card", async () => {
    const card = "8880000000099";
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        pharmJson(t, "get_discount", { ...POS, pos_id: `first-${i}`, card_number: card, orders: [] }),
      ),
    );
    expect(answers.every((a) => a.error_code === 0)).toBe(true);
    const cards = await t.database.db.selectFrom("cards").select("id").where("number", "=", card).execute();
    expect(cards).toHaveLength(1);
    const accounts = await t.database.db
      .selectFrom("points_accounts")
      .select("card_id")
      .where("card_id", "=", cards[0]!.id)
      .execute();
    expect(accounts).toHaveLength(1);
  });
});

describe("the card's live holds", () => {
  it("are found by card in an index that answers the read alone, however long the card's history", async () => {
    // The statement get_discount runs twice per call, its parameters written in.
    const text = LIVE_HOLDS.replace("?", String(programId)).replace("?", "'8880000000002'").replace("?", "0");
    if (t.database.dialect === "sqlite") {
      const plan = await sql<{ detail: string }>`explain query plan ${sql.raw(text)}`.execute(t.database.db);
      expect(plan.rows.map((r) => r.detail)).toEqual([
        "SEARCH discount_limit_holds USING COVERING INDEX discount_limit_holds_live (program_id=? AND card_number=?)",
      ]);
      return;
    }
    const plan = await t.database.db.transaction().execute(async (trx) => {
      // A test's table is small enough for a sequential scan: the question is whether the index alone can
      // answer.
      await sql`set local enable_seqscan = off`.execute(trx);
      const rows = (await sql<{ "QUERY PLAN": string }>`explain ${sql.raw(text)}`.execute(trx)).rows;
      return rows.map((r) => r["QUERY PLAN"].trim());
    });
    expect(plan[0]).toMatch(/^Index Only Scan using discount_limit_holds_live on discount_limit_holds/);
    expect(plan).toContain(
      `Index Cond: ((program_id = ${programId}) AND (card_number = '8880000000002'::text))`,
    );
  });
});
