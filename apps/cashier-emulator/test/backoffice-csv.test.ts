/**
 * The back office's CSV reading without a server: rubles and packs to integers without floats, the
 * encodings and separators an accounting system writes, and the lines and columns of a bad file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readUpload } from "../src/backoffice-csv.js";
import { expectedSumToPay, kopecksOfText, thousandthsOfText } from "../src/backoffice-decimal.js";

const dir = mkdtempSync(join(tmpdir(), "kopilka-backoffice-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string | Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

/** Windows-1251 by hand for the letters the tests use: А–я are 0xC0–0xFF, Ё 0xA8, ё 0xB8. */
function cp1251(text: string): Buffer {
  return Buffer.from(
    [...text].map((ch) => {
      const c = ch.charCodeAt(0);
      if (c < 0x80) return c;
      if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
      if (ch === "Ё") return 0xa8;
      if (ch === "ё") return 0xb8;
      throw new Error(`no Windows-1251 byte for ${ch} in this test`);
    }),
  );
}

describe("numbers", () => {
  it("rubles with a comma or a dot, and spaces between thousands, to kopecks", () => {
    const cases: [string, number][] = [
      ["0,1", 10],
      ["0.10", 10],
      ["1 234,56", 123_456],
      ["1\u00a0234.5", 123_450],
      ["120.00", 12_000],
      ["7", 700],
      ["0", 0],
    ];
    for (const [text, kopecks] of cases)
      expect(kopecksOfText(text), text).toEqual({ ok: true, value: kopecks });
    expect(kopecksOfText("0,105")).toEqual({ ok: false, refusal: "too_many_decimals" });
    expect(kopecksOfText("1,234.50")).toEqual({ ok: false, refusal: "not_a_number" });
    expect(kopecksOfText("-1")).toEqual({ ok: false, refusal: "negative" });
    expect(kopecksOfText("100000001")).toEqual({ ok: false, refusal: "too_large" });
    expect(thousandthsOfText("2,5")).toEqual({ ok: true, value: 2_500 });
    expect(thousandthsOfText("0,0005")).toEqual({ ok: false, refusal: "too_many_decimals" });
  });

  it("checks the sum to pay as the server does, past 2^53", () => {
    expect(expectedSumToPay(15_000, 2_000, 3_000)).toBe(27_000);
    // 100.01 × 1.5 = 150.015 → 150.02 (half up)
    expect(expectedSumToPay(10_001, 1_500, 0)).toBe(15_002);
    expect(expectedSumToPay(10_000_000_000, 1_000_000_000, 0)).toBe(10_000_000_000_000_000);
  });
});

describe("files", () => {
  it("reads Windows-1251 with Russian headers and ; as 1C writes them", async () => {
    const file = write(
      "stock-1251.csv",
      cp1251(
        "Аптека;Штрихкод;Наименование;Цена;Остаток;Производитель\r\nMSK-01;4600000000011;Ёлка;1 234,56;0,5;Завод\r\n",
      ),
    );
    const r = await readUpload("stock", file);
    expect(r.problems).toEqual([]);
    expect(r.ignoredColumns).toEqual(["Производитель"]);
    expect([...r.stock]).toEqual([
      ["MSK-01", [{ line: 2, row: { barcode: "4600000000011", name: "Ёлка", price: 123_456, amount: 500 } }]],
    ]);
  });

  it("reads UTF-8 with a BOM, commas and quoted cells", async () => {
    const file = write(
      "stores.csv",
      '\ufeffcode,address,pos_ids,hidden\nS-1,"Lenina 1, floor 2","P-1|P-2",yes\n',
    );
    const r = await readUpload("stores", file);
    expect(r.problems).toEqual([]);
    expect(r.stores).toEqual([
      { line: 2, row: { code: "S-1", address: "Lenina 1, floor 2", posIds: ["P-1", "P-2"], hidden: true } },
    ]);
  });

  it("names every bad line with its column", async () => {
    const file = write(
      "bad-stores.csv",
      [
        "code;address;timezone;disabled",
        "S 1;Lenina 1;;",
        ";;Mars/Olympus;maybe",
        "S-2;Lenina 2;Europe/Moscow;0",
        "S-2;Lenina 3;;",
      ].join("\n"),
    );
    const r = await readUpload("stores", file);
    expect(r.problems.map((p) => `${p.line}:${p.field}`)).toEqual([
      "2:code",
      "3:code",
      "3:address",
      "3:timezone",
      "3:disabled",
      "5:code",
    ]);
    expect(r.problems.at(-1)!.message).toBe("store S-2 is already on line 4");
  });

  it("refuses a file without a needed column, or without rows, at its header", async () => {
    const noPrice = await readUpload("stock", write("no-price.csv", "store;barcode;name;amount\nS;1;x;1\n"));
    expect(noPrice.problems).toEqual([
      { line: 1, field: "price", message: "the header has no column price" },
    ]);
    const empty = await readUpload(
      "sellout",
      write("empty.csv", "store;voucher;line;sold_at;barcode;name;price;quantity;discount;sum_to_pay\n"),
    );
    expect(empty.problems).toEqual([{ line: 1, field: "", message: "the file has no rows" }]);
  });

  it("takes quotes inside a cell as text, a sell-out without discounts, and names a broken CSV's line", async () => {
    const quoted = await readUpload(
      "stores",
      write("quoted.csv", 'code;address;name\nS-1;Lenina 1;Аптека "Здоровье"\n'),
    );
    expect(quoted.problems).toEqual([]);
    expect(quoted.stores[0]!.row.name).toBe('Аптека "Здоровье"');
    const sellout = await readUpload(
      "sellout",
      write(
        "no-discount.csv",
        "store;voucher;line;sold_at;qr_code;name;price;quantity;sum_to_pay\nS;R;1;2026-11-20T12:00:00Z;0104600000000028;A;1,5;2;3\n",
      ),
    );
    expect(sellout.problems).toEqual([]);
    expect(sellout.sellout[0]!.row).toMatchObject({
      discount: 0,
      price: 150,
      quantity: 2_000,
      sumToPay: 300,
    });
    const broken = await readUpload(
      "stores",
      write("broken.csv", 'code;address\nS-1;Lenina 1\nS-2;"Lenina 2\nS-3;x\n'),
    );
    expect(broken.problems).toHaveLength(1);
    expect(broken.problems[0]!.message).toMatch(/^the CSV is broken here: /);
    expect(broken.problems[0]!.line).toBeGreaterThanOrEqual(3);
  });
});
