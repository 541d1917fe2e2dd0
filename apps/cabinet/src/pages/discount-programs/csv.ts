/**
 * A product list pasted from a spreadsheet: `barcode;name;type;value[;price ceiling]` per line (tab and
 * comma separate too, the first that occurs wins). The type is percent, cash or fixed_price (also `%`,
 * `руб`/`₽`, `цена`); the value is percent or rubles with a comma or a dot.
 */
import { parseScaled } from "../../components/SchemaForm.tsx";
import type { DiscountType, ItemDraft } from "./draft.ts";
import { rowKey } from "./draft.ts";

export interface CsvProblem {
  line: number;
  reason: "fields" | "barcode" | "name" | "type" | "value";
}

const TYPES: Record<string, DiscountType> = {
  percent: "percent",
  "%": "percent",
  процент: "percent",
  cash: "cash",
  руб: "cash",
  "₽": "cash",
  rub: "cash",
  fixed_price: "fixed_price",
  fixed: "fixed_price",
  цена: "fixed_price",
  price: "fixed_price",
};

function problemOf(fields: readonly string[]): CsvProblem["reason"] | null {
  if (fields.length < 4) return "fields";
  const [barcode = "", name = "", typeText = "", value = "", ceiling = ""] = fields;
  if (!/^\d{8,14}$/.test(barcode)) return "barcode";
  if (!name) return "name";
  if (!TYPES[typeText.toLowerCase()]) return "type";
  if (parseScaled(value, 2) === null || (ceiling && parseScaled(ceiling, 2) === null)) return "value";
  return null;
}

export function parseProductCsv(text: string): { rows: ItemDraft[]; problems: CsvProblem[] } {
  const rows: ItemDraft[] = [];
  const problems: CsvProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const separator = [";", "\t", ","].find((s) => line.includes(s)) ?? ";";
    const fields = line.split(separator).map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
    // A header row (no digits where the barcode goes) is skipped, not reported.
    if (index === 0 && !/\d/.test(fields[0] ?? "")) return;
    const reason = problemOf(fields);
    if (reason) {
      problems.push({ line: index + 1, reason });
      return;
    }
    const [barcode = "", name = "", typeText = "", value = "", ceiling = ""] = fields;
    const type = TYPES[typeText.toLowerCase()] as DiscountType;
    rows.push({ key: rowKey(), barcode, name, type, value, priceCeiling: ceiling });
  });
  return { rows, problems };
}

/** Pasted rows replace the rows with the same barcode and are appended otherwise. */
export function mergeRows(existing: readonly ItemDraft[], pasted: readonly ItemDraft[]): ItemDraft[] {
  const byBarcode = new Map(pasted.map((r) => [r.barcode, r]));
  const merged = existing.map((r) => {
    const replacement = byBarcode.get(r.barcode);
    if (!replacement) return r;
    byBarcode.delete(r.barcode);
    return { ...replacement, key: r.key };
  });
  return [...merged, ...byBarcode.values()];
}
