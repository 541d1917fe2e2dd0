/**
 * A product file as an accounting system exports it: a header row naming the columns (English names or
 * the Russian ones of the cabinet), `;`, `,` or tab between fields, quotes around fields that hold them.
 * The minimum price is in rubles and becomes kopecks through a decimal string, never a float.
 */
import type { ProductImportItem } from "../../api/types.ts";
import { parseScaled } from "../../components/SchemaForm.tsx";

const COLUMNS: Record<string, keyof ProductImportItem> = {
  sku: "sku",
  артикул: "sku",
  barcode: "barcode",
  штрихкод: "barcode",
  name: "name",
  название: "name",
  category: "category",
  категория: "category",
  brand: "brand",
  бренд: "brand",
  manufacturer: "manufacturer",
  производитель: "manufacturer",
  minprice: "minPrice",
  "мин. цена": "minPrice",
  excludedfromaccrual: "excludedFromAccrual",
  excludedfrompointspayment: "excludedFromPointsPayment",
};

const YES = new Set(["1", "true", "yes", "да"]);
const NO = new Set(["", "0", "false", "no", "нет"]);

export interface CsvLineProblem {
  line: number;
  reason: "columns" | "sku" | "name" | "minPrice" | "flag";
  column?: string;
}

/** Splits CSV text into rows of fields (RFC 4180 quoting: "" is a quote inside a quoted field). */
export function csvRows(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === separator) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function parseProductFile(text: string): { items: ProductImportItem[]; problems: CsvLineProblem[] } {
  const content = text.replace(/^\uFEFF/, "");
  const header = content.split(/\r?\n/, 1)[0] ?? "";
  const separator = [";", "\t", ","].find((s) => header.includes(s)) ?? ";";
  const [head = [], ...body] = csvRows(content, separator);
  const columns = head.map((h) => COLUMNS[h.trim().toLowerCase()]);
  if (!columns.includes("sku") || !columns.includes("name"))
    return { items: [], problems: [{ line: 1, reason: "columns" }] };
  const items: ProductImportItem[] = [];
  const problems: CsvLineProblem[] = [];
  body.forEach((fields, index) => {
    const line = index + 2;
    if (fields.every((f) => f.trim() === "")) return;
    const item: Record<string, unknown> = {};
    let problem: CsvLineProblem | null = null;
    columns.forEach((column, k) => {
      if (!column || problem) return;
      const value = (fields[k] ?? "").trim();
      if (column === "minPrice") {
        if (!value) return;
        const kopecks = parseScaled(value, 2);
        if (kopecks === null) problem = { line, reason: "minPrice" };
        else item.minPrice = kopecks;
      } else if (column === "excludedFromAccrual" || column === "excludedFromPointsPayment") {
        const v = value.toLowerCase();
        if (YES.has(v)) item[column] = true;
        else if (NO.has(v)) item[column] = false;
        else problem = { line, reason: "flag", column: head[k]!.trim() };
      } else if (value) item[column] = value;
    });
    if (!problem && !item.sku) problem = { line, reason: "sku" };
    if (!problem && !item.name) problem = { line, reason: "name" };
    if (problem) problems.push(problem);
    else items.push(item as unknown as ProductImportItem);
  });
  return { items, problems };
}
