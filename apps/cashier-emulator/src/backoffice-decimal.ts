/**
 * Numbers of an accounting system's CSV as exact integers: "1 234,56" rubles → 123456 kopecks, "2,5" packs
 * → 2500 thousandths, never through a double (so "0.1" is 10 kopecks and "0.105" is refused, not rounded).
 *
 * `scaledInteger` is the contract's, the one the server reads PharmApi numbers with. What is added here
 * is the accounting systems' spelling: a comma as the decimal separator and spaces between thousands.
 */

import {
  type DecimalRefusal,
  MAX_KOPECKS,
  MAX_THOUSANDTHS,
  type ScaledInteger,
  scaledInteger,
} from "@kopilka/contract";
import { lineAmount } from "./amounts.js";

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
  return lineAmount(price, quantityThousandths) - discount;
}

export function sumToPayTolerance(quantityThousandths: number): number {
  return quantityThousandths % 1000 === 0 ? 0 : 1;
}
