/** Amounts as a cashier types them, into integers: rubles to kopecks, units to thousandths. No floats. */

function decimal(input: string | number, scale: number, what: string): number {
  const text = String(input).trim().replace(",", ".").replace(/\s/g, "");
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m || (m[2]?.length ?? 0) > scale)
    throw new Error(`${what}: "${input}" is not a number with at most ${scale} decimals`);
  return Number(m[1]) * 10 ** scale + Number((m[2] ?? "").padEnd(scale, "0") || "0");
}

/** "450", "450.5", "450,50" → 45050 kopecks. */
export const kopecks = (input: string | number) => decimal(input, 2, "price");
/** "2", "1.5" → 1500 thousandths. */
export const thousandths = (input: string | number) => decimal(input, 3, "quantity");
/** Points as typed ("500", "12.5") → hundredths. */
export const hundredths = (input: string | number) => decimal(input, 2, "points");

/** A line's amount as the server computes it: price × quantity in thousandths, rounded half up. */
export function lineAmount(price: number, quantityThousandths: number): number {
  return Number((BigInt(price) * BigInt(quantityThousandths) + 500n) / 1000n);
}
