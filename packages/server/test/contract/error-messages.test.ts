import {
  ERROR_CATALOGUE,
  type ErrorCode,
  errorMessage,
  formatPoints,
  formatQuantity,
  formatRubles,
  LANGUAGES,
  preferredLanguage,
  renderTemplate,
  validationReason,
} from "@kopilka/contract";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const NBSP = "\u00a0";

describe("amounts for people", () => {
  it("points: hundredths as points, grouped, with the Russian plural", () => {
    expect(formatPoints(151_587, "ru")).toBe(`1${NBSP}515,87${NBSP}балла`);
    expect(formatPoints(151_587, "en")).toBe("1,515.87 points");
    expect(formatPoints(100, "ru")).toBe(`1${NBSP}балл`);
    expect(formatPoints(100, "en")).toBe("1 point");
    expect(formatPoints(200, "ru")).toBe(`2${NBSP}балла`);
    expect(formatPoints(500, "ru")).toBe(`5${NBSP}баллов`);
    expect(formatPoints(1_100, "ru")).toBe(`11${NBSP}баллов`);
    expect(formatPoints(2_100, "ru")).toBe(`21${NBSP}балл`);
    expect(formatPoints(0, "ru")).toBe(`0${NBSP}баллов`);
    expect(formatPoints(0, "en")).toBe("0 points");
    expect(formatPoints(5, "ru")).toBe(`0,05${NBSP}балла`);
    expect(formatPoints(-250, "en")).toBe("-2.50 points");
    expect(formatPoints(123_456_789_00, "en")).toBe("123,456,789 points");
  });

  it("rubles: kopecks as rubles with two decimals", () => {
    expect(formatRubles(151_587, "ru")).toBe(`1${NBSP}515,87${NBSP}₽`);
    expect(formatRubles(151_587, "en")).toBe("RUB 1,515.87");
    expect(formatRubles(100_000, "ru")).toBe(`1${NBSP}000,00${NBSP}₽`);
    expect(formatRubles(7, "en")).toBe("RUB 0.07");
  });

  it("quantities: thousandths as units", () => {
    expect(formatQuantity(1_500, "ru")).toBe("1,5");
    expect(formatQuantity(1_500, "en")).toBe("1.5");
    expect(formatQuantity(2_000, "en")).toBe("2");
    expect(formatQuantity(1_005, "en")).toBe("1.005");
  });

  it("formatting is exact for every safe integer (read back, the digits are the amount)", () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.constantFrom(...LANGUAGES), (amount, lang) => {
        const digits = formatRubles(amount, lang).replace(/[^\d-]/g, "");
        expect(BigInt(digits)).toBe(BigInt(amount));
      }),
    );
  });
});

describe("Accept-Language", () => {
  it.each([
    [undefined, "ru"],
    ["", "ru"],
    ["en", "en"],
    ["en-US,en;q=0.9", "en"],
    ["ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"],
    ["de-DE,de;q=0.9,en;q=0.5", "en"],
    ["de, fr", "ru"],
    ["*", "ru"],
    ["ru;q=0.3, en;q=0.8", "en"],
    ["en;q=0, ru;q=0.1", "ru"],
    ["EN-gb", "en"],
  ] as const)("%s → %s", (header, lang) => {
    expect(preferredLanguage(header)).toBe(lang);
  });
});

describe("templates", () => {
  it("fill placeholders from details, formatted, and drop an optional part with nothing to show", () => {
    expect(renderTemplate("At most {max:points}", { max: 151_587 }, "en")).toBe("At most 1,515.87 points");
    expect(renderTemplate("Line[ {lineId}] twice", {}, "en")).toBe("Line twice");
    expect(renderTemplate("Line[ {lineId}] twice", { lineId: "7" }, "en")).toBe("Line 7 twice");
    expect(renderTemplate("Покупка {state:state}", { state: "confirmed" }, "ru")).toBe(
      "Покупка подтверждена",
    );
  });

  it("every catalogue message renders in both languages with typical details, nothing left unfilled", () => {
    const details = {
      field: "sku",
      reason: "x",
      lineId: "1",
      state: "confirmed",
      available: 12_345,
      max: 1_500,
      retryAfterSeconds: 3,
      method: "GET",
      path: "/x",
      value: "MSK-01",
      attemptsLeft: 2,
      channel: "sms",
      min: 500,
      minLength: 10,
      code: "X1",
      name: "Аптека",
    };
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      for (const lang of LANGUAGES) {
        const text = errorMessage(code, details, lang);
        expect(text, `${code} ${lang}`).not.toMatch(/[{}[\]]/);
        const dashes = (s: string) => s.split("—").length;
        expect(dashes(text), `${code} ${lang}: a placeholder without a value`).toBe(
          dashes(ERROR_CATALOGUE[code][lang]),
        );
        expect(text.length, `${code} ${lang}`).toBeGreaterThan(5);
      }
    }
  });

  it("the same error reads in Russian and in English, amounts in points and rubles", () => {
    expect(errorMessage("POINTS_PAYMENT_LIMIT_EXCEEDED", { max: 151_587 }, "ru")).toBe(
      `Этот чек можно оплатить баллами не более чем на 1${NBSP}515,87${NBSP}балла`,
    );
    expect(errorMessage("POINTS_PAYMENT_LIMIT_EXCEEDED", { max: 151_587 }, "en")).toBe(
      "At most 1,515.87 points of this receipt may be paid with points",
    );
    expect(errorMessage("LINE_AMOUNT_TOO_HIGH", { max: 30_000 }, "ru")).toContain(`300,00${NBSP}₽`);
    expect(errorMessage("LINE_AMOUNT_TOO_HIGH", { max: 30_000 }, "en")).toContain("RUB 300.00");
  });
});

describe("validation reasons", () => {
  it("say why in words, per keyword, in both languages", () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ["required", { missingProperty: "x" }, "обязательное поле не указано", "required"],
      ["type", { type: "integer" }, "ожидается целое число", "must be an integer"],
      ["type", { type: ["string", "null"] }, "ожидается строка или null", "must be a string or null"],
      [
        "maxLength",
        { limit: 64 },
        "должно быть не длиннее 64 символов",
        "must be at most 64 characters long",
      ],
      ["minLength", { limit: 1 }, "должно быть не короче 1 символа", "must be at least 1 character long"],
      ["minimum", { limit: 1 }, "должно быть не меньше 1", "must be at least 1"],
      ["maxItems", { limit: 500 }, "допускается не больше 500 элементов", "must have at most 500 items"],
      ["additionalProperties", { additionalProperty: "x" }, "такого поля нет", "not a known field"],
      ["enum", { allowedValues: ["a", "b"] }, 'допустимые значения: "a", "b"', 'must be one of "a", "b"'],
    ];
    for (const [keyword, params, ru, en] of cases) {
      expect(validationReason({ keyword, params }, "ru")).toBe(ru);
      expect(validationReason({ keyword, params }, "en")).toBe(en);
    }
    const nul = {
      keyword: "pattern",
      params: { pattern: "^[^\\u0000-\\u0008\\u000B-\\u000C\\u000E-\\u001F\\u007F]*$" },
    };
    expect(validationReason(nul, "ru")).toContain("управляющий символ");
    expect(validationReason(nul, "en")).toContain("control character");
  });
});
