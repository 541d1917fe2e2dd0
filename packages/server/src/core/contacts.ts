/**
 * A client's contacts as logins: one canonical form per phone and per e-mail address, so the same
 * person typed differently at two tills is still one login. Pure: returns the form or a reason.
 */

export type Normalized = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Russian mobile and landline numbers in the `+7XXXXXXXXXX` form. Spaces, brackets, dashes and dots are
 * dropped; a leading 8 (the domestic trunk prefix) becomes +7; ten digits are taken as a number without
 * the country code. Anything else (other countries, short or long numbers, letters) is refused.
 */
export function normalizePhone(input: string): Normalized {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) {
    return { ok: false, reason: "a phone may contain only digits, spaces, brackets, dashes and a leading +" };
  }
  const plus = trimmed.startsWith("+");
  const digits = trimmed.replace(/\D/g, "");
  let national: string | null = null;
  if (plus) {
    if (digits.length === 11 && digits.startsWith("7")) national = digits.slice(1);
  } else if (digits.length === 11 && (digits.startsWith("7") || digits.startsWith("8"))) {
    national = digits.slice(1);
  } else if (digits.length === 10) {
    national = digits;
  }
  if (national === null) {
    return {
      ok: false,
      reason: "expected a Russian number: +7 and 10 digits, 8 and 10 digits, or 10 digits",
    };
  }
  if (!/^[3-9]/.test(national)) {
    return { ok: false, reason: "a Russian number's area or operator code starts with 3 to 9" };
  }
  return { ok: true, value: `+7${national}` };
}

/**
 * An e-mail address lower-cased and trimmed. The check is deliberately plain (one @, a dot in the
 * domain, no spaces); the confirmation code proves the address really works.
 */
export function normalizeEmail(input: string): Normalized {
  const value = input.trim().toLowerCase();
  if (value.length > 254) return { ok: false, reason: "an e-mail address has at most 254 characters" };
  if (!/^[^\s@]{1,64}@[^\s@]+\.[^\s@.]{2,}$/.test(value) || value.includes("..")) {
    return { ok: false, reason: "expected an address like name@example.ru" };
  }
  const domain = value.slice(value.indexOf("@") + 1);
  if (domain.startsWith(".") || domain.startsWith("-")) {
    return { ok: false, reason: "expected an address like name@example.ru" };
  }
  return { ok: true, value };
}
