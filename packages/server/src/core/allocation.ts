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
  const n = weights.length;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += weights[i]!;
  const shares = new Array<number>(n);
  let left = total;
  for (let i = 0; i < n; i++) {
    shares[i] = mulDivFloor(total, weights[i]!, weightSum);
    left -= shares[i]!;
  }
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
  const n = weights.length;
  if (caps.length !== n) throw new AllocationError("weights and caps differ in length");
  let capSum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    const c = caps[i]!;
    if (!Number.isSafeInteger(w) || w < 0 || !Number.isSafeInteger(c) || c < 0)
      throw new AllocationError("weights and caps must be non-negative integers");
    capSum += c;
  }
  if (total > capSum) throw new AllocationError(`total ${total} exceeds the sum of caps ${capSum}`);

  const result = new Array<number>(n);
  for (let i = 0; i < n; i++) result[i] = 0;
  let open: number[] = [];
  for (let i = 0; i < n; i++) if (caps[i]! > 0) open.push(i);
  let remaining = total;
  while (remaining > 0) {
    // Lines with a cap but no weight only take part once no weighted line can absorb more.
    const weighted: number[] = [];
    for (const i of open) if (weights[i]! > 0) weighted.push(i);
    const pool = weighted.length > 0 ? weighted : open;
    const poolWeights = new Array<number>(pool.length);
    for (let k = 0; k < pool.length; k++)
      poolWeights[k] = weighted.length > 0 ? weights[pool[k]!]! : caps[pool[k]!]!;
    const shares = largestRemainder(remaining, poolWeights);
    const overflowing: number[] = [];
    for (let k = 0; k < pool.length; k++) {
      const i = pool[k]!;
      if (shares[k]! > caps[i]! - result[i]!) overflowing.push(i);
    }
    if (overflowing.length === 0) {
      for (let k = 0; k < pool.length; k++) result[pool[k]!]! += shares[k]!;
      break;
    }
    for (const i of overflowing) result[i] = caps[i]!;
    open = open.filter((i) => !overflowing.includes(i));
    remaining = total - sum(result);
  }
  return result;
}
