/**
 * Spreading an integer total (kopecks or point hundredths) over receipt lines.
 * Shares are proportional to weights, rounded by the largest-remainder method, never exceed a line's cap,
 * and always sum exactly to the total.
 */
import { mulDivFloor, sum } from "./arithmetic.js";

export class AllocationError extends RangeError {}

/**
 * Largest remainder over positive weights: floors first, then one unit each to the biggest remainders
 * (ties go to the bigger weight, then to the earlier line so results are deterministic).
 */
function largestRemainder(total: number, weights: readonly number[]): number[] {
  const weightSum = sum(weights);
  const shares = weights.map((w) => mulDivFloor(total, w, weightSum));
  let left = total - sum(shares);
  if (left === 0) return shares;
  let order: { i: number; w: number }[];
  if (total <= Number.MAX_SAFE_INTEGER / weightSum) {
    // total · w ≤ total · weightSum is exact in a double, and so is every remainder: no BigInt needed.
    const remainders = weights.map((w, i) => total * w - shares[i]! * weightSum);
    order = weights
      .map((w, i) => ({ i, w }))
      .filter((x) => x.w > 0)
      .sort((x, y) => {
        const rx = remainders[x.i]!;
        const ry = remainders[y.i]!;
        return rx === ry ? (x.w === y.w ? x.i - y.i : y.w - x.w) : rx > ry ? -1 : 1;
      });
  } else {
    const bigTotal = BigInt(total);
    const bigWeightSum = BigInt(weightSum);
    order = weights
      .map((w, i) => ({ i, w, r: bigTotal * BigInt(w) - BigInt(shares[i]!) * bigWeightSum }))
      .filter((x) => x.w > 0)
      .sort((x, y) => (x.r === y.r ? (x.w === y.w ? x.i - y.i : y.w - x.w) : x.r > y.r ? -1 : 1));
  }
  for (let k = 0; left > 0; k++, left--) shares[order[k % order.length]!.i]! += 1;
  return shares;
}

/**
 * Allocates `total` in proportion to `weights`, each share bounded by `caps` (defaults to the weights).
 * Lines that would exceed their cap are filled to it and the rest is spread again over the others.
 */
export function allocate(
  total: number,
  weights: readonly number[],
  caps: readonly number[] = weights,
): number[] {
  if (!Number.isSafeInteger(total) || total < 0)
    throw new AllocationError(`total must be a non-negative integer`);
  if (caps.length !== weights.length) throw new AllocationError("weights and caps differ in length");
  for (const values of [weights, caps])
    for (const v of values)
      if (!Number.isSafeInteger(v) || v < 0)
        throw new AllocationError("weights and caps must be non-negative integers");
  if (total > sum(caps)) throw new AllocationError(`total ${total} exceeds the sum of caps ${sum(caps)}`);

  const result = weights.map(() => 0);
  let open = weights.map((_, i) => i).filter((i) => caps[i]! > 0);
  let remaining = total;
  while (remaining > 0) {
    // Lines with a cap but no weight only take part once no weighted line can absorb more.
    const weighted = open.filter((i) => weights[i]! > 0);
    const pool = weighted.length > 0 ? weighted : open;
    const poolWeights = pool.map((i) => (weighted.length > 0 ? weights[i]! : caps[i]!));
    const shares = largestRemainder(remaining, poolWeights);
    const overflowing = pool.filter((i, k) => shares[k]! > caps[i]! - result[i]!);
    if (overflowing.length === 0) {
      pool.forEach((i, k) => {
        result[i]! += shares[k]!;
      });
      break;
    }
    for (const i of overflowing) result[i] = caps[i]!;
    open = open.filter((i) => !overflowing.includes(i));
    remaining = total - sum(result);
  }
  return result;
}
