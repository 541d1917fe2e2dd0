/**
 * Amounts for the cashier's screen, in Russian: "1 234,50 ₽" and "12,5 балла". Integer arithmetic only;
 * thousands are separated by a plain space (some till screens mangle the non-breaking one).
 */

function grouped(n: number): string {
  const s = String(n);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += " ";
    out += s[i];
  }
  return out;
}

/** Kopecks → "1 234,50 ₽". */
export function formatRublesRu(kopecks: number): string {
  const sign = kopecks < 0 ? "-" : "";
  const abs = Math.abs(kopecks);
  return `${sign}${grouped(Math.floor(abs / 100))},${String(abs % 100).padStart(2, "0")} ₽`;
}

/** The Russian noun form for a count of points: 1 балл, 2 балла, 5 баллов; fractions take "балла". */
export function pointsNoun(hundredths: number): string {
  const abs = Math.abs(hundredths);
  if (abs % 100 !== 0) return "балла";
  const whole = abs / 100;
  const mod100 = whole % 100;
  const mod10 = whole % 10;
  if (mod100 >= 11 && mod100 <= 14) return "баллов";
  if (mod10 === 1) return "балл";
  if (mod10 >= 2 && mod10 <= 4) return "балла";
  return "баллов";
}

/** Hundredths of a point → "12 баллов", "12,5 балла", "0,05 балла". */
export function formatPointsRu(hundredths: number): string {
  const sign = hundredths < 0 ? "-" : "";
  const abs = Math.abs(hundredths);
  const whole = grouped(Math.floor(abs / 100));
  const cents = abs % 100;
  const fraction =
    cents === 0 ? "" : cents % 10 === 0 ? `,${cents / 10}` : `,${String(cents).padStart(2, "0")}`;
  return `${sign}${whole}${fraction} ${pointsNoun(hundredths)}`;
}
