/**
 * The PharmApi upload methods through a transport-like Fastify scope: update_pharmacies (merge, replace,
 * last id wins, POS binding), pl (XML body and multipart, malformed XML applies nothing), update_prices
 * (replace per pharmacy, exact decimals, all-or-nothing), sellout (idempotent key, fiscal triple,
 * sum_to_pay), the -encoded form, and a pharmacy's 100k rows.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartner } from "../../src/modules/partners/index.js";
import { committedStoreOfPos } from "../../src/modules/stores/index.js";
import { startTestApp, type TestApp } from "../support/harness.js";
import { startUploadTransport, upload, uploadJson } from "../support/pharmapi-uploads.js";

let t: TestApp;
let api: FastifyInstance;
const CHAIN = "chain";
const OTHER = "other";
let chainId: number;

beforeAll(async () => {
  t = await startTestApp();
  chainId = await createPartner(t.database.db, CHAIN, "Chain", t.clock.now());
  await createPartner(t.database.db, OTHER, "Other chain", t.clock.now());
  api = await startUploadTransport(t);
});

afterAll(async () => {
  await api?.close();
  await t?.close();
});

async function storesOf(partnerId: number) {
  return t.database.db
    .selectFrom("stores")
    .select(["id", "code", "name", "address", "active", "hidden", "removed_at", "brand", "inn", "timezone"])
    .where("partner_id", "=", partnerId)
    .orderBy("code")
    .execute();
}

async function posBindings(partnerId: number): Promise<Record<string, string>> {
  const rows = await t.database.db
    .selectFrom("store_pos_ids")
    .innerJoin("stores", "stores.id", "store_pos_ids.store_id")
    .select(["store_pos_ids.pos_id as posId", "stores.code as code"])
    .where("store_pos_ids.partner_id", "=", partnerId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.posId, r.code]));
}

async function count(table: "stock_items" | "sellout_lines" | "stores" | "store_pos_ids" | "stock_uploads") {
  const row = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("update_pharmacies", () => {
  it("merges: listed pharmacies are written over whole, others stay; last id wins; a POS id binds to the last pharmacy listing it", async () => {
    const first = await uploadJson(api, CHAIN, "update_pharmacies", {
      update_mode: "replace",
      pharmacies: [
        { id: "121", address: "Москва, Центральная улица, дом 1", pos_ids: ["121-1", "121-2", "shared"] },
        {
          id: "123",
          brand: "Супер-Аптека",
          legal_entity: "ООО Супер-Аптека",
          inn: "7700000000",
          region: "Москва",
          city: "Москва",
          address: "Москва, Центральный переулок, дом 11",
          gps: "55.55, 37.37",
          work_time: "пт-сб 08-20",
          phones: "8 (800) 000-00-00",
          pos_ids: ["123-1", "shared"],
          disabled: false,
          hidden: true,
        },
      ],
    });
    expect(first).toEqual({ status: "success", error_code: 0, message: "Список из 2 аптек успешно принят" });
    expect(await posBindings(chainId)).toEqual({
      "121-1": "121",
      "121-2": "121",
      "123-1": "123",
      shared: "123",
    });
    const stores = await storesOf(chainId);
    expect(stores.map((s) => [s.code, s.name, s.active, s.hidden, s.timezone])).toEqual([
      ["121", "Москва, Центральная улица, дом 1", 1, 0, "Europe/Moscow"],
      ["123", "Супер-Аптека", 1, 1, "Europe/Moscow"],
    ]);

    // merge: 123 listed twice (the last wins, whole: its brand and inn are gone), 124 new, 121 untouched.
    const merged = await uploadJson(api, CHAIN, "update_pharmacies", {
      update_mode: "merge",
      pharmacies: [
        { id: "123", address: "old", pos_ids: ["x-1"] },
        { id: "124", address: "Новая, 1", pos_ids: ["121-2", "124-1"], disabled: true },
        { id: "123", address: "Москва, Центральный переулок, дом 11", pos_ids: ["123-1", "124-1"] },
      ],
    });
    expect(merged.message).toBe("Список из 2 аптек успешно принят");
    const after = await storesOf(chainId);
    expect(after.map((s) => [s.code, s.brand, s.inn, s.active, s.removed_at])).toEqual([
      ["121", null, null, 1, null],
      ["123", null, null, 1, null],
      ["124", null, null, 0, null],
    ]);
    // 121-2 moved to 124; 124-1 is listed by 124 and then by the last 123; 123 lost "shared" and x-1 never bound.
    expect(await posBindings(chainId)).toEqual({
      "121-1": "121",
      "121-2": "124",
      "123-1": "123",
      "124-1": "123",
    });
    const view = await t.server.services.pharmacies.view(chainId, "123");
    expect(view.posIds.sort()).toEqual(["123-1", "124-1"]);
    expect((await committedStoreOfPos(t.database, chainId, "121-2"))?.id).toBe(
      after.find((s) => s.code === "124")!.id,
    );
  });

  it("replaces: pharmacies left out are removed (inactive, unbound), never deleted; relisting restores", async () => {
    const result = await uploadJson(api, CHAIN, "update_pharmacies", {
      update_mode: "replace",
      pharmacies: [{ id: "121", address: "Москва, Центральная улица, дом 1", pos_ids: ["121-1"] }],
    });
    expect(result.status).toBe("success");
    const stores = await storesOf(chainId);
    expect(stores.map((s) => [s.code, s.active, s.removed_at !== null])).toEqual([
      ["121", 1, false],
      ["123", 0, true],
      ["124", 0, true],
    ]);
    expect(await posBindings(chainId)).toEqual({ "121-1": "121" });
    await uploadJson(api, CHAIN, "update_pharmacies", {
      update_mode: "merge",
      pharmacies: [{ id: "123", address: "back", pos_ids: ["123-1"] }],
    });
    const back = (await storesOf(chainId)).find((s) => s.code === "123")!;
    expect([back.active, back.removed_at]).toEqual([1, null]);
  });

  it("refuses bad input with the protocol's envelope and changes nothing; a wrong JSON type is HTTP 400", async () => {
    const before = await storesOf(chainId);
    const bindings = await posBindings(chainId);
    const cases: [unknown, RegExp][] = [
      [{ update_mode: "upsert", pharmacies: [{ id: "1", address: "a" }] }, /update_mode/],
      [{ update_mode: "merge", pharmacies: [] }, /pharmacies не может быть пустым/],
      [{ update_mode: "merge" }, /pharmacies должно быть указано/],
      [
        {
          update_mode: "merge",
          pharmacies: [
            { id: "999", address: "ok" },
            { id: "9 9", address: "a" },
          ],
        },
        /pharmacies\[1\]\.id/,
      ],
      [{ update_mode: "merge", pharmacies: [{ id: "999" }] }, /pharmacies\[0\]\.address должно быть указано/],
      [{ update_mode: "merge", pharmacies: [null] }, /пустые \(null\)/],
      [
        { update_mode: "merge", pharmacies: [{ id: "999", address: "a", pos_ids: ["ok", "bad pos"] }] },
        /pos_ids\[1\]/,
      ],
      [{ update_mode: "merge", pharmacies: [{ id: "999", address: "a\u0000" }] }, /управляющие/],
    ];
    for (const [body, message] of cases) {
      const answer = await uploadJson(api, CHAIN, "update_pharmacies", body);
      expect(answer.status, JSON.stringify(body)).toBe("error");
      expect(answer.error_code).toBe(400);
      expect(answer.message).toMatch(message);
    }
    for (const body of [
      '{"update_mode": "merge", "pharmacies": [{"id": 5, "address": "a"}]}',
      "{not json",
      "",
    ]) {
      const res = await upload(api, CHAIN, "update_pharmacies", { body, contentType: "application/json" });
      expect(res.statusCode, body).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^text\/plain/);
      expect(res.body).toMatch(/^Ошибка при чтении JSON: /);
    }
    expect(await storesOf(chainId)).toEqual(before);
    expect(await posBindings(chainId)).toEqual(bindings);
  });

  it("accepts trailing commas, any content type, the trailing slash, and the -encoded body", async () => {
    const json =
      '{"update_mode":"merge","pharmacies":[{"id":"125","address":"Адрес + 1","pos_ids":["125-1",],},],}';
    const plain = await upload(api, CHAIN, "update_pharmacies", { body: json, contentType: "text/plain" });
    expect(plain.json().status).toBe("success");
    const encoded = encodeURIComponent(json.replace("125", "126").replace("125-1", "126-1")).replace(
      /%20/g,
      "+",
    );
    const res = await upload(api, CHAIN, "update_pharmacies", {
      version: "v1.0-encoded",
      body: encoded,
      contentType: "application/x-www-form-urlencoded",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe("success");
    const stored = (await storesOf(chainId)).filter((s) => s.code === "125" || s.code === "126");
    expect(stored.map((s) => s.address)).toEqual(["Адрес + 1", "Адрес + 1"]);
    const slash = await api.inject({
      method: "POST",
      url: "/api/v1.1/update_pharmacies/",
      headers: { "authorization-token": CHAIN },
      payload: '{"update_mode":"merge","pharmacies":[{"id":"125","address":"Адрес + 1"}]}',
    });
    expect(slash.json().status).toBe("success");
  });
});

const PL = `<?xml version="1.0" encoding="utf-8"?>
<PHARMACIES>
    <VERSION>1.1</VERSION>
    <CHAINCODE>12345</CHAINCODE>
    <COUNT>2</COUNT>
    <PHARMACY> <!-- минимальный набор данных об аптеке -->
        <CODE>121</CODE>
        <ADDRESS>Москва, Центральная улица, дом 1</ADDRESS>
        <POSES>
            <POS> <CODE>121-1</CODE> </POS>
            <POS> <CODE>121-2</CODE> </POS>
        </POSES>
    </PHARMACY>
    <PHARMACY>
        <CODE>123</CODE>
        <BRAND>Супер-аптека</BRAND>
        <LEGALENTITY>ООО "Супер-аптека"</LEGALENTITY>
        <INN>7700000000</INN>
        <ADDRESS>Москва, Центральный переулок, дом 11</ADDRESS>
        <POSES>
            <POS> <CODE>123-1</CODE> </POS>
            <POS> <CODE>121-2</CODE> </POS>
        </POSES>
        <DISABLED>false</DISABLED>
        <UNKNOWN>ignored</UNKNOWN>
    </PHARMACY>
</PHARMACIES>`;

describe("pl", () => {
  let plPartner: number;
  beforeAll(async () => {
    plPartner = await createPartner(t.database.db, "plchain", "PL chain", t.clock.now());
    await uploadJson(api, "plchain", "update_pharmacies", {
      update_mode: "merge",
      pharmacies: [{ id: "old", address: "old", pos_ids: ["old-1"] }],
    });
  });

  it("applies the XML body in replace mode and answers text/plain", async () => {
    const res = await upload(api, "plchain", "pl", { body: PL, contentType: "application/xml" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toBe("Список из 2 аптек успешно принят");
    const stores = await storesOf(plPartner);
    expect(stores.map((s) => [s.code, s.active, s.removed_at !== null, s.inn])).toEqual([
      ["121", 1, false, null],
      ["123", 1, false, "7700000000"],
      ["old", 0, true, null],
    ]);
    expect(await posBindings(plPartner)).toEqual({ "121-1": "121", "121-2": "123", "123-1": "123" });
  });

  it("takes the first file of a multipart form, and a windows-1251 file", async () => {
    const xml = PL.replace('encoding="utf-8"', 'encoding="windows-1251"').replace(
      "Супер-аптека</BRAND>",
      "Аптека №1</BRAND>",
    );
    const iconv = (await import("iconv-lite")).default;
    const file = iconv.encode(xml, "win1251");
    const boundary = "----kopilka-test-boundary";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="comment"\r\n\r\nhello\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="pl.xml"\r\nContent-Type: text/xml\r\n\r\n`,
      ),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await upload(api, "plchain", "pl", {
      version: "v1.1-encoded",
      body,
      contentType: `multipart/form-data; boundary=${boundary}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe("Список из 2 аптек успешно принят");
    const stores = await storesOf(plPartner);
    expect(stores.find((s) => s.code === "123")!.name).toBe("Аптека №1");
  });

  it("reads a URL-encoded XML body on the -encoded path, and a raw one there too", async () => {
    const encoded = encodeURIComponent(PL).replace(/%20/g, "+");
    const res = await upload(api, "plchain", "pl", {
      version: "v1.0-encoded",
      body: encoded,
      contentType: "application/x-www-form-urlencoded",
    });
    expect([res.statusCode, res.body]).toEqual([200, "Список из 2 аптек успешно принят"]);
    const raw = await upload(api, "plchain", "pl", {
      version: "v1.1-encoded",
      body: PL,
      contentType: "text/xml",
    });
    expect(raw.statusCode).toBe(200);
    const stores = await storesOf(plPartner);
    expect(stores.find((s) => s.code === "123")!.name).toBe("Супер-аптека");
  });

  it("refuses malformed XML with a clear message and applies nothing", async () => {
    const before = await storesOf(plPartner);
    const bindings = await posBindings(plPartner);
    const broken = PL.replace("<CODE>123</CODE>", "<CODE>124</CODE>").replace(
      "</POSES>\n        <DISABLED>",
      "<DISABLED>",
    );
    const res = await upload(api, "plchain", "pl", { body: broken, contentType: "text/xml" });
    expect(res.statusCode).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^Некорректный XML: .*строка \d+, позиция \d+\)\. Список аптек не изменён\.$/);
    for (const bad of [
      "<PHARMACIES><VERSION>1.1</VERSION></PHARMACIES>",
      "<OTHER/>",
      PL.replace("<ADDRESS>Москва, Центральная улица, дом 1</ADDRESS>", ""),
      PL.replace("<DISABLED>false</DISABLED>", "<DISABLED>maybe</DISABLED>"),
      "",
    ]) {
      const r = await upload(api, "plchain", "pl", { body: bad, contentType: "application/xml" });
      expect(r.statusCode, bad.slice(0, 60)).toBe(400);
      expect(r.body.length).toBeGreaterThan(10);
    }
    expect(await storesOf(plPartner)).toEqual(before);
    expect(await posBindings(plPartner)).toEqual(bindings);
  });
});

describe("update_prices", () => {
  let partnerId: number;
  beforeAll(async () => {
    partnerId = await createPartner(t.database.db, "prices", "Prices chain", t.clock.now());
    await uploadJson(api, "prices", "update_pharmacies", {
      update_mode: "replace",
      pharmacies: [
        { id: "12301", address: "a" },
        { id: "12302", address: "b" },
      ],
    });
  });

  async function stockOf(code: string) {
    return (await t.server.services.stock.ofStore(partnerId, code)).map((r) => [
      r.barcode,
      r.lot,
      r.price,
      r.amount,
    ]);
  }

  it("stores the protocol's example exactly, in kopecks and thousandths", async () => {
    const answer = await uploadJson(
      api,
      "prices",
      "update_prices",
      `{
      "prices": [
        { "pharmacy_id": "12301", "barcode": "1234567890123", "name": "Фуфломицин 100мг №10", "amount": 77, "price": 123.45 },
        { "pharmacy_id": "12301", "barcode": "1234567890124", "name": "Фуфломицин 100мг №50", "amount": 20, "price": 1234 },
        { "pharmacy_id": "12302", "barcode": "1234567890123", "lot": "X2020N123-17", "name": "Фуфломицин 100мг №10", "amount": 7.3, "price": 120.11 },
        { "pharmacy_id": "12302", "barcode": "1234567890123", "lot": "X2020N124-19", "name": "Фуфломицин 100мг №10", "amount": 3, "price": 120.00 },
        { "pharmacy_id": "12302", "barcode": "1234567890124", "lot": "X2020N123-18", "name": "Фуфломицин 100мг №50", "amount": 10, "price": 1250 },
      ]
    }`,
    );
    expect(answer).toEqual({
      status: "success",
      error_code: 0,
      message: "Остатки и цены для 2 аптек успешно приняты",
    });
    expect(await stockOf("12301")).toEqual([
      ["1234567890123", "", 12345, 77000],
      ["1234567890124", "", 123400, 20000],
    ]);
    expect(await stockOf("12302")).toEqual([
      ["1234567890123", "X2020N123-17", 12011, 7300],
      ["1234567890123", "X2020N124-19", 12000, 3000],
      ["1234567890124", "X2020N123-18", 125000, 10000],
    ]);
  });

  it("replaces a pharmacy's rows with the new ones; pharmacies not named keep theirs", async () => {
    await uploadJson(api, "prices", "update_prices", {
      prices: [{ pharmacy_id: "12301", barcode: "4600000000011", name: "Аспирин", amount: 1.5, price: 99.9 }],
    });
    expect(await stockOf("12301")).toEqual([["4600000000011", "", 9990, 1500]]);
    expect(await stockOf("12302")).toHaveLength(3);
  });

  it("refuses the whole call for one bad row; nothing changes", async () => {
    const before = [await stockOf("12301"), await stockOf("12302"), await count("stock_uploads")];
    const good = { pharmacy_id: "12302", barcode: "4600000000028", name: "Витамин C", amount: 1, price: 10 };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, price: 10.005 }, /prices\[1\]\.price .*не более двух знаков/],
      [{ ...good, amount: 0.0001 }, /prices\[1\]\.amount .*не более трёх знаков/],
      [{ ...good, price: -1 }, /prices\[1\]\.price не может быть менее нуля/],
      [{ ...good, price: 1e12 }, /prices\[1\]\.price слишком велико/],
      [{ ...good, barcode: undefined }, /barcode или qr_code/],
      [{ ...good, name: "" }, /prices\[1\]\.name должно быть указано/],
      [{ ...good, price: undefined }, /prices\[1\]\.price должно быть указано/],
      [{ ...good, pharmacy_id: "nowhere" }, /Аптека nowhere не найдена/],
      [{ ...good, barcode: "4600000000011", pharmacy_id: "12301" }, /повторяет строку prices\[0\]/],
    ];
    for (const [row, message] of cases) {
      const answer = await uploadJson(api, "prices", "update_prices", {
        prices: [
          { pharmacy_id: "12301", barcode: "4600000000011", name: "Аспирин", amount: 5, price: 1 },
          row,
        ],
      });
      expect([answer.status, answer.error_code], JSON.stringify(row)).toEqual(["error", 400]);
      expect(answer.message).toMatch(message);
    }
    const wrongType = await upload(api, "prices", "update_prices", {
      body: JSON.stringify({ prices: [{ ...good, price: "10.00" }] }),
      contentType: "application/json",
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.body).toMatch(/prices\[0\]\.price: ожидается число/);
    expect(await uploadJson(api, "prices", "update_prices", { prices: [] })).toMatchObject({
      status: "error",
    });
    expect([await stockOf("12301"), await stockOf("12302"), await count("stock_uploads")]).toEqual(before);
  });

  it("another partner cannot name this chain's pharmacies", async () => {
    const answer = await uploadJson(api, OTHER, "update_prices", {
      prices: [{ pharmacy_id: "12301", barcode: "1", name: "x", amount: 1, price: 1 }],
    });
    expect(answer.status).toBe("error");
    expect(await stockOf("12301")).toEqual([["4600000000011", "", 9990, 1500]]);
  });

  it("takes a pharmacy's 100k rows (about 15 MB) in one call and replaces them again", async () => {
    const rows: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      rows.push(
        JSON.stringify({
          pharmacy_id: "12302",
          barcode: String(4_600_000_000_000 + i),
          lot: `L${i % 7}`,
          name: `Препарат номер ${i} таблетки покрытые оболочкой 100 мг №20`,
          price: Number(`${100 + (i % 900)}.${String(i % 100).padStart(2, "0")}`),
          amount: (i % 50) + 0.5,
        }),
      );
    }
    const body = `{"prices":[${rows.join(",")}]}`;
    for (const round of [1, 2]) {
      const started = performance.now();
      const res = await upload(api, "prices", "update_prices", { body, contentType: "application/json" });
      const elapsed = performance.now() - started;
      // Printed, not asserted: the machine is shared. The protocol's budget is 10 s.
      console.log(
        `update_prices, 100k rows, ${(body.length / 1e6).toFixed(1)} MB, round ${round}: ${Math.round(elapsed)} ms (${t.scratch.dialect})`,
      );
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe("success");
    }
    const stock = await t.database.db
      .selectFrom("stock_items")
      .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("price").as("p")])
      .where("partner_id", "=", partnerId)
      .executeTakeFirstOrThrow();
    expect(Number(stock.n)).toBe(100_001);
    let expected = 12345 * 0 + 9990; // the other pharmacy's one row
    for (let i = 0; i < 100_000; i++) expected += (100 + (i % 900)) * 100 + (i % 100);
    expect(Number(stock.p)).toBe(expected);
  }, 120_000);
});

describe("sellout", () => {
  let partnerId: number;
  const line = (extra: Record<string, unknown> = {}) => ({
    pharmacy_id: "S1",
    datetime: "2026-03-05T16:59:57+03:00",
    voucher_id: "V1",
    order_id: "1",
    barcode: "4600000000011",
    name: "Аспирин",
    price: 123.45,
    count: 2,
    discount: 24.69,
    sum_to_pay: 222.21,
    card_number: "1234567890050",
    transaction: "T-1",
    fn: "9999078900004792",
    fd: "12345",
    fpd: "3522207165",
    ...extra,
  });

  beforeAll(async () => {
    partnerId = await createPartner(t.database.db, "sales", "Sales chain", t.clock.now());
    await uploadJson(api, "sales", "update_pharmacies", {
      update_mode: "replace",
      pharmacies: [
        { id: "S1", address: "a" },
        { id: "S2", address: "b" },
      ],
    });
  });

  async function lines() {
    return t.database.db
      .selectFrom("sellout_lines")
      .select([
        "voucher_id",
        "order_id",
        "year",
        "price",
        "count",
        "discount",
        "sum_to_pay",
        "sold_at",
        "sold_local",
        "fn",
      ])
      .where("partner_id", "=", partnerId)
      .orderBy("id")
      .execute();
  }

  it("records discounted and full-price lines exactly; a resend is the same line, corrected in place", async () => {
    const full = line({
      order_id: "2",
      discount: 0,
      sum_to_pay: 246.9,
      card_number: undefined,
      transaction: undefined,
      fn: undefined,
      fd: undefined,
      fpd: undefined,
    });
    const half = line({
      order_id: "3",
      count: 0.5,
      price: 100.01,
      discount: 0,
      sum_to_pay: 50.01,
      card_number: undefined,
      transaction: undefined,
    });
    const answer = await uploadJson(api, "sales", "sellout", { data: [line(), full, half] });
    expect(answer).toEqual({ status: "success", error_code: 0, message: "3 продажи успешно приняты" });
    const again = await uploadJson(api, "sales", "sellout", {
      data: [line({ name: "Аспирин (исправлено)" })],
    });
    expect(again.message).toBe("1 продажа успешно принята");
    const stored = await lines();
    expect(stored).toHaveLength(3);
    expect(stored[0]).toEqual({
      voucher_id: "V1",
      order_id: "1",
      year: 2026,
      price: 12345,
      count: 2000,
      discount: 2469,
      sum_to_pay: 22221,
      sold_at: Date.UTC(2026, 2, 5, 13, 59, 57),
      sold_local: "2026-03-05T16:59:57",
      fn: "9999078900004792",
    });
    expect(stored[2]!.count).toBe(500);
  });

  it("the key is per calendar year of the sale in its own offset", async () => {
    // 2026-12-31 23:30 in Moscow is 2026 there (2026-12-31T20:30Z); 2027-01-01 00:30 +03:00 is 2027.
    await uploadJson(api, "sales", "sellout", {
      data: [
        line({ voucher_id: "NY", datetime: "2026-12-31T23:30:00+03:00" }),
        line({ voucher_id: "NY", datetime: "2027-01-01T00:30:00+03:00" }),
      ],
    });
    const ny = (await lines()).filter((l) => l.voucher_id === "NY");
    expect(ny.map((l) => l.year)).toEqual([2026, 2027]);
    const dup = await uploadJson(api, "sales", "sellout", {
      data: [line({ voucher_id: "D" }), line({ voucher_id: "D", datetime: "2026-06-01T10:00:00Z" })],
    });
    expect(dup.status).toBe("error");
    expect(dup.message).toMatch(/data\[1\]/);
  });

  it("refuses a broken fiscal triple, a wrong sum_to_pay and other bad lines, writing nothing", async () => {
    const before = await lines();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ fpd: undefined }, /fn, fd и fpd указываются все три или ни одного/],
      [{ fn: "" }, /fn, fd и fpd/],
      [{ sum_to_pay: 222.22 }, /sum_to_pay должно быть равно .* = 222\.21, передано 222\.22/],
      [{ discount: 24.691 }, /discount .*не более двух знаков/],
      [{ count: 0 }, /count должно быть больше нуля/],
      [{ count: -1 }, /count не может быть менее нуля/],
      [{ datetime: "2026-03-05 16:59:57" }, /datetime .*ISO 8601 со смещением/],
      [{ datetime: "2026-02-30T10:00:00+03:00" }, /datetime/],
      [{ transaction: undefined }, /card_number и transaction/],
      [{ card_number: "1234 5678" }, /card_number/],
      [{ barcode: undefined }, /barcode или qr_code/],
      [{ voucher_id: "" }, /voucher_id должно быть указано/],
      [{ pharmacy_id: "S9" }, /Аптека S9 не найдена/],
    ];
    for (const [extra, message] of cases) {
      const answer = await uploadJson(api, "sales", "sellout", {
        data: [
          line({ voucher_id: "NEW", order_id: "1" }),
          line({ voucher_id: "NEW", order_id: "2", ...extra }),
        ],
      });
      expect([answer.status, answer.error_code], JSON.stringify(extra)).toEqual(["error", 400]);
      expect(answer.message).toMatch(message);
    }
    expect(await lines()).toEqual(before);
  });

  it("a fractional count may differ by a kopeck; a DataMatrix line is grouped by its GTIN", async () => {
    const answer = await uploadJson(api, "sales", "sellout", {
      data: [
        line({
          voucher_id: "F",
          count: 0.333,
          price: 100,
          discount: 0,
          sum_to_pay: 33.29,
          card_number: undefined,
          transaction: undefined,
        }),
        line({
          voucher_id: "Q",
          barcode: undefined,
          qr_code: "\u001d0104600000000011215abcdef\u001d93dGVz",
          discount: 0,
          sum_to_pay: 246.9,
          card_number: undefined,
          transaction: undefined,
        }),
      ],
    });
    expect(answer.status, answer.message).toBe("success");
    const q = await t.database.db
      .selectFrom("sellout_lines")
      .select(["product_code", "qr_code"])
      .where("voucher_id", "=", "Q")
      .executeTakeFirstOrThrow();
    expect(q.product_code).toBe("4600000000011");
    expect(q.qr_code).toContain("\u001d");
  });

  it("accepts the first published form: a bare array with value instead of sum_to_pay", async () => {
    const { sum_to_pay: _, ...legacy } = line({
      voucher_id: "LEGACY",
      fn: undefined,
      fd: undefined,
      fpd: undefined,
    });
    const answer = await uploadJson(api, "sales", "sellout", [{ ...legacy, value: 222.21 }]);
    expect(answer.status, answer.message).toBe("success");
    expect((await lines()).some((l) => l.voucher_id === "LEGACY")).toBe(true);
  });
});

describe("concurrent uploads", () => {
  beforeAll(async () => {
    await createPartner(t.database.db, "busy", "Busy chain", t.clock.now());
  });

  it("store lists, stock and sell-out sent at once all succeed and leave one consistent state", async () => {
    const lists = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        uploadJson(api, "busy", "update_pharmacies", {
          update_mode: "merge",
          pharmacies: [
            { id: "B1", address: `a${i}`, pos_ids: ["B1-1", "shared"] },
            { id: `B-${i}`, address: "b", pos_ids: ["shared"] },
          ],
        }),
      ),
    );
    expect(lists.map((a) => a.status)).toEqual(Array(8).fill("success"));
    const busyId = (
      await t.database.db
        .selectFrom("partners")
        .select("id")
        .where("code", "=", "busy")
        .executeTakeFirstOrThrow()
    ).id;
    expect((await storesOf(busyId)).map((s) => s.code)).toEqual([
      "B-0",
      "B-1",
      "B-2",
      "B-3",
      "B-4",
      "B-5",
      "B-6",
      "B-7",
      "B1",
    ]);
    const bindings = await posBindings(busyId);
    expect(Object.keys(bindings).sort()).toEqual(["B1-1", "shared"]);

    const stocks = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        uploadJson(api, "busy", "update_prices", {
          prices: Array.from({ length: 50 }, (_, j) => ({
            pharmacy_id: "B1",
            barcode: String(4_600_000_000_000 + j),
            name: `upload ${i}`,
            price: 10,
            amount: i + 1,
          })),
        }),
      ),
    );
    expect(stocks.map((a) => a.status)).toEqual(Array(8).fill("success"));
    const rows = await t.server.services.stock.ofStore(busyId, "B1");
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.name)).size).toBe(1);

    const sale = (order: number) => ({
      pharmacy_id: "B1",
      datetime: "2026-03-05T16:59:57+03:00",
      voucher_id: "V",
      order_id: String(order),
      barcode: "4600000000011",
      name: "Аспирин",
      price: 10,
      count: 1,
      discount: 0,
      sum_to_pay: 10,
    });
    const sales = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        uploadJson(api, "busy", "sellout", {
          data: i % 2 === 0 ? [sale(1), sale(2), sale(3)] : [sale(3), sale(2), sale(1)],
        }),
      ),
    );
    expect(sales.map((a) => a.status)).toEqual(Array(8).fill("success"));
    const sold = await t.database.db
      .selectFrom("sellout_lines")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("partner_id", "=", busyId)
      .executeTakeFirstOrThrow();
    expect(Number(sold.n)).toBe(3);
  });
});
