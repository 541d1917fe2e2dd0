/**
 * The pure and streaming parts of the uploads: decimals from their text (property-tested against BigInt
 * arithmetic), the streaming JSON parser over every chunk split, the -encoded body decoded across chunk
 * boundaries, the sale's date-time and the DataMatrix GTIN.
 */

import { kopecksOf, rublesText, scaledInteger, thousandthsOf, thousandthsText } from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonNumber, type JsonValue, parseJsonStream } from "../../src/api/http/json-stream.js";
import {
  BodyTooLargeError,
  bodyBytes,
  collectBytes,
  limitedBytes,
  urlDecodedBytes,
} from "../../src/api/http/upload-body.js";
import {
  gtinOfDataMatrix,
  parseOffsetDateTime,
  productCodeOf,
  sumToPayMatches,
} from "../../src/core/pharmacy-data.js";

async function* chunks(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function plain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return { n: value.text };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The parsed value with numbers as JSON.parse gives them, to compare with it. */
function asNumbers(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(asNumbers);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asNumbers(v)]));
  }
  return value;
}

describe("decimal text", () => {
  it("examples: exact kopecks and thousandths, refusals by kind", () => {
    expect(kopecksOf("123.45")).toEqual({ ok: true, value: 12345 });
    expect(kopecksOf("120.00")).toEqual({ ok: true, value: 12000 });
    expect(kopecksOf("0.1")).toEqual({ ok: true, value: 10 });
    expect(kopecksOf("1.500")).toEqual({ ok: true, value: 150 });
    expect(kopecksOf("1e2")).toEqual({ ok: true, value: 10000 });
    expect(kopecksOf("12345e-2")).toEqual({ ok: true, value: 12345 });
    expect(kopecksOf("-0")).toEqual({ ok: true, value: 0 });
    expect(kopecksOf("0.105")).toEqual({ ok: false, refusal: "too_many_decimals" });
    expect(kopecksOf("1e-3")).toEqual({ ok: false, refusal: "too_many_decimals" });
    expect(kopecksOf("-1")).toEqual({ ok: false, refusal: "negative" });
    expect(kopecksOf("1e400")).toEqual({ ok: false, refusal: "too_large" });
    expect(kopecksOf("100000000.01")).toEqual({ ok: false, refusal: "too_large" });
    expect(kopecksOf("01")).toEqual({ ok: false, refusal: "not_a_number" });
    expect(thousandthsOf("7.3")).toEqual({ ok: true, value: 7300 });
    expect(thousandthsOf("33.333")).toEqual({ ok: true, value: 33333 });
    expect(thousandthsOf("0.0001")).toEqual({ ok: false, refusal: "too_many_decimals" });
    expect(rublesText(12345)).toBe("123.45");
    expect(rublesText(-5)).toBe("-0.05");
    expect(thousandthsText(2500)).toBe("2.5");
    expect(thousandthsText(3000)).toBe("3");
  });

  it("any integer of units written with any number of decimals and exponent reads back exactly", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000_000_000n }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: -3, max: 3 }),
        (units, scale, zeros, exponent) => {
          // units × 10^−scale written as digits with `zeros` trailing zeros, then shifted by an exponent
          // (a zero written as "000" is not JSON).
          fc.pre(units > 0n);
          const digits = (units * 10n ** BigInt(zeros)).toString();
          const places = scale + zeros + exponent;
          let text: string;
          if (places <= 0) text = `${digits}${"0".repeat(-places)}`;
          else {
            const padded = digits.padStart(places + 1, "0");
            text = `${padded.slice(0, -places)}.${padded.slice(-places)}`;
          }
          if (exponent !== 0) text = `${text}e${exponent}`;
          const read = scaledInteger(text, scale, 10_000_000_000);
          expect(read).toEqual({ ok: true, value: Number(units) });
        },
      ),
    );
  });

  it("a value that needs one more decimal than allowed is always refused", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 9 }), (whole, last) => {
        expect(kopecksOf(`${whole}.${String(whole % 100).padStart(2, "0")}${last}`)).toEqual({
          ok: false,
          refusal: "too_many_decimals",
        });
      }),
    );
  });
});

describe("streaming JSON", () => {
  const text =
    '{"update_mode":"merge","pharmacies":[{"id":"1","n":-12.5e+2,"s":"a\\"b\\\\","u":"\\u0416\\ud83d\\ude00"},{"id":"2","flag":true,"nil":null,"arr":[1,[2,{}],[]],},],"tail":false}';

  it("gives the same result for every chunk size, numbers as their text, streamed items handed over", async () => {
    const expected = {
      update_mode: "merge",
      pharmacies: [],
      tail: false,
    };
    const expectedItems = [
      { id: "1", n: { n: "-12.5e+2" }, s: 'a"b\\', u: "Ж😀" },
      { id: "2", flag: true, nil: null, arr: [{ n: "1" }, [{ n: "2" }, {}], []] },
    ];
    for (const size of [1, 2, 3, 5, 7, 16, 1000]) {
      const items: unknown[] = [];
      const root = await parseJsonStream(chunks(text, size), {
        streamed: new Set(["pharmacies"]),
        onItem: (key, item) => items.push([key, plain(item)]),
      });
      expect(plain(root), `chunk ${size}`).toEqual(expected);
      expect(items).toEqual(expectedItems.map((i) => ["pharmacies", i]));
    }
  });

  it("agrees with JSON.parse on arbitrary JSON, split anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.integer({ min: 1, max: 20 }), async (value, size) => {
        const json = JSON.stringify(value);
        const root = await parseJsonStream(chunks(json, size), { streamed: new Set(), onItem: () => {} });
        const normalized = asNumbers(root);
        expect(normalized).toEqual(JSON.parse(json));
      }),
      { numRuns: 200 },
    );
  });

  it("refuses malformed JSON with a position", async () => {
    for (const bad of [
      '{"a":1',
      '{"a" 1}',
      "[1,,2]",
      '{"a":01}',
      "tru",
      '{"a":1}x',
      "",
      '{"a":"\u0001"}',
      "[1 2]",
    ]) {
      await expect(
        parseJsonStream(chunks(bad, 2), { streamed: new Set(), onItem: () => {} }),
        bad,
      ).rejects.toThrow(/position \d+/);
    }
  });
});

describe("the -encoded body", () => {
  it("decodes +, %XX and escapes split across chunks, leaving a stray % as it is", async () => {
    const source =
      "%7B%22phone%22%3A%22%2B79001234567%22%2C%22name%22%3A%22%D0%96+%D0%B6%22%2C%22p%22%3A%22100%25%22%7D%";
    const expected = '{"phone":"+79001234567","name":"Ж ж","p":"100%"}%';
    for (const size of [1, 2, 3, 4, 7, 100]) {
      const bytes = await collectBytes(
        urlDecodedBytes(
          (async function* () {
            for (let i = 0; i < source.length; i += size) yield Buffer.from(source.slice(i, i + size));
          })(),
        ),
      );
      expect(bytes.toString("utf8"), `chunk ${size}`).toBe(expected);
    }
  });

  it("stops reading past the upload limit", async () => {
    const source = async function* () {
      for (let i = 0; i < 10; i++) yield Buffer.alloc(100, 0x20);
    };
    await expect(collectBytes(limitedBytes(source(), 999))).rejects.toBeInstanceOf(BodyTooLargeError);
    expect((await collectBytes(limitedBytes(source(), 1000))).length).toBe(1000);
  });

  it("reads a raw JSON body sent to an -encoded path as it is", async () => {
    const raw = ' {"phone":"+79001234567"}';
    const bytes = await collectBytes(
      bodyBytes(
        (async function* () {
          yield Buffer.from(raw);
        })(),
        { limitBytes: 1000, maybeEncoded: true },
      ),
    );
    expect(bytes.toString()).toBe(raw);
  });
});

describe("sale time and product code", () => {
  it("reads ISO 8601 with an offset, in its own calendar", () => {
    expect(parseOffsetDateTime("2020-03-05T16:59:57+03:00")).toEqual({
      epochMs: Date.UTC(2020, 2, 5, 13, 59, 57),
      local: "2020-03-05T16:59:57",
      offsetMinutes: 180,
      year: 2020,
    });
    expect(parseOffsetDateTime("2020-12-31T23:00:00-05:00")?.year).toBe(2020);
    expect(parseOffsetDateTime("2021-01-01T01:00:00.123Z")?.epochMs).toBe(Date.UTC(2021, 0, 1, 1, 0, 0, 123));
    for (const bad of [
      "2020-03-05T16:59:57",
      "2020-02-30T10:00:00Z",
      "2020-03-05T25:00:00Z",
      "05.03.2020 10:00",
    ]) {
      expect(parseOffsetDateTime(bad), bad).toBeNull();
    }
  });

  it("takes the GTIN after AI 01, with or without a symbology identifier and GS", () => {
    expect(gtinOfDataMatrix("0104600000000011215abc\u001d93xyz")).toBe("04600000000011");
    expect(gtinOfDataMatrix("]d2\u001d0104600000000011215abc")).toBe("04600000000011");
    expect(gtinOfDataMatrix("215abc")).toBeNull();
    expect(productCodeOf(null, "\u001d0104600000000011215abc")).toBe("4600000000011");
    expect(productCodeOf("4600000000028", "\u001d0104600000000011")).toBe("4600000000028");
    expect(productCodeOf(null, "garbage")).toBe("garbage");
  });

  it("checks the sum to pay exactly, with a kopeck of tolerance for a fractional count", () => {
    expect(sumToPayMatches(12345, 2000, 2469, 22221)).toEqual({ ok: true, expected: 22221 });
    expect(sumToPayMatches(12345, 2000, 2469, 22222).ok).toBe(false);
    expect(sumToPayMatches(10000, 333, 0, 3329).ok).toBe(true);
    expect(sumToPayMatches(10000, 333, 0, 3327).ok).toBe(false);
  });
});
