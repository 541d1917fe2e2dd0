/**
 * A recalculation replaces the POS's earlier one in the same transaction as the new calculation: when one
 * POS sends get_discount for one card many times at once, exactly one calculation stays in force, every
 * other one's codes are refused, and only its packs are held. On PostgreSQL this is the advisory lock per
 * POS and card at work; on SQLite transactions run one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consumedPacks } from "../../src/modules/discount-programs/index.js";
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
    code: "recalc",
    name: "Программа с лимитом",
    items: [
      { barcode: LIMITED, name: "Препарат с лимитом", discount: { type: "fixed_price", price: 5_000 } },
    ],
    limits: [{ id: "monthly", period: "calendar_month", maxPacks: 2 }],
    cardRanges: [{ prefix: "778", lengths: [13] }],
    confirmWindowMinutes: 30,
    confirmAllTogether: false,
  });
});
afterAll(() => t.close());

const discount = (card: string) =>
  pharmJson(t, "get_discount", {
    ...POS,
    card_number: card,
    orders: [{ barcode: LIMITED, count: 2, price: 10_000 }],
  });
const confirm = (card: string, transactions: string[]) =>
  pharmJson(t, "confirm_purchase", { ...POS, card_number: card, transactions });

describe("concurrent recalculations of one POS for one card", () => {
  it("leave exactly one calculation in force, holding its packs alone", async () => {
    const card = "7780000000001";
    const answers = await Promise.all(Array.from({ length: 12 }, () => discount(card)));
    for (const a of answers) expect(a.error_code === 0 || a.orders[0].error_code === 3).toBe(true);

    const inForce = await t.database.db
      .selectFrom("pharmapi_calculations")
      .select(["id", "purchase_external_id"])
      .where("partner_id", "=", partnerId)
      .where("pos_id", "=", POS.pos_id)
      .where("card_number", "=", card)
      .where("superseded_at", "is", null)
      .execute();
    expect(inForce).toHaveLength(1);
    const calculated = await t.database.db
      .selectFrom("purchases")
      .select("external_id")
      .where("partner_id", "=", partnerId)
      .where("external_id", "like", "pharmapi-%")
      .where("state", "=", "calculated")
      .where(
        "id",
        "in",
        t.database.db
          .selectFrom("discount_limit_holds")
          .select("purchase_id")
          .where("program_id", "=", programId)
          .where("card_number", "=", card)
          .where("state", "=", "reserved"),
      )
      .execute();
    // The held packs are the calculation in force's, and never more than the limit.
    expect(calculated.map((p) => p.external_id)).toEqual(
      calculated.length === 0 ? [] : [inForce[0]!.purchase_external_id],
    );
    const held = await t.database.db
      .selectFrom("discount_limit_holds")
      .select((eb) => eb.fn.sum<number>("packs").as("packs"))
      .where("program_id", "=", programId)
      .where("card_number", "=", card)
      .where("state", "=", "reserved")
      .executeTakeFirstOrThrow();
    expect(Number(held.packs ?? 0)).toBeLessThanOrEqual(2);

    const codes = await t.database.db
      .selectFrom("pharmapi_transactions")
      .select(["code", "calculation_id"])
      .where("partner_id", "=", partnerId)
      .execute();
    const current = codes
      .filter((c) => Number(c.calculation_id) === Number(inForce[0]!.id))
      .map((c) => c.code);
    for (const a of answers) {
      const code = a.orders[0].transaction as string | undefined;
      if (!code || current.includes(code)) continue;
      expect((await confirm(card, [code])).error_code).toBe(203);
    }
    if (current.length > 0) {
      expect((await confirm(card, current)).error_code).toBe(0);
      expect(await consumedPacks(t.database.db, programId, card)).toEqual({ monthly: 2 });
    }
  });
});
