/**
 * The upload methods behind the real PharmApi transport: a pharmacy list uploaded with update_pharmacies
 * binds its POS ids, and get_discount from one of them (no pharmacy_id) is priced for that pharmacy; a
 * stock upload on the -encoded path lands; a malformed `pl` answers 400 in text and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/harness.js";
import { pharm, pharmJson, seedPharmApi, VALID_CARD } from "../support/pharmapi.js";

let t: TestApp;
let partnerId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ partnerId } = await seedPharmApi(t));
});
afterAll(async () => t?.close());

describe("uploads through the PharmApi transport", () => {
  it("update_pharmacies binds POS ids that get_discount then resolves", async () => {
    const listed = await pharmJson(t, "update_pharmacies", {
      update_mode: "merge",
      pharmacies: [{ id: "apteka-7", address: "Москва, Тверская улица, дом 7", pos_ids: ["kassa-7-1"] }],
    });
    expect(listed.status, JSON.stringify(listed)).toBe("success");
    const answer = await pharmJson(t, "get_discount", {
      pos_id: "kassa-7-1",
      card_number: VALID_CARD,
      orders: [{ barcode: "1111111111116", count: 1, price: 100 }],
    });
    expect(answer.status, JSON.stringify(answer)).toBe("success");
    expect(answer.orders[0]).toMatchObject({ error_code: 0, discount: 20 });
    const store = await t.database.db
      .selectFrom("purchases")
      .innerJoin("stores", "stores.id", "purchases.store_id")
      .select("stores.code")
      .where("purchases.partner_id", "=", partnerId)
      .orderBy("purchases.id", "desc")
      .executeTakeFirstOrThrow();
    expect(store.code).toBe("apteka-7");
  });

  it("update_prices on the -encoded path replaces the pharmacy's stock", async () => {
    const body = JSON.stringify({
      prices: [
        { pharmacy_id: "apteka-7", barcode: "1111111111116", name: "Витамины", price: 123.45, amount: 3 },
      ],
    });
    const res = await pharm(t, "update_prices", null, {
      version: "v1.1-encoded",
      raw: encodeURIComponent(body),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(JSON.parse(decodeURIComponent(res.body.replace(/\+/g, " ")))).toMatchObject({ status: "success" });
    const rows = await t.database.db
      .selectFrom("stock_items")
      .select(["barcode", "price", "amount"])
      .where("partner_id", "=", partnerId)
      .execute();
    expect(rows).toEqual([{ barcode: "1111111111116", price: 12_345, amount: 3000 }]);
  });

  it("a malformed pl answers 400 in text and changes nothing", async () => {
    const before = await t.database.db.selectFrom("stores").select("code").orderBy("code").execute();
    const res = await pharm(t, "pl", null, {
      raw: "<pharmacies><pharmacy id='x'>",
      headers: { "content-type": "application/xml" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(await t.database.db.selectFrom("stores").select("code").orderBy("code").execute()).toEqual(before);
  });
});
