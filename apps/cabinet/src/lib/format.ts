/**
 * Numbers and dates for people. Amounts arrive as integers (kopecks, hundredths of a point) and are
 * formatted from their decimal string, so no floating point ever touches them.
 */

/** "12345" → "123.45": an integer of hundredths as an exact decimal string. */
export function hundredthsToDecimal(value: number | bigint): string {
  const n = BigInt(value);
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

// Intl.NumberFormat formats a decimal string exactly (no conversion to a double on the way).
type DecimalFormat = { format(value: string): string };

const rubleFormat = new Intl.NumberFormat("ru-RU", {
  style: "currency",
  currency: "RUB",
  minimumFractionDigits: 2,
}) as unknown as DecimalFormat;

/** Kopecks as rubles, always in the Russian format: 1 234,50 ₽. */
export function formatRubles(kopecks: number | bigint): string {
  return rubleFormat.format(hundredthsToDecimal(kopecks));
}

const rubleAxisFormat = new Intl.NumberFormat("ru-RU", {
  style: "currency",
  currency: "RUB",
  notation: "compact",
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
}) as unknown as DecimalFormat;

/**
 * Kopecks as short rubles for a chart's axis: 450 ₽, 1,5 тыс. ₽, 2 млн ₽. Thousands and millions are
 * rounded, which suits the round steps of an axis; an exact amount is formatRubles.
 */
export function formatRublesShort(kopecks: number | bigint): string {
  return rubleAxisFormat.format(hundredthsToDecimal(kopecks));
}

const countFormat = new Intl.NumberFormat("ru-RU");

/** A count in the Russian format: 12 345. */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

const pointsFormat = new Intl.NumberFormat("ru-RU", {
  minimumFractionDigits: 0,
  maximumFractionDigits: 2,
}) as unknown as DecimalFormat;

/** Hundredths of a point as points: 1 916 or 12,5 (the unit word comes from the translation). */
export function formatPoints(hundredths: number | bigint): string {
  return pointsFormat.format(hundredthsToDecimal(hundredths));
}

/** The time zone the cabinet shows times in: the browser's. */
export function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function formatDateTime(iso: string, language: string, timeZone: string = userTimeZone()): string {
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "ru-RU", {
    timeZone,
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(iso));
}

export function formatDate(iso: string, language: string, timeZone: string = userTimeZone()): string {
  return new Intl.DateTimeFormat(language === "en" ? "en-GB" : "ru-RU", {
    timeZone,
    dateStyle: "medium",
  }).format(new Date(iso));
}
