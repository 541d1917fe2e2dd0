/**
 * Decimal numbers of the protocol converted exactly from their text: rubles to kopecks (at most two
 * decimals), counts to thousandths (at most three), never through a double. Out-of-range and finer values
 * are refused with a message for the pharmacist.
 */
import { JsonNumber } from "./json.js";

/** The number's digits scaled by 10^scale, when it is exact at that scale; else why not. */
function scaled(text: string, scale: number): { value: bigint } | { error: "negative" | "precision" } {
  const m = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!m) return { error: "precision" };
  const negative = m[1] === "-";
  let digits = m[2]! + (m[3] ?? "");
  let exponent = -(m[3]?.length ?? 0) + Number(m[4] ?? 0);
  // Trailing zeros of the fraction carry no precision ("1.500" is 1.5).
  while (exponent < 0 && digits.length > 1 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  if (exponent + scale < 0) return /^0*$/.test(digits) ? { value: 0n } : { error: "precision" };
  if (exponent + scale > 30) return { value: 10n ** 30n };
  const value = BigInt(digits) * 10n ** BigInt(exponent + scale);
  if (negative && value !== 0n) return { error: "negative" };
  return { value };
}

export type Converted = { ok: true; value: number } | { ok: false; message: string };

/** Rubles → kopecks: ≥ 0, at most 2 decimals, at most `maxKopecks`. */
export function kopecksOf(field: string, n: JsonNumber, maxKopecks: number): Converted {
  const r = scaled(n.text, 2);
  if ("error" in r)
    return {
      ok: false,
      message:
        r.error === "negative"
          ? `Значение поля ${field} не может быть отрицательным.`
          : `Значение поля ${field} должно иметь не более двух знаков после запятой.`,
    };
  if (r.value > BigInt(maxKopecks)) return { ok: false, message: `Значение поля ${field} слишком велико.` };
  return { ok: true, value: Number(r.value) };
}

/** A count → thousandths: > 0, at most 3 decimals, at most `maxThousandths`. */
export function thousandthsOf(field: string, n: JsonNumber, maxThousandths: number): Converted {
  const r = scaled(n.text, 3);
  if ("error" in r)
    return {
      ok: false,
      message:
        r.error === "negative"
          ? `Значение поля ${field} должно быть больше нуля.`
          : `Значение поля ${field} должно иметь не более трёх знаков после запятой.`,
    };
  if (r.value === 0n) return { ok: false, message: `Значение поля ${field} должно быть больше нуля.` };
  if (r.value > BigInt(maxThousandths))
    return { ok: false, message: `Значение поля ${field} слишком велико.` };
  return { ok: true, value: Number(r.value) };
}

/** Kopecks as a JSON number of rubles (at most two decimals; an integer divided by 100 prints exactly). */
export function rubles(kopecks: number): JsonNumber {
  const sign = kopecks < 0 ? "-" : "";
  const a = Math.abs(kopecks);
  const frac = a % 100;
  const whole = Math.floor(a / 100);
  return new JsonNumber(
    frac === 0 ? `${sign}${whole}` : `${sign}${whole}.${String(frac).padStart(2, "0").replace(/0$/, "")}`,
  );
}
