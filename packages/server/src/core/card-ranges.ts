/**
 * Card ranges of manufacturer discount programs: cards printed in ranges (a prefix and lengths) exist on
 * first use; which numbers of a range are active is a rule on the number's end (PharmApi's test program:
 * prefix 123, 13/17/19 digits, active only when ending in 0). Pure.
 */
import type { CardRange } from "@kopilka/contract";

export type RangeVerdict = "outside" | "inactive" | "active";

export function judgeCardNumber(ranges: readonly CardRange[], number: string): RangeVerdict {
  if (!/^[0-9]+$/.test(number)) return "outside";
  let verdict: RangeVerdict = "outside";
  for (const range of ranges) {
    if (!number.startsWith(range.prefix) || !range.lengths.includes(number.length)) continue;
    if (!range.activeSuffixes || range.activeSuffixes.some((s) => number.endsWith(s))) return "active";
    verdict = "inactive";
  }
  return verdict;
}
