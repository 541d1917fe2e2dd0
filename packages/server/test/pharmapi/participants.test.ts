/**
 * A manufacturer's discount program reaches a chain's pharmacies once the chain takes part in it, at the
 * next get_discount, and stops at the next one after the chain leaves: the programs a partner may use are
 * cached, and a change of participants moves the programs' change counter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartner } from "../../src/modules/partners/index.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { createDiscountProgram, POS, pharmJson, seedPharmApi } from "../support/pharmapi.js";

let t: TestApp;
let makerId: number;
const MAKER = "maker";
const PRODUCT = "4600000000035";
const actor = { userId: null, address: "test" };

beforeAll(async () => {
  t = await startTestApp();
  await seedPharmApi(t);
  makerId = await createPartner(t.database.db, MAKER, "Manufacturer", t.clock.now());
  await createDiscountProgram(
    t,
    makerId,
    {
      code: "maker-promo",
      name: "Программа производителя",
      items: [{ barcode: PRODUCT, name: "Препарат", discount: { type: "percent", percentBp: 2000 } }],
      cardRanges: [{ prefix: "555", lengths: [13] }],
    },
    MAKER,
  );
});
afterAll(() => t.close());

const discount = (card: string) =>
  pharmJson(t, "get_discount", {
    ...POS,
    card_number: card,
    orders: [{ barcode: PRODUCT, count: 1, price: 1000 }],
  });

describe("a chain taking part in a manufacturer's program", () => {
  it("is served by it from the next call after joining, and not after leaving", async () => {
    const card = "5550000000017";
    // The chain's pharmacies know nothing of the card's range yet (and the chain's programs are cached).
    expect((await discount(card)).error_code).toBe(1);
    expect((await discount(card)).error_code).toBe(1);

    const maker = { id: makerId, code: MAKER, name: "Manufacturer" };
    await t.server.services.admin.addParticipant(actor, maker, "maker-promo", "pharma");
    const served = await discount(card);
    expect(served.error_code, JSON.stringify(served)).toBe(0);
    expect(served.orders[0].error_code).toBe(0);
    expect(served.orders[0].discount).toBeGreaterThan(0);

    await t.server.services.admin.removeParticipant(actor, maker, "maker-promo", "pharma");
    expect((await discount(card)).error_code).toBe(1);
  });
});
