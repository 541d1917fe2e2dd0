/**
 * Exact integer arithmetic for money (kopecks), points (hundredths) and quantities (thousandths).
 * Products of two amounts can exceed 2^53, so every multiply-then-divide goes through these helpers,
 * which fall back to BigInt whenever the intermediate product would lose precision.
 */

const SAFE = Number.MAX_SAFE_INTEGER;

function assertInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${value}`);
}

/** floor(a * b / c) for non-negative a, b and positive c, exact. */
export function mulDivFloor(a: number, b: number, c: number): number {
  assertInteger("a", a);
  assertInteger("b", b);
  assertInteger("c", c);
  if (a < 0 || b < 0 || c <= 0) throw new RangeError("mulDivFloor expects a, b >= 0 and c > 0");
  if (a === 0 || b === 0) return 0;
  if (a <= SAFE / b) {
    const p = a * b;
    let q = Math.floor(p / c);
    // The float division may be off by one near integer boundaries; correct it with exact products.
    if (q * c > p) q -= 1;
    else if ((q + 1) * c <= p) q += 1;
    return q;
  }
  const q = (BigInt(a) * BigInt(b)) / BigInt(c);
  if (q > BigInt(SAFE)) throw new RangeError("mulDivFloor result exceeds the safe integer range");
  return Number(q);
}

/** a * b / c rounded half up, for non-negative a, b and positive c, exact. */
export function mulDivRound(a: number, b: number, c: number): number {
  const q = mulDivFloor(a, b, c);
  // Remainder r = ab - qc is below c; round up when 2r >= c. Computed in BigInt only when ab is unsafe.
  if (a === 0 || b === 0) return 0;
  const up =
    a <= SAFE / b
      ? 2 * (a * b - q * c) >= c
      : 2n * (BigInt(a) * BigInt(b) - BigInt(q) * BigInt(c)) >= BigInt(c);
  if (!up) return q;
  if (q === SAFE) throw new RangeError("mulDivRound result exceeds the safe integer range");
  return q + 1;
}

/** Amount of a line in kopecks: unit price (kopecks) times quantity (thousandths), rounded half up. */
export function lineAmount(unitPrice: number, quantityThousandths: number): number {
  return mulDivRound(unitPrice, quantityThousandths, 1000);
}

/** A percentage expressed in basis points (1% = 100 bp) applied to an amount, rounded down. */
export function percentOf(amount: number, basisPoints: number): number {
  return mulDivFloor(amount, basisPoints, 10_000);
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
