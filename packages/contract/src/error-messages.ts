/**
 * Error messages for people, rendered from the catalogue's `ru` and `en` templates. Every surface uses
 * this: the native APIs by `Accept-Language`, the PharmApi facade and the cashier's screen in Russian.
 *
 * Template syntax: `{name}` is `details.name`; `{name:points}` (hundredths of a point), `{name:rubles}`
 * (kopecks), `{name:quantity}` (thousandths) and `{name:state}` (a purchase state) are formatted for
 * people; `[ … ]` is an optional part, left out when a placeholder inside it has no value.
 *
 * Amounts are formatted with integer arithmetic only: the stored integer is split into its whole and
 * fractional parts, never divided as a float.
 */
import { ERROR_CATALOGUE, type ErrorCode } from "./errors.js";
import { isControlCharacterGuard } from "./schema-helpers.js";

export const LANGUAGES = ["ru", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
/** The cashier sees Russian unless the client asks for English. */
export const DEFAULT_LANGUAGE: Language = "ru";

/**
 * The language of an `Accept-Language` header: the supported language with the highest weight, the first
 * one listed on a tie; Russian when neither is asked for.
 */
export function preferredLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return DEFAULT_LANGUAGE;
  let best: Language = DEFAULT_LANGUAGE;
  let bestWeight = 0;
  for (const range of acceptLanguage.split(",")) {
    const [tag = "", ...params] = range.split(";");
    const primary = tag.trim().toLowerCase().split("-")[0];
    if (primary !== "ru" && primary !== "en") continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if (key?.trim().toLowerCase() === "q") weight = Number(value);
    }
    if (Number.isFinite(weight) && weight > bestWeight) {
      best = primary;
      bestWeight = weight;
    }
  }
  return best;
}

const GROUP = { ru: "\u00a0", en: "," } as const;
const DECIMAL = { ru: ",", en: "." } as const;

function groupThousands(whole: number, lang: Language): string {
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, GROUP[lang]);
}

/** An integer count of hundredths as a decimal: "1 515,87" / "1,515.87"; whole numbers drop ",00" if asked. */
function decimal(hundredths: number, lang: Language, keepZeroFraction: boolean): string {
  const sign = hundredths < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(hundredths));
  const fraction = abs % 100;
  const whole = (abs - fraction) / 100;
  const digits = groupThousands(whole, lang);
  if (fraction === 0 && !keepZeroFraction) return `${sign}${digits}`;
  return `${sign}${digits}${DECIMAL[lang]}${String(fraction).padStart(2, "0")}`;
}

/** Russian noun form after a number: 1 балл, 2 балла, 5 баллов; a fraction takes the genitive singular. */
function russianForm(whole: number, hasFraction: boolean, forms: [string, string, string]): string {
  if (hasFraction) return forms[1];
  const lastTwo = whole % 100;
  const last = whole % 10;
  if (lastTwo >= 11 && lastTwo <= 14) return forms[2];
  if (last === 1) return forms[0];
  if (last >= 2 && last <= 4) return forms[1];
  return forms[2];
}

/** Hundredths of a point: 151587 → "1 515,87 балла" / "1,515.87 points"; 500 → "5 баллов" / "5 points". */
export function formatPoints(hundredths: number, lang: Language): string {
  const abs = Math.abs(Math.trunc(hundredths));
  const fraction = abs % 100;
  const whole = (abs - fraction) / 100;
  const number = decimal(hundredths, lang, false);
  if (lang === "ru")
    return `${number}\u00a0${russianForm(whole, fraction !== 0, ["балл", "балла", "баллов"])}`;
  return `${number} ${abs === 100 ? "point" : "points"}`;
}

/** Kopecks: 151587 → "1 515,87 ₽" / "RUB 1,515.87". */
export function formatRubles(kopecks: number, lang: Language): string {
  const number = decimal(kopecks, lang, true);
  return lang === "ru" ? `${number}\u00a0₽` : `RUB ${number}`;
}

/** Thousandths of a unit: 1500 → "1,5" / "1.5"; 2000 → "2". */
export function formatQuantity(thousandths: number, lang: Language): string {
  const sign = thousandths < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(thousandths));
  const fraction = abs % 1000;
  const whole = (abs - fraction) / 1000;
  const digits = groupThousands(whole, lang);
  if (fraction === 0) return `${sign}${digits}`;
  return `${sign}${digits}${DECIMAL[lang]}${String(fraction).padStart(3, "0").replace(/0+$/, "")}`;
}

const STATE_WORDS: Record<Language, Record<string, string>> = {
  ru: {
    calculated: "рассчитана",
    confirmed: "подтверждена",
    cancelled: "отменена",
    expired: "истекла",
    partially_refunded: "частично возвращена",
    refunded: "возвращена",
  },
  en: { partially_refunded: "partially refunded" },
};

type Formatter = (value: unknown, lang: Language) => string | undefined;

const integer = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value) ? value : undefined;

const FORMATTERS: Record<string, Formatter> = {
  points: (v, lang) => (integer(v) === undefined ? undefined : formatPoints(v as number, lang)),
  rubles: (v, lang) => (integer(v) === undefined ? undefined : formatRubles(v as number, lang)),
  quantity: (v, lang) => (integer(v) === undefined ? undefined : formatQuantity(v as number, lang)),
  state: (v, lang) => (typeof v === "string" ? (STATE_WORDS[lang][v] ?? v) : undefined),
};

function placeholderValue(
  name: string,
  format: string | undefined,
  values: Record<string, unknown>,
  lang: Language,
) {
  const value = values[name];
  if (value === undefined || value === null) return undefined;
  if (format) return FORMATTERS[format]?.(value, lang);
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  return undefined;
}

const PLACEHOLDER = /\{(\w+)(?::(\w+))?\}/g;
const MISSING = "—";

function fill(
  text: string,
  values: Record<string, unknown>,
  lang: Language,
): { text: string; complete: boolean } {
  let complete = true;
  const filled = text.replace(PLACEHOLDER, (_, name: string, format: string | undefined) => {
    const value = placeholderValue(name, format, values, lang);
    if (value === undefined) {
      complete = false;
      return MISSING;
    }
    return value;
  });
  return { text: filled, complete };
}

/** Renders a template (see the module comment) with the given values. */
export function renderTemplate(template: string, values: Record<string, unknown>, lang: Language): string {
  const withOptionals = template.replace(/\[([^\]]*)\]/g, (_, part: string) => {
    const { text, complete } = fill(part, values, lang);
    return complete ? text : "";
  });
  return fill(withOptionals, values, lang).text;
}

/** The message of an error answer: the catalogue's template in the language, filled from the details. */
export function errorMessage(
  code: ErrorCode,
  details: Record<string, unknown>,
  lang: Language,
  extra: Record<string, unknown> = {},
): string {
  return renderTemplate(ERROR_CATALOGUE[code][lang], { ...details, ...extra }, lang);
}

/** One failed JSON-schema keyword, as ajv reports it. */
export interface SchemaIssue {
  keyword: string;
  params: Record<string, unknown>;
}

const TYPE_NAMES: Record<Language, Record<string, string>> = {
  ru: {
    string: "строка",
    integer: "целое число",
    number: "число",
    boolean: "true или false",
    object: "объект",
    array: "массив",
    null: "null",
  },
  en: {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "true or false",
    object: "an object",
    array: "an array",
    null: "null",
  },
};

function typeList(type: unknown, lang: Language): string {
  const types = Array.isArray(type) ? type : String(type).split(",");
  return types.map((t) => TYPE_NAMES[lang][String(t)] ?? String(t)).join(lang === "ru" ? " или " : " or ");
}

/** "1 символа", "5 символов": the genitive after "не короче", "не меньше". */
function russianGenitive(n: number, singular: string, plural: string): string {
  return n % 10 === 1 && n % 100 !== 11 ? `${n} ${singular}` : `${n} ${plural}`;
}

function listOf(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).join(", ") : JSON.stringify(values);
}

/** Why a value failed its schema, in words, for `VALIDATION_FAILED`'s `{reason}`. */
export function validationReason(issue: SchemaIssue, lang: Language): string {
  const p = issue.params;
  const limit = Number(p.limit);
  const ru = lang === "ru";
  switch (issue.keyword) {
    case "required":
      return ru ? "обязательное поле не указано" : "required";
    case "additionalProperties":
      return ru ? "такого поля нет" : "not a known field";
    case "type":
      return ru ? `ожидается ${typeList(p.type, lang)}` : `must be ${typeList(p.type, lang)}`;
    case "minLength":
      return ru
        ? `должно быть не короче ${russianGenitive(limit, "символа", "символов")}`
        : `must be at least ${limit} character${limit === 1 ? "" : "s"} long`;
    case "maxLength":
      return ru
        ? `должно быть не длиннее ${russianGenitive(limit, "символа", "символов")}`
        : `must be at most ${limit} character${limit === 1 ? "" : "s"} long`;
    case "minimum":
      return ru ? `должно быть не меньше ${limit}` : `must be at least ${limit}`;
    case "maximum":
      return ru ? `должно быть не больше ${limit}` : `must be at most ${limit}`;
    case "exclusiveMinimum":
      return ru ? `должно быть больше ${limit}` : `must be greater than ${limit}`;
    case "exclusiveMaximum":
      return ru ? `должно быть меньше ${limit}` : `must be less than ${limit}`;
    case "multipleOf":
      return ru
        ? `должно быть кратно ${Number(p.multipleOf)}`
        : `must be a multiple of ${Number(p.multipleOf)}`;
    case "minItems":
      return ru
        ? `нужно не меньше ${russianGenitive(limit, "элемента", "элементов")}`
        : `must have at least ${limit} item${limit === 1 ? "" : "s"}`;
    case "maxItems":
      return ru
        ? `допускается не больше ${russianGenitive(limit, "элемента", "элементов")}`
        : `must have at most ${limit} item${limit === 1 ? "" : "s"}`;
    case "uniqueItems":
      return ru ? "элементы повторяются" : "must not repeat items";
    case "minProperties":
    case "maxProperties":
      return ru ? "неверное число полей" : "has a wrong number of fields";
    case "pattern":
      if (isControlCharacterGuard(String(p.pattern)))
        return ru
          ? "содержит управляющий символ (например, NUL), такие символы не допускаются"
          : "contains a control character (such as NUL), which is not allowed";
      return ru ? `не соответствует шаблону ${String(p.pattern)}` : `must match ${String(p.pattern)}`;
    case "format":
      return ru ? `не соответствует формату ${String(p.format)}` : `must be a valid ${String(p.format)}`;
    case "enum":
      return ru
        ? `допустимые значения: ${listOf(p.allowedValues)}`
        : `must be one of ${listOf(p.allowedValues)}`;
    case "const":
      return ru ? `должно быть ${listOf(p.allowedValue)}` : `must be ${listOf(p.allowedValue)}`;
    case "anyOf":
    case "oneOf":
      return ru ? "не подходит ни под один допустимый вариант" : "matches none of the allowed forms";
    default:
      return ru ? "недопустимое значение" : "not allowed";
  }
}
