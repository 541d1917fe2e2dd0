/**
 * `kopilka report`: a report for a period as a file, the same as the admin API's export: the PharmApi
 * reconciliation (totals per program and every discounted line), stock, or sell-out against confirmed
 * discounts; Excel, CSV (one table) or JSON.
 */
import { writeFile } from "node:fs/promises";
import { REPORT_KINDS } from "@kopilka/contract/vocabulary";
import { type Command, InvalidArgumentError } from "commander";
import type { ReportKind } from "../../modules/reports/index.js";
import { note, out, text, withDatabase } from "../support.js";

const FORMATS = ["xlsx", "csv", "json"] as const;
type Format = (typeof FORMATS)[number];

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${values.join(", ")}.`);
    }
    return value as T;
  };
}

export function registerReportCommands(program: Command): void {
  program
    .command("report")
    .description(
      "write a report for a period: reconciliation (totals per program and every discounted line), stock, or sellout (full price against confirmed discounts)",
    )
    .requiredOption("--partner <code>", "the partner (chain)", text)
    .requiredOption("--kind <kind>", `one of ${REPORT_KINDS.join(", ")}`, oneOf(REPORT_KINDS))
    .requiredOption("--from <date>", "first day, YYYY-MM-DD", text)
    .requiredOption("--to <date>", "last day (included), YYYY-MM-DD", text)
    .requiredOption("--out <file>", "where to write it ('-' for stdout)", text)
    .option("--format <format>", `one of ${FORMATS.join(", ")}`, oneOf(FORMATS), "xlsx")
    .option("--timezone <zone>", "IANA zone of the days", text, "Europe/Moscow")
    .option("--store <code>", "only this store (stock, sellout)", text)
    .option("--table <name>", "CSV: which table (default the detailed one)", text)
    .action(
      (options: {
        partner: string;
        kind: ReportKind;
        from: string;
        to: string;
        out: string;
        format: Format;
        timezone: string;
        store?: string;
        table?: string;
      }) =>
        withDatabase(async (database) => {
          const { ReportService, reportToCsv, reportToXlsx } = await import("../../modules/reports/index.js");
          const report = await new ReportService(database).build({
            partnerCode: options.partner,
            kind: options.kind,
            from: options.from,
            to: options.to,
            timezone: options.timezone,
            ...(options.store !== undefined ? { storeCode: options.store } : {}),
          });
          const content =
            options.format === "xlsx"
              ? await reportToXlsx(report)
              : options.format === "csv"
                ? reportToCsv(report, options.table)
                : `${JSON.stringify(report, null, 2)}\n`;
          if (options.out === "-") {
            process.stdout.write(content);
            return;
          }
          await writeFile(options.out, content);
          note(`${report.title}, ${report.period.from} — ${report.period.to}`);
          out(
            `${options.out}: ${report.tables.map((t) => `${t.title} ${t.rows.length}`).join(", ")} rows written`,
          );
        }),
    );
}
