/**
 * Points typed by a person ("12", "-3,5", "+0.25") as the API's integer hundredths. The digits are joined
 * as text and read as an integer, so no binary fraction is ever involved (0.29 × 100 is 28.999… in a double).
 */

/** The API's bound for one adjustment, in hundredths. */
export const MAX_ADJUSTMENT = 100_000_000_00;

export type ParsedPoints =
  | { ok: true; hundredths: number }
  | { ok: false; reason: "format" | "zero" | "range" };

const POINTS = /^([+-])?(\d{1,12})(?:[.,](\d{1,2}))?$/;

export function parsePoints(text: string): ParsedPoints {
  const match = POINTS.exec(text.replace(/[\s\u00a0]/g, ""));
  if (!match) return { ok: false, reason: "format" };
  const [, sign, whole = "0", fraction = ""] = match;
  const magnitude = Number(`${whole}${fraction.padEnd(2, "0")}`);
  if (magnitude === 0) return { ok: false, reason: "zero" };
  if (magnitude > MAX_ADJUSTMENT) return { ok: false, reason: "range" };
  return { ok: true, hundredths: sign === "-" ? -magnitude : magnitude };
}
