/**
 * Decimal numbers as their text: a JSON number of rubles or packs becomes an exact integer of kopecks or
 * thousandths without ever passing through a double, so "0.1" is 10 kopecks and "0.105" is refused
 * instead of being rounded by the binary representation.
 */

export type DecimalRefusal = "not_a_number" | "too_many_decimals" | "negative" | "too_large";

export type ScaledInteger = { ok: true; value: number } | { ok: false; refusal: DecimalRefusal };

const JSON_NUMBER = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/;

/**
 * `text` (JSON number syntax) times 10^scale as an integer, refused when it needs more than `scale`
 * decimals (trailing zeros do not count: "120.00" is 12000 kopecks), when negative (minus zero is zero),
 * or when above `max` (in the scaled unit).
 */
export function scaledInteger(text: string, scale: number, max: number): ScaledInteger {
  const match = JSON_NUMBER.exec(text);
  if (!match) return { ok: false, refusal: "not_a_number" };
  const [, sign, whole = "", fraction = "", exponentText] = match;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  // An exponent this large cannot give a value within any sane maximum; refuse it before building digits.
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 64) {
    return allZero(whole + fraction) ? { ok: true, value: 0 } : { ok: false, refusal: "too_large" };
  }
  // The value is digits × 10^(exponent − fraction length); shift so that it is in units of 10^−scale.
  let digits = (whole + fraction).replace(/^0+(?=.)/, "");
  let shift = exponent - fraction.length + scale;
  if (shift < 0) {
    const dropped = digits.slice(Math.max(0, digits.length + shift));
    if (!allZero(dropped)) return { ok: false, refusal: "too_many_decimals" };
    digits = digits.slice(0, Math.max(0, digits.length + shift)) || "0";
    shift = 0;
  }
  if (allZero(digits)) return { ok: true, value: 0 };
  if (sign === "-") return { ok: false, refusal: "negative" };
  const significant = digits.replace(/^0+/, "");
  const maxDigits = String(max).length;
  if (significant.length + shift > maxDigits) return { ok: false, refusal: "too_large" };
  const value = Number(significant + "0".repeat(shift));
  if (value > max) return { ok: false, refusal: "too_large" };
  return { ok: true, value };
}

function allZero(digits: string): boolean {
  return /^0*$/.test(digits);
}

/** Largest price or sum a pharmacy may send: 100 million rubles, in kopecks. */
export const MAX_KOPECKS = 10_000_000_000;
/** Largest pack count: a million packs, in thousandths. */
export const MAX_THOUSANDTHS = 1_000_000_000;

/** Rubles as sent → kopecks (at most two decimals). */
export function kopecksOf(text: string, max = MAX_KOPECKS): ScaledInteger {
  return scaledInteger(text, 2, max);
}

/** Packs as sent → thousandths (at most three decimals). */
export function thousandthsOf(text: string, max = MAX_THOUSANDTHS): ScaledInteger {
  return scaledInteger(text, 3, max);
}

/** Kopecks as a decimal of rubles ("1234.5" → 123450 → "1234.50"), with integer arithmetic only. */
export function rublesText(kopecks: number): string {
  const sign = kopecks < 0 ? "-" : "";
  const abs = Math.abs(kopecks);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Thousandths as a decimal without trailing zeros (2500 → "2.5", 3000 → "3"). */
export function thousandthsText(thousandths: number): string {
  const sign = thousandths < 0 ? "-" : "";
  const abs = Math.abs(thousandths);
  const fraction = String(abs % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  return `${sign}${Math.trunc(abs / 1000)}${fraction ? `.${fraction}` : ""}`;
}
