/**
 * Numbers of an accounting system's CSV as exact integers: "1 234,56" rubles → 123456 kopecks, "2,5" packs
 * → 2500 thousandths, never through a double (so "0.1" is 10 kopecks and "0.105" is refused, not rounded).
 *
 * `scaledInteger` is the server's own (packages/server/src/core/decimal-text.ts), copied because the
 * emulator, like the SDK, does not depend on the server package; keep the two the same. What is added
 * here is the accounting systems' spelling: a comma as the decimal separator and spaces between thousands.
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

/** Largest price or sum the server takes: 100 million rubles, in kopecks. */
export const MAX_KOPECKS = 10_000_000_000;
/** Largest pack count the server takes: a million packs, in thousandths. */
export const MAX_THOUSANDTHS = 1_000_000_000;

/**
 * The accounting system's spelling to JSON number syntax: spaces (also no-break and thin ones) between
 * thousands dropped, one decimal comma made a dot. "1 234,50" → "1234.50"; "1,234.50" stays refused
 * (two separators are ambiguous between locales, so nobody guesses).
 */
export function normalizeDecimal(raw: string): string {
  const compact = raw.trim().replace(/[\s\u00a0\u202f]/g, "");
  return /^-?[0-9]+,[0-9]+$/.test(compact) ? compact.replace(",", ".") : compact;
}

const REFUSALS: Record<DecimalRefusal, (scale: number) => string> = {
  not_a_number: () => "not a number",
  too_many_decimals: (scale) => `more than ${scale} decimals`,
  negative: () => "negative",
  too_large: () => "too large",
};

/** Why a number was refused, for the line's report. */
export function refusalText(refusal: DecimalRefusal, scale: number): string {
  return REFUSALS[refusal](scale);
}

/** Rubles as the file has them → kopecks. */
export function kopecksOfText(raw: string): ScaledInteger {
  return scaledInteger(normalizeDecimal(raw), 2, MAX_KOPECKS);
}

/** Packs as the file has them → thousandths. */
export function thousandthsOfText(raw: string): ScaledInteger {
  return scaledInteger(normalizeDecimal(raw), 3, MAX_THOUSANDTHS);
}

/**
 * The server's check of a sell-out line (core/pharmacy-data.ts `sumToPayMatches`): price × quantity
 * rounded half up to kopecks, minus the discount; a fractional quantity may be a kopeck off either way.
 * BigInt: price (up to 10^10) times quantity (up to 10^9) is past 2^53.
 */
export function expectedSumToPay(price: number, quantityThousandths: number, discount: number): number {
  const product = BigInt(price) * BigInt(quantityThousandths);
  const amount = (product + 500n) / 1000n;
  return Number(amount) - discount;
}

export function sumToPayTolerance(quantityThousandths: number): number {
  return quantityThousandths % 1000 === 0 ? 0 : 1;
}
