import type { DiscountProgramDefinition } from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileDiscountProgram,
  type DiscountLineInput,
  type DiscountProgramInput,
  LINE_CODES,
} from "../../../src/core/rules/discount-program.js";
import { formatPointsRu, formatRublesRu } from "../../../src/core/rules/format.js";
import { civilFromDays, daysFromCivil, localTimeOf } from "../../../src/core/rules/local-time.js";

/** The PharmApi test program: 20 %, 99 %, and 200 ₽ off only when the pack costs at most 1000 ₽. */
const PROGRAM: DiscountProgramDefinition = {
  code: "PHARMA",
  version: 4,
  name: "Тестовая программа",
  partners: ["P1"],
  stores: ["A1", "A2"],
  items: [
    { barcode: "1111111111116", name: "Товар 20%", discount: { type: "percent", percentBp: 2_000 } },
    { barcode: "2222222222222", name: "Товар 99%", discount: { type: "percent", percentBp: 9_900 } },
    {
      barcode: "3333333333338",
      name: "Товар 200 ₽",
      discount: { type: "cash", amount: 20_000 },
      priceCeiling: 100_000,
    },
    { barcode: "4444444444444", name: "Товар по 150 ₽", discount: { type: "fixed_price", price: 15_000 } },
  ],
  limits: [
    { id: "month", period: "calendar_month", maxPacks: 2 },
    { id: "ever", period: "lifetime", maxPacks: 10, barcodes: ["2222222222222"] },
  ],
};
const engine = compileDiscountProgram(PROGRAM);
const NOW = Date.parse("2025-03-20T12:00:00+03:00");
const store = { code: "A1", partner: "P1", timeZone: "Europe/Moscow" };
const ln = (
  lineId: string,
  barcode: string | null,
  quantity = 1_000,
  unitPrice = 50_000,
): DiscountLineInput => ({
  lineId,
  barcode,
  quantity,
  unitPrice,
});
const evaluate = (lines: DiscountLineInput[], over: Partial<DiscountProgramInput> = {}) =>
  engine.evaluate({ now: NOW, store, lines, limits: {}, ...over });

describe("manufacturer discount program", () => {
  it("discounts per pack: percent, cash, fixed price", () => {
    const r = evaluate([ln("1", "1111111111116"), ln("2", "3333333333338")]);
    expect(r.lines.map((l) => [l.code, l.discount, l.type])).toEqual([
      [0, 10_000, "percent"],
      [0, 20_000, "cash"],
    ]);
    expect(r.discountTotal).toBe(30_000);
    expect(r).toMatchObject({ program: "PHARMA", version: 4 });
    const fixedPrice = evaluate([ln("3", "4444444444444", 2_000, 20_000)]);
    expect(fixedPrice.lines[0]).toMatchObject({ code: 0, discount: 10_000, packs: 2, type: "cash" });
  });

  it("answers each line's PharmApi code: unknown, empty barcode, not in this store, price ceiling", () => {
    const r = evaluate([ln("1", "9999999999999"), ln("2", null), ln("3", "3333333333338", 1_000, 100_001)]);
    expect(r.lines.map((l) => l.code)).toEqual([
      LINE_CODES.UNKNOWN_PRODUCT,
      LINE_CODES.EMPTY_BARCODE,
      LINE_CODES.LINE_PARAMETERS,
    ]);
    expect(r.lines[2]!.message).toBe("Скидка только при цене упаковки не выше 1 000,00 ₽");
    const elsewhere = evaluate([ln("1", "1111111111116")], { store: { ...store, code: "B9" } });
    expect(elsewhere.lines[0]!.code).toBe(LINE_CODES.NOT_IN_THIS_STORE);
    const otherPartner = evaluate([ln("1", "1111111111116")], { store: { ...store, partner: "P2" } });
    expect(otherPartner.lines[0]!.code).toBe(LINE_CODES.NOT_IN_THIS_STORE);
  });

  it("whole packs only: the fraction is sold at full price, less than a pack gets nothing", () => {
    const r = evaluate([ln("1", "1111111111116", 1_500), ln("2", "1111111111116", 500)], {
      limits: { month: { remaining: 5 } },
    });
    expect(r.lines.map((l) => [l.code, l.packs, l.discount])).toEqual([
      [0, 1, 10_000],
      [LINE_CODES.LINE_PARAMETERS, 0, 0],
    ]);
    expect(r.lines[0]!.message).toBe("Скидка только на целые упаковки");
  });

  it("a period limit gives what remains, then code 3 with the date it renews", () => {
    const r = evaluate([ln("1", "1111111111116", 3_000), ln("2", "3333333333338")], {
      limits: { month: { remaining: 2 } },
    });
    expect(r.lines.map((l) => [l.code, l.packs])).toEqual([
      [0, 2],
      [LINE_CODES.OVER_LIMIT, 0],
    ]);
    expect(r.lines[0]!.message).toBe("Скидка на 2 уп. из 3: лимит по карте");
    expect(r.lines[1]).toMatchObject({ availableFrom: "2025-04-01" });
    expect(r.lines[1]!.message).toBe("Лимит по карте исчерпан, скидка снова доступна с 01.04.2025");
    expect(r.consumption).toEqual([{ limitId: "month", packs: 2 }]);
  });

  it("a lifetime limit exhausted answers 301; a fact's date wins over the computed one", () => {
    const exhausted = evaluate([ln("1", "2222222222222")], {
      limits: { ever: { remaining: 0 }, month: { remaining: 0 } },
    });
    expect(exhausted.lines[0]!.code).toBe(LINE_CODES.LIMIT_EXHAUSTED);
    const rolling = evaluate([ln("1", "1111111111116")], {
      limits: { month: { remaining: 0, availableFrom: "2025-03-28" } },
    });
    expect(rolling.lines[0]).toMatchObject({ code: LINE_CODES.OVER_LIMIT, availableFrom: "2025-03-28" });
  });

  it("consumes from every limit that counts the product", () => {
    const r = evaluate([ln("1", "2222222222222")]);
    expect(r.lines[0]!.consumption).toEqual([
      { limitId: "month", packs: 1 },
      { limitId: "ever", packs: 1 },
    ]);
  });

  it("shares the quota between lines in line id order, whatever the request's order", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            barcode: fc.constantFrom("1111111111116", "2222222222222", "3333333333338", "0000000000000"),
            quantity: fc.integer({ min: 1, max: 4_000 }),
            unitPrice: fc.integer({ min: 0, max: 150_000 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.nat({ max: 3 }),
        (rows, remaining) => {
          const lines = rows.map((r, i) => ({ lineId: String(i + 1), ...r }));
          const limits = { month: { remaining } };
          const forward = evaluate(lines, { limits });
          const backward = evaluate([...lines].reverse(), { limits });
          expect([...backward.lines].reverse()).toEqual(forward.lines);
          let packs = 0;
          for (const [k, l] of forward.lines.entries()) {
            expect(l.discount).toBeGreaterThanOrEqual(0);
            expect(l.discount).toBeLessThanOrEqual(
              Math.floor(lines[k]!.quantity / 1_000) * lines[k]!.unitPrice,
            );
            packs += l.packs;
          }
          expect(packs).toBeLessThanOrEqual(remaining);
          expect(forward.consumption.find((c) => c.limitId === "month")?.packs ?? 0).toBe(packs);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("limit windows follow the store's local calendar", () => {
    const w = engine.limitWindow("month", NOW, "Asia/Vladivostok");
    expect(w).toEqual({
      from: Date.parse("2025-03-01T00:00:00+10:00"),
      to: Date.parse("2025-04-01T00:00:00+10:00"),
    });
    expect(engine.limitWindow("ever", NOW, "Europe/Moscow")).toBeNull();
  });
});

describe("local time and Russian amounts", () => {
  it("civil dates round-trip", () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 800_000 }), (d) => {
        const c = civilFromDays(d);
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(d);
        const iso = new Date(d * 86_400_000).toISOString();
        if (c.year >= 0 && c.year <= 9999)
          expect(iso.slice(0, 10)).toBe(
            `${String(c.year).padStart(4, "0")}-${String(c.month).padStart(2, "0")}-${String(c.day).padStart(2, "0")}`,
          );
      }),
    );
  });

  it("local time agrees with Intl across zones and daylight saving changes", () => {
    const zones = [
      "Europe/Moscow",
      "Asia/Vladivostok",
      "Asia/Kamchatka",
      "Europe/Kaliningrad",
      "Europe/Berlin",
      "America/New_York",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2000-01-01"), max: Date.parse("2040-01-01") }),
        fc.constantFrom(...zones),
        (t, zone) => {
          const local = localTimeOf(t, zone);
          const parts = Object.fromEntries(
            new Intl.DateTimeFormat("en-US", {
              timeZone: zone,
              hourCycle: "h23",
              year: "numeric",
              month: "numeric",
              day: "numeric",
              hour: "numeric",
              minute: "numeric",
              weekday: "short",
            })
              .formatToParts(t)
              .map((p) => [p.type, p.value]),
          );
          expect([local.year, local.month, local.day]).toEqual([
            Number(parts.year),
            Number(parts.month),
            Number(parts.day),
          ]);
          expect(local.minuteOfDay).toBe(Number(parts.hour) * 60 + Number(parts.minute));
          expect(local.weekday).toBe(
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday!) + 1,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    [0, "0,00 ₽"],
    [5, "0,05 ₽"],
    [123_456_789, "1 234 567,89 ₽"],
    [-150, "-1,50 ₽"],
  ])("formatRublesRu(%i) = %s", (k, s) => expect(formatRublesRu(k)).toBe(s));

  it.each([
    [100, "1 балл"],
    [200, "2 балла"],
    [500, "5 баллов"],
    [1_100, "11 баллов"],
    [2_100, "21 балл"],
    [150, "1,5 балла"],
    [5, "0,05 балла"],
    [123_400, "1 234 балла"],
  ])("formatPointsRu(%i) = %s", (h, s) => expect(formatPointsRu(h)).toBe(s));
});
