/**
 * Reports as files: a real Excel workbook (one sheet per table, amounts as numbers in rubles and packs
 * with their formats, headers frozen, the totals row in bold) and CSV of one table (UTF-8 with a BOM and
 * `;` between fields, as Excel in a Russian locale opens it; decimals with a dot, from the integers).
 */

import { rublesText, thousandthsText } from "@kopilka/contract";
import ExcelJS from "exceljs";
import { DomainError } from "../../kernel/errors.js";
import type { Report, ReportCell, ReportColumn, ReportTable } from "./report-service.js";

const NUMBER_FORMATS: Partial<Record<ReportColumn["kind"], string>> = {
  kopecks: "#,##0.00",
  thousandths: "#,##0.###",
  integer: "0",
  points: "#,##0.00",
};

/** Excel holds numbers as doubles: an integer of kopecks divided by 100 is the double nearest the decimal. */
function excelValue(column: ReportColumn, value: ReportCell): ReportCell {
  if (value === null || typeof value === "string") return value;
  if (column.kind === "kopecks" || column.kind === "points") return value / 100;
  if (column.kind === "thousandths") return value / 1000;
  return value;
}

function sheetName(title: string): string {
  return title.replace(/[\\/?*[\]:]/g, " ").slice(0, 31);
}

export async function reportToXlsx(report: Report): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "Kopilka";
  for (const table of report.tables) {
    const sheet = workbook.addWorksheet(sheetName(table.title), { views: [{ state: "frozen", ySplit: 2 }] });
    sheet.addRow([
      `${report.title}: ${report.partnerCode}, ${report.period.from} — ${report.period.to} (${report.period.timezone})`,
    ]);
    sheet.getRow(1).font = { bold: true };
    const header = sheet.addRow(table.columns.map((c) => c.header));
    header.font = { bold: true };
    for (const row of table.rows) sheet.addRow(table.columns.map((c) => excelValue(c, row[c.key] ?? null)));
    if (table.totals) {
      const totals = sheet.addRow(table.columns.map((c) => excelValue(c, table.totals?.[c.key] ?? null)));
      totals.font = { bold: true };
    }
    table.columns.forEach((column, i) => {
      const sheetColumn = sheet.getColumn(i + 1);
      const format = NUMBER_FORMATS[column.kind];
      if (format) sheetColumn.numFmt = format;
      sheetColumn.width = Math.min(60, Math.max(10, column.header.length + 2));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function csvText(column: ReportColumn, value: ReportCell): string {
  if (value === null) return "";
  if (typeof value === "number") {
    // Points are hundredths like kopecks: the same exact decimal text.
    if (column.kind === "kopecks" || column.kind === "points") return rublesText(value);
    if (column.kind === "thousandths") return thousandthsText(value);
    return String(value);
  }
  return /[";\r\n]/.test(value) || /^[=+\-@]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The table named `name` (default: the report's last, its detail) as CSV. */
export function reportToCsv(report: Report, name?: string): string {
  const table: ReportTable | undefined =
    name === undefined ? report.tables[report.tables.length - 1] : report.tables.find((t) => t.name === name);
  if (!table) {
    throw new DomainError("VALIDATION_FAILED", `the report has no table ${name}`, {
      field: "table",
      reason: report.tables.map((t) => t.name).join(", "),
    });
  }
  const lines = [table.columns.map((c) => csvText({ ...c, kind: "text" }, c.header)).join(";")];
  for (const row of table.rows)
    lines.push(table.columns.map((c) => csvText(c, row[c.key] ?? null)).join(";"));
  if (table.totals) lines.push(table.columns.map((c) => csvText(c, table.totals?.[c.key] ?? null)).join(";"));
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";
