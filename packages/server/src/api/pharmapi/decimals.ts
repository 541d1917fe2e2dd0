/**
 * Decimal numbers of the protocol converted exactly from their text: rubles to kopecks (at most two
 * decimals), counts to thousandths (at most three), never through a double. Out-of-range and finer values
 * are refused with a message for the pharmacist.
 */
import { type DecimalRefusal, scaledInteger } from "@kopilka/contract";
import { JsonNumber } from "./json.js";

export type Converted = { ok: true; value: number } | { ok: false; message: string };

/** The pharmacist's message for a refused number (core/decimal-text.ts does the arithmetic). */
function refusalMessage(field: string, refusal: DecimalRefusal, decimals: string, negative: string): string {
  if (refusal === "negative") return negative;
  if (refusal === "too_large") return `Значение поля ${field} слишком велико.`;
  return `Значение поля ${field} должно иметь не более ${decimals} знаков после запятой.`;
}

/** Rubles → kopecks: ≥ 0, at most 2 decimals, at most `maxKopecks`. */
export function kopecksOf(field: string, n: JsonNumber, maxKopecks: number): Converted {
  const r = scaledInteger(n.text, 2, maxKopecks);
  if (!r.ok)
    return {
      ok: false,
      message: refusalMessage(
        field,
        r.refusal,
        "двух",
        `Значение поля ${field} не может быть отрицательным.`,
      ),
    };
  return r;
}

/** A count → thousandths: > 0, at most 3 decimals, at most `maxThousandths`. */
export function thousandthsOf(field: string, n: JsonNumber, maxThousandths: number): Converted {
  const notPositive = `Значение поля ${field} должно быть больше нуля.`;
  const r = scaledInteger(n.text, 3, maxThousandths);
  if (!r.ok) return { ok: false, message: refusalMessage(field, r.refusal, "трёх", notPositive) };
  if (r.value === 0) return { ok: false, message: notPositive };
  return r;
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
