/**
 * Card numbers with a check digit: EAN-13 (barcodes printed on plastic cards, 13 digits) and Luhn
 * (payment-card style, any length). Pure; ranges are prefix + zero-padded serial + check digit.
 */

export const CHECK_DIGIT_SCHEMES = ["ean13", "luhn", "none"] as const;
export type CheckDigitScheme = (typeof CHECK_DIGIT_SCHEMES)[number];

/** EAN/GTIN check digit of the digits before it: weights 3 and 1 from the right. */
export function eanCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** Luhn check digit of the digits before it: every second digit from the right doubled. */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let digit = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function withCheckDigit(body: string, scheme: CheckDigitScheme): string {
  if (scheme === "none") return body;
  return body + String(scheme === "ean13" ? eanCheckDigit(body) : luhnCheckDigit(body));
}

export function hasValidCheckDigit(number: string, scheme: CheckDigitScheme): boolean {
  if (scheme === "none") return true;
  if (!/^\d{2,}$/.test(number)) return false;
  return withCheckDigit(number.slice(0, -1), scheme) === number;
}

export interface CardRange {
  /** Digits every number starts with. */
  prefix: string;
  /** Total digits, the check digit included. */
  length: number;
  checkDigit: CheckDigitScheme;
}

/** How many serial digits the range leaves between the prefix and the check digit; < 1 is no range. */
export function serialDigits(range: CardRange): number {
  return range.length - range.prefix.length - (range.checkDigit === "none" ? 0 : 1);
}

/** Why a range cannot hold numbers, or null when it can. */
export function rangeProblem(range: CardRange): string | null {
  if (!/^\d*$/.test(range.prefix)) return "the prefix must be digits";
  if (range.checkDigit === "ean13" && range.length !== 13) return "EAN-13 numbers have 13 digits";
  if (range.length < 4 || range.length > 32) return "a card number has 4 to 32 digits";
  if (serialDigits(range) < 1) return "the prefix leaves no digits for the serial";
  return null;
}

/** The number of the serial'th card in the range (serial from 0). */
export function numberInRange(range: CardRange, serial: bigint | number): string {
  const digits = serialDigits(range);
  const text = String(serial);
  if (text.length > digits) throw new RangeError(`serial ${text} does not fit ${digits} digits`);
  return withCheckDigit(range.prefix + text.padStart(digits, "0"), range.checkDigit);
}
