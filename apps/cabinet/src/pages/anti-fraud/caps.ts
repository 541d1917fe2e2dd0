/**
 * The anti-fraud caps as the cabinet shows them: each cap's unit (points are the API's hundredths, the
 * others counts), in the order a marketer reads them (spending, accrual, refunds).
 */
import type { AntiFraudCap } from "../../api/types.ts";
import { formatCount, formatPoints } from "../../lib/format.ts";

export type CapUnit = "points" | "count";

export const CAPS: readonly { cap: AntiFraudCap; unit: CapUnit }[] = [
  { cap: "maxPointsSpentPerCardPerDay", unit: "points" },
  { cap: "maxPointsSpentPerCardPerWeek", unit: "points" },
  { cap: "maxPointsPurchasesPerCardPerDay", unit: "count" },
  { cap: "maxAccrualPerCardPerDay", unit: "points" },
  { cap: "maxRefundsPerPosPerDay", unit: "count" },
];

/** A cap the server names that this build does not know yet is shown by its name. */
export function isKnownCap(cap: string): cap is AntiFraudCap {
  return CAPS.some((c) => c.cap === cap);
}

/** The number without its unit word: points as "1 500" or "12,5", counts as "3". */
export function formatCapValue(unit: CapUnit, value: number): string {
  return unit === "points" ? formatPoints(value) : formatCount(value);
}
