/**
 * Durations and shares as a manager types them. A duration is kept in the API's unit (seconds, minutes)
 * and shown in the largest unit it divides into exactly, so saving an unchanged form sends the same
 * integer back; shares are basis points shown as percent through SchemaForm's decimal conversion.
 */
import { formatScaled, parseScaled } from "../../../components/SchemaForm.tsx";

export type DurationUnit = "seconds" | "minutes" | "hours" | "days";

const SECONDS: Record<DurationUnit, number> = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400 };

/** The value in the largest of `units` (smallest first, the API's own unit first) it divides into. */
export function splitDuration(
  value: number,
  units: readonly DurationUnit[],
): { amount: string; unit: DurationUnit } {
  const base = SECONDS[units[0]!];
  let best: DurationUnit = units[0]!;
  for (const unit of units) {
    const factor = SECONDS[unit] / base;
    if (value !== 0 && value % factor === 0) best = unit;
  }
  return { amount: String(value / (SECONDS[best] / base)), unit: best };
}

/** The typed amount back in the API's unit; the raw text when it is not a whole number (the server says why). */
export function joinDuration(
  amount: string,
  unit: DurationUnit,
  units: readonly DurationUnit[],
): number | string {
  const text = amount.trim();
  if (!/^\d+$/.test(text)) return text;
  return Number(text) * (SECONDS[unit] / SECONDS[units[0]!]);
}

/** Basis points as a percent ("12,5"). */
export function bpToPercent(bp: number): string {
  return formatScaled(bp, 2);
}

/** A typed percent as basis points; the raw text when it is not a decimal with two places at most. */
export function percentToBp(text: string): number | string {
  return parseScaled(text, 2) ?? text;
}

/** A whole number of days, or the raw text for the server to refuse. */
export function wholeNumber(text: string | number): number | string {
  const s = String(text).trim();
  return /^\d+$/.test(s) ? Number(s) : s;
}
