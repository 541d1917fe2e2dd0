/** Medians over rounds, the bars with their verdicts, and the plain-text tables the bench prints. */
import type { Measurement } from "./load.js";

export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  rounds: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
}

export function summarize(measurements: readonly Measurement[]): Summary | null {
  if (measurements.length === 0) return null;
  const rps = measurements.map((m) => m.rps);
  return {
    rounds: measurements.length,
    rps: median(rps),
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    p50Ms: median(measurements.map((m) => m.p50Ms)),
    p99Ms: median(measurements.map((m) => m.p99Ms)),
  };
}

export type BarKind = "bar" | "guard" | "check";

export interface Bar {
  kind: BarKind;
  bar: string;
  /** null: not measured in this run. */
  value: number | null;
  unit: "%" | "ms" | "s" | "MB" | "";
  target: string;
  /** null: not judged (not measured, or measured at a scale the bar is not about). */
  pass: boolean | null;
  note?: string;
}

export const fmt = (n: number | null | undefined, digits = 0): string =>
  n !== null && n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";

export function formatValue(bar: Bar): string {
  if (bar.value === null) return "not measured";
  switch (bar.unit) {
    case "%":
      return `${fmt(bar.value * 100, 1)}%`;
    case "ms":
      return `${fmt(bar.value, 1)} ms`;
    case "s":
      return `${fmt(bar.value, 1)} s`;
    case "MB":
      return `${fmt(bar.value)} MB`;
    default:
      return fmt(bar.value);
  }
}

export function verdict(bar: Bar): string {
  if (bar.pass === null) return bar.value === null ? "-" : "not judged";
  return bar.pass ? "PASS" : "FAIL";
}

/** Columns of text are aligned left (`left`: their indexes), figures right. */
export function printTable(
  header: string[],
  rows: string[][],
  out: (text: string) => void,
  left: readonly number[] = [0],
): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  out(`${line(header)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`);
  for (const r of rows) out(`${line(r)}\n`);
}
