/**
 * What every command group shares: exit codes, the error a command throws for a one-line answer, option
 * parsers, and the database a command works on.
 *
 * Exit codes: 0 done; 1 the command was understood but failed (something already exists or is missing,
 * the database is in use or unreachable, the port is taken, the ledger is off); 2 the command line or the
 * configuration is wrong (unknown command or flag, a missing or invalid value).
 *
 * The command files import what their commands run inside the commands' actions (`await import`), and so
 * does this one: `kopilka --help`, a typo or a quick command then loads a few modules instead of the
 * whole server, which took over a second before anything happened.
 */
import { type Command, InvalidArgumentError } from "commander";
import { type Config, ConfigError, loadConfig } from "../infra/config.js";
import type { Database } from "../infra/db/database.js";
import { DomainError } from "../kernel/errors.js";
import { systemClock } from "../kernel/index.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A command's answer to a mistake or a refusal: one line per entry of `lines`, then the exit code. */
export class CliError extends Error {
  readonly lines: string[];
  constructor(
    lines: string | string[],
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    const all = typeof lines === "string" ? [lines] : lines;
    super(all.join("\n"));
    this.name = "CliError";
    this.lines = all;
  }
}

/** A command group registers its commands on the program; main.ts lists the groups. */
export type CommandGroup = (program: Command) => void;

/** How an error ends the process: the lines to print on stderr and the exit code. */
export async function describeFailure(
  error: unknown,
  showStack: boolean,
): Promise<{ lines: string[]; exitCode: number }> {
  if (error instanceof CliError) return { lines: error.lines, exitCode: error.exitCode };
  if (error instanceof ConfigError)
    return {
      lines: ["invalid configuration:", ...error.problems.map((p) => `  ${p}`)],
      exitCode: EXIT_USAGE,
    };
  if (error instanceof DomainError) {
    // Bad input is a usage mistake; anything the data refused (exists, missing, conflicts) is a failure.
    const { ERROR_CATALOGUE } = await import("@kopilka/contract");
    const status = ERROR_CATALOGUE[error.code]?.status ?? 500;
    return {
      lines: [`${error.message} (${error.code})`],
      exitCode: status === 400 ? EXIT_USAGE : EXIT_FAILURE,
    };
  }
  const e = error as { message?: string; code?: string; stack?: string };
  const lines = [`failed: ${e.message ?? String(error)}${e.code ? ` (${e.code})` : ""}`];
  if (showStack && e.stack) lines.push(e.stack);
  else lines.push("(set LOG_LEVEL=debug to see where)");
  return { lines, exitCode: EXIT_FAILURE };
}

/** Option parser: a non-empty value that is not the next flag (`--code --name x` forgot the code). */
export function text(value: string): string {
  const trimmed = value.trim();
  if (trimmed === "") throw new InvalidArgumentError("it must not be empty.");
  if (trimmed.startsWith("--"))
    throw new InvalidArgumentError("it looks like the next flag: the value is missing.");
  return trimmed;
}

/** Option parser for secrets: anything non-empty, taken as it is. */
export function secretText(value: string): string {
  if (value === "") throw new InvalidArgumentError("it must not be empty.");
  return value;
}

export const now = (): number => systemClock.now();

export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Progress and notes for the person at the terminal; stdout stays for the command's answer. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Opens the configured database for one command. Unless told otherwise it first applies pending
 * migrations (and says so on stderr), so a command never runs against an older schema.
 */
export async function withDatabase<T>(
  work: (database: Database, config: Config) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const cfg = loadConfig();
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([
    import("../infra/db/database.js"),
    import("../infra/db/migrate.js"),
  ]);
  const database = openDatabase(cfg.databaseUrl, { poolSize: 2 });
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(database);
      if (applied.length > 0) note(`database migrated: ${applied.join(", ")}`);
    }
    return await work(database, cfg);
  } finally {
    await database.close();
  }
}
