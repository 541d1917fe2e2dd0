/** The facade's pure parts: exact decimals from the number's text, the JSON reader, DataMatrix, card ranges. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gtinOfDataMatrix } from "../../src/api/pharmapi/datamatrix.js";
import { kopecksOf, rubles, thousandthsOf } from "../../src/api/pharmapi/decimals.js";
import { JsonNumber, JsonSyntaxError, parseJson, writeJson } from "../../src/api/pharmapi/json.js";
import { judgeCardNumber } from "../../src/core/card-ranges.js";

const MAX = 1_000_000_000;

describe("decimals", () => {
  it("rubles with at most two decimals convert exactly, whatever the notation", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), (kopecks) => {
        const whole = Math.floor(kopecks / 100);
        const frac = String(kopecks % 100).padStart(2, "0");
        for (const text of [`${whole}.${frac}`, `${whole}.${frac}0`, rubles(kopecks).text, `${kopecks}e-2`]) {
          const r = kopecksOf("price", new JsonNumber(text), MAX);
          expect(r, text).toEqual({ ok: true, value: kopecks });
        }
      }),
    );
  });

  it("refuses a third decimal, a negative value and absurd ones", () => {
    expect(kopecksOf("price", new JsonNumber("100.005"), MAX).ok).toBe(false);
    expect(kopecksOf("price", new JsonNumber("-0.01"), MAX).ok).toBe(false);
    expect(kopecksOf("price", new JsonNumber("1e300"), MAX).ok).toBe(false);
    expect(kopecksOf("price", new JsonNumber("-0"), MAX)).toEqual({ ok: true, value: 0 });
    expect(kopecksOf("price", new JsonNumber("0.1000000000000000055511151231257827"), MAX).ok).toBe(false);
  });

  it("counts: at most three decimals, above zero", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (thousandths) => {
        const text = `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, "0")}`;
        expect(thousandthsOf("count", new JsonNumber(text), 100_000_000)).toEqual({
          ok: true,
          value: thousandths,
        });
      }),
    );
    expect(thousandthsOf("count", new JsonNumber("0.0005"), 1e8).ok).toBe(false);
    expect(thousandthsOf("count", new JsonNumber("0"), 1e8).ok).toBe(false);
    expect(thousandthsOf("count", new JsonNumber("-1"), 1e8).ok).toBe(false);
  });

  it("prints kopecks as rubles with at most two decimals", () => {
    expect([44444, 40000, 1, 10, 120, 0].map((k) => rubles(k).text)).toEqual([
      "444.44",
      "400",
      "0.01",
      "0.1",
      "1.2",
      "0",
    ]);
  });
});

describe("the JSON reader", () => {
  it("keeps number texts, accepts trailing commas, the last duplicate wins", () => {
    const v = parseJson('{"a": 1.50, "b": [1, 2,], "a": 120.10, "s": "\\u0041\\n",}') as Record<
      string,
      unknown
    >;
    expect((v.a as JsonNumber).text).toBe("120.10");
    expect((v.b as JsonNumber[]).map((n) => n.text)).toEqual(["1", "2"]);
    expect(v.s).toBe("A\n");
    expect(writeJson({ a: v.a, u: undefined, n: null, t: "ё" })).toBe('{"a":120.10,"n":null,"t":"ё"}');
  });

  it("refuses comments, broken text and trailing data", () => {
    for (const bad of ['{"a":1 // x\n}', '{"a":', "{'a':1}", '{"a":1} x', '{"a":01}', "", '{"a":"\u0001"}'])
      expect(() => parseJson(bad), bad).toThrow(JsonSyntaxError);
  });

  it("reads any JSON as JSON.parse does, numbers as their text, and writes it back unchanged", () => {
    /** JSON.parse's value with every number as the text the serializer wrote for it. */
    const withNumberTexts = (v: unknown): unknown => {
      if (typeof v === "number") return JSON.stringify(v);
      if (Array.isArray(v)) return v.map(withNumberTexts);
      if (v !== null && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withNumberTexts(x)]));
      return v;
    };
    const ofParsed = (v: unknown): unknown => {
      if (v instanceof JsonNumber) return v.text;
      if (Array.isArray(v)) return v.map(ofParsed);
      if (v !== null && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ofParsed(x)]));
      return v;
    };
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.boolean(), (text, spaced) => {
        const source = spaced ? JSON.stringify(JSON.parse(text), null, 2) : text;
        const parsed = parseJson(source);
        expect(ofParsed(parsed)).toEqual(withNumberTexts(JSON.parse(source)));
        expect(writeJson(parsed)).toBe(JSON.stringify(JSON.parse(source)));
      }),
      { numRuns: 500 },
    );
  });

  it("reads strings with every escape and any character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        expect(parseJson(JSON.stringify(s))).toBe(s);
        expect(parseJson(JSON.stringify({ [s]: s }))).toEqual(JSON.parse(JSON.stringify({ [s]: s })));
      }),
      { numRuns: 500 },
    );
  });

  it("reads escapes JSON.stringify never writes: \\u of any character in either case, \\/", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom("u", "U", "/")), {
          maxLength: 20,
        }),
        (units) => {
          let text = "";
          let expected = "";
          for (const [code, form] of units) {
            const hex = code.toString(16).padStart(4, "0");
            text += form === "/" ? "\\/" : `\\u${form === "U" ? hex.toUpperCase() : hex}`;
            expected += form === "/" ? "/" : String.fromCharCode(code);
          }
          expect(parseJson(`"${text}"`)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes what has no JSON text as JSON.stringify does", () => {
    const value = { a: [undefined, () => 1, 1], f: () => 1, u: undefined, n: new JsonNumber("1.50") };
    expect(writeJson(value)).toBe('{"a":[null,null,1],"n":1.50}');
  });

  it("reads a number from at most 400 characters", () => {
    expect((parseJson(`[${"9".repeat(400)}]`) as JsonNumber[])[0]!.text).toHaveLength(400);
    expect(() => parseJson(`[${"9".repeat(401)}]`)).toThrow(JsonSyntaxError);
    expect(() => parseJson(`[1.${"5".repeat(398)}e5]`)).toThrow(JsonSyntaxError);
  });

  it("never confuses __proto__ with the prototype", () => {
    const v = parseJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });
});

describe("DataMatrix", () => {
  it("finds the GTIN after AI 01, with symbology identifiers and GS separators", () => {
    expect(gtinOfDataMatrix("0104601234567893215abc\u001d91EE07")).toBe("4601234567893");
    expect(gtinOfDataMatrix("]d2\u001d0114601234567890215abc")).toBe("14601234567890");
    expect(gtinOfDataMatrix("215abc\u001d0104601234567893")).toBeNull();
  });
});

describe("card ranges", () => {
  const ranges = [{ prefix: "123", lengths: [13, 17, 19], activeSuffixes: ["0"] }];
  it("judges numbers as the public test server does", () => {
    expect(judgeCardNumber(ranges, "1234567890050")).toBe("active");
    expect(judgeCardNumber(ranges, "1234567890055")).toBe("inactive");
    expect(judgeCardNumber(ranges, "12345678900500000")).toBe("active");
    expect(judgeCardNumber(ranges, "123456789005")).toBe("outside");
    expect(judgeCardNumber(ranges, "9234567890050")).toBe("outside");
    expect(judgeCardNumber([{ prefix: "9", lengths: [5] }], "91234")).toBe("active");
  });
});
