/**
 * Files from accounting systems and card batches: `import cards|products|clients FILE.csv`,
 * `cards:generate`, and `pii:rekey` after a personal-data key rotation.
 */
import { type Command, InvalidArgumentError } from "commander";
import type { Logger } from "pino";
import { CHECK_DIGIT_SCHEMES, type CheckDigitScheme } from "../../core/card-numbers.js";
import type { Config } from "../../infra/config.js";
import type { Database } from "../../infra/db/database.js";
import { systemClock } from "../../kernel/index.js";
import type { ClientService } from "../../modules/clients/index.js";
import type { ProgramCatalog } from "../../modules/programs/index.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE, now, out, text, withDatabase } from "../support.js";
import { partnerIdOf } from "./lookups.js";

const KINDS = ["cards", "products", "clients"] as const;
type Kind = (typeof KINDS)[number];

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError("it must be a whole number ≥ 1.");
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError("it must be a whole number.");
  return n;
}

function delimiter(value: string): string {
  if (value === "\\t" || value === "tab") return "\t";
  if (value.length !== 1) throw new InvalidArgumentError("it must be one character (or tab).");
  return value;
}

function checkScheme(value: string): CheckDigitScheme {
  if (!(CHECK_DIGIT_SCHEMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`it must be one of ${CHECK_DIGIT_SCHEMES.join(", ")}.`);
  return value as CheckDigitScheme;
}

async function quietLogger(config: Config): Promise<Logger> {
  const { createLogger } = await import("../../infra/logger.js");
  return createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr as never);
}

/** The client services that the clients' import and the key rotation go through, reading `programs`. */
async function clientServices(database: Database, config: Config, programs: ProgramCatalog) {
  const { buildClientServices } = await import("../../app/client-services.js");
  return buildClientServices(
    { config, database, clock: systemClock, logger: await quietLogger(config) },
    programs,
  );
}

const COLUMNS = `
Columns (a header line names them; Russian headers are understood too: номер, статус, телефон, …):
  cards:    number; status (active, blocked, accrual_only); level; virtual (1/0); balance (opening
            points, e.g. 150,50, booked through the ledger for new cards)
  products: sku; name; barcode; category; brand; manufacturer; excluded_from_points_payment;
            excluded_from_accrual; min_price (rubles)
  clients:  name; phone; email; birth_date (YYYY-MM-DD or DD.MM.YYYY); card_number; external_id; consent

All or nothing: without --chunk the whole file is one transaction, and any rejected row means nothing is
applied. With --chunk N every N rows are one transaction, applied only if none of its rows is rejected;
the other chunks stay applied. Rejected rows go to the report file with their line number and reason.
The exit code is 0 when every row was applied, 1 when some were rejected.`;

interface ImportFlags {
  partner: string;
  program?: string;
  encoding?: string;
  delimiter?: string;
  chunk?: number;
  report?: string;
}

export function registerImportCommands(program: Command): void {
  program
    .command("import")
    .description("stream a CSV file from an accounting system: cards, products or clients")
    .argument("<kind>", "cards, products or clients", (value: string) => {
      if (!(KINDS as readonly string[]).includes(value))
        throw new InvalidArgumentError("it must be cards, products or clients.");
      return value as Kind;
    })
    .argument("<file>", "the CSV file")
    .requiredOption("--partner <code>", "the partner's code", text)
    .option(
      "--program <code>",
      "cards: their program (required); clients: whose registration settings apply (default program)",
      text,
    )
    .option("--encoding <name>", "utf-8, windows-1251, … (default: detected)", text)
    .option("--delimiter <char>", "; , or tab (default: detected from the header line)", delimiter)
    .option(
      "--chunk <rows>",
      "apply every N rows in its own transaction (default: the whole file)",
      positiveInteger,
    )
    .option("--report <file>", "where rejected rows go (default: FILE.rejected.csv)", text)
    .addHelpText("after", COLUMNS)
    .action((kind: Kind, file: string, flags: ImportFlags) =>
      withDatabase(async (database, config) => {
        const [{ findProgramId, ProgramCatalog }, { importFile, progressOn }] = await Promise.all([
          import("../../modules/programs/index.js"),
          import("../imports.js"),
        ]);
        const partnerId = await partnerIdOf(database, flags.partner);
        let programId: number | null = null;
        if (flags.program) {
          programId = await findProgramId(database.db, partnerId, flags.program);
          if (programId === null)
            throw new CliError(`partner ${flags.partner} has no program ${flags.program}`);
        } else if (kind === "cards") {
          throw new CliError("import cards needs --program", EXIT_USAGE);
        }
        let clients: ClientService | null = null;
        if (kind === "clients") {
          const programs = new ProgramCatalog(database, systemClock);
          programId ??= (await programs.defaultFor(partnerId))?.program.id ?? null;
          if (programId === null) throw new CliError("the partner has no default program: give --program");
          clients = (await clientServices(database, config, programs)).clients;
        }
        const summary = await importFile(kind, database, clients, {
          file,
          partnerId,
          programId,
          chunk: flags.chunk ?? null,
          now: now(),
          progress: progressOn(process.stderr),
          ...(flags.encoding ? { encoding: flags.encoding } : {}),
          ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
          ...(flags.report ? { reportFile: flags.report } : {}),
        });
        const rolledBack =
          summary.rolledBackChunks > 0
            ? `, ${summary.rolledBackChunks} ${flags.chunk === undefined ? "file" : "chunks"} rolled back`
            : "";
        out(
          `${summary.rows} rows read (${summary.encoding}, separator ${JSON.stringify(summary.delimiter)}) in ${summary.seconds.toFixed(1)} s: ${summary.applied} applied (${summary.created} new, ${summary.updated} known), ${summary.rejected} rejected${rolledBack}`,
        );
        if (summary.reportFile) out(`rejected rows: ${summary.reportFile}`);
        if (summary.rejected > 0) throw new CliError(`${summary.rejected} rows rejected`, EXIT_FAILURE);
      }),
    );

  program
    .command("cards:generate")
    .description("generate a batch of cards in a number range, with check digits")
    .requiredOption("--partner <code>", "the partner's code", text)
    .requiredOption("--program <code>", "the program of the cards", text)
    .requiredOption("--prefix <digits>", "the range's prefix, e.g. 46000", text)
    .requiredOption("--count <n>", "how many cards", positiveInteger)
    .option("--from <serial>", "first serial number after the prefix", wholeNumber, 0)
    .option("--length <n>", "digits in a card number, check digit included", positiveInteger, 13)
    .option("--check <scheme>", `check digit: ${CHECK_DIGIT_SCHEMES.join(", ")}`, checkScheme, "ean13")
    .option("--virtual", "virtual cards (issued to clients without a plastic card)", false)
    .action(
      (flags: {
        partner: string;
        program: string;
        prefix: string;
        count: number;
        from: number;
        length: number;
        check: CheckDigitScheme;
        virtual: boolean;
      }) =>
        withDatabase(async (database) => {
          const [{ CardDesk }, { progressOn }] = await Promise.all([
            import("../../modules/cards/index.js"),
            import("../imports.js"),
          ]);
          const partnerId = await partnerIdOf(database, flags.partner);
          const progress = progressOn(process.stderr);
          const batch = await new CardDesk(database, systemClock).generate(
            partnerId,
            flags.program,
            {
              range: { prefix: flags.prefix, length: flags.length, checkDigit: flags.check },
              firstSerial: flags.from,
              count: flags.count,
              virtual: flags.virtual,
            },
            (done) => progress.update(done, done, flags.count),
          );
          progress.done(flags.count);
          out(`${batch.count} cards generated: ${batch.first} … ${batch.last}`);
        }),
    );

  program
    .command("pii:rekey")
    .description("re-encrypt phones and e-mails under PII_KEY (the old key in PII_KEY_PREVIOUS)")
    .action(() =>
      withDatabase(async (database, config) => {
        const { ProgramCatalog } = await import("../../modules/programs/index.js");
        const services = await clientServices(database, config, new ProgramCatalog(database, systemClock));
        const clients = await services.clients.rekey();
        const confirmations = await services.confirmations.rekey();
        out(`re-encrypted ${clients} clients and ${confirmations} confirmations under the current key`);
      }),
    );
}
