/**
 * Pure rules of the data pharmacies upload: which product a stock or sell-out row names, when a sale
 * happened (in its own offset, since the idempotency key is per calendar year of the sale), and whether a
 * line's sum to pay agrees with its price, count and discount.
 */
import { lineAmount } from "./arithmetic.js";

const GS = "\u001d";
const FNC1_AS_E8 = "\u00e8";

/**
 * The GTIN-14 a raw DataMatrix string carries (AI 01 right after an optional symbology identifier and
 * FNC1/GS), or null. The string is taken as the scanner read it, separators included.
 */
export function gtinOfDataMatrix(raw: string): string | null {
  let s = raw;
  if (s.startsWith("]d2") || s.startsWith("]C1") || s.startsWith("]Q3")) s = s.slice(3);
  while (s.startsWith(GS) || s.startsWith(FNC1_AS_E8)) s = s.slice(1);
  const match = /^01([0-9]{14})/.exec(s);
  return match ? match[1]! : null;
}

/**
 * The product a row names, as reports group rows: the barcode when given, else the DataMatrix's GTIN
 * (as the EAN-13 it is when its first digit is 0), else the raw code.
 */
export function productCodeOf(barcode: string | null, qrCode: string | null): string {
  if (barcode) return barcode;
  if (!qrCode) return "";
  const gtin = gtinOfDataMatrix(qrCode);
  if (gtin === null) return qrCode;
  return gtin.startsWith("0") ? gtin.slice(1) : gtin;
}

export interface OffsetDateTime {
  /** The instant, epoch milliseconds. */
  epochMs: number;
  /** The local date and time as sent, to the second: YYYY-MM-DDTHH:MM:SS. */
  local: string;
  offsetMinutes: number;
  /** The calendar year of the local date. */
  year: number;
}

const ISO_WITH_OFFSET =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:?[0-9]{2})$/;

/** An ISO 8601 date-time with an offset (Z or ±HH:MM), or null when it is not one or names no real time. */
export function parseOffsetDateTime(text: string): OffsetDateTime | null {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "00", fraction = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 18 || om > 59) return null;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number(fraction.padEnd(3, "0").slice(0, 3));
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return {
    epochMs: localMs - offsetMinutes * 60_000,
    local: `${y}-${mo}-${d}T${h}:${mi}:${s}`,
    offsetMinutes,
    year,
  };
}

/**
 * Whether a line's sum to pay is its price times count, rounded to the kopeck, less its discount. With a
 * fractional count the till may have rounded the unit price of the part instead of the line, so one
 * kopeck either way is accepted then.
 */
export function sumToPayMatches(price: number, countThousandths: number, discount: number, sumToPay: number) {
  const expected = lineAmount(price, countThousandths) - discount;
  const tolerance = countThousandths % 1000 === 0 ? 0 : 1;
  return { ok: Math.abs(expected - sumToPay) <= tolerance, expected };
}
