/** Backups of the embedded database; PostgreSQL has its own tools. */
import type { Command } from "commander";
import { loadConfig } from "../../infra/config.js";
import type { BackupProgress } from "../../infra/db/backup.js";
import { CliError, EXIT_USAGE, note, out } from "../support.js";

/** The backup module, loaded when a backup or restore runs. */
type Backups = typeof import("../../infra/db/backup.js");

const PG_BACKUP =
  'on PostgreSQL use its own tools: pg_dump --format=custom --file=FILE "$DATABASE_URL" (and pg_restore --clean --if-exists --dbname="$DATABASE_URL" FILE to restore)';

async function sqliteDatabasePath({ sqlitePathOf }: Backups): Promise<string> {
  const { databaseUrl } = loadConfig();
  const { dialectOf } = await import("../../infra/db/database.js");
  if (dialectOf(databaseUrl) !== "sqlite")
    throw new CliError(`backup and restore work on the embedded database; ${PG_BACKUP}`, EXIT_USAGE);
  return sqlitePathOf(databaseUrl);
}

/** A bar on a terminal; elsewhere (logs, cron) a plain line at every tenth. */
function progressReporter(): (progress: BackupProgress) => void {
  const terminal = process.stderr.isTTY === true;
  let lastTenth = -1;
  return ({ totalPages, remainingPages }) => {
    const done = totalPages === 0 ? 1 : (totalPages - remainingPages) / totalPages;
    const percent = Math.floor(done * 100);
    if (terminal) {
      const filled = Math.round(done * 30);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${".".repeat(30 - filled)}] ${String(percent).padStart(3)}%  ${totalPages - remainingPages}/${totalPages} pages${remainingPages === 0 ? "\n" : ""}`,
      );
      return;
    }
    const tenth = Math.floor(percent / 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      note(`backup: ${percent}% (${totalPages - remainingPages} of ${totalPages} pages)`);
    }
  };
}

/** Runs a backup or restore with the backup module loaded, its refusals turned into one-line answers. */
async function asCliErrors<T>(work: (backups: Backups) => Promise<T>): Promise<T> {
  const backups = await import("../../infra/db/backup.js");
  try {
    return await work(backups);
  } catch (error) {
    if (error instanceof backups.BackupError) throw new CliError(error.message);
    throw error;
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command("backup")
    .description("copy the embedded database to FILE while servers keep running (a consistent snapshot)")
    .argument("<file>", "where to write the backup")
    .option("--force", "replace FILE if it exists")
    .addHelpText("after", `\nPostgreSQL: ${PG_BACKUP}\n`)
    .action((file: string, options: { force?: boolean }) =>
      asCliErrors(async (backups) => {
        const databasePath = await sqliteDatabasePath(backups);
        const { backupSqlite } = backups;
        const { pages } = await backupSqlite(databasePath, file, {
          overwrite: options.force === true,
          onProgress: progressReporter(),
        });
        out(`backup of ${databasePath} written to ${file} (${pages} pages)`);
      }),
    );

  program
    .command("restore")
    .description(
      "replace the embedded database with a backup; every server using it must be stopped first (the replaced database is kept beside it)",
    )
    .argument("<file>", "a file made by kopilka backup")
    .addHelpText("after", `\nPostgreSQL: ${PG_BACKUP}\n`)
    .action((file: string) =>
      asCliErrors(async (backups) => {
        const databasePath = await sqliteDatabasePath(backups);
        const { restoreSqlite } = backups;
        const { keptAt } = await restoreSqlite(file, databasePath, new Date());
        out(
          `restored ${file} into ${databasePath}${keptAt ? `; the replaced database is kept at ${keptAt}` : ""}`,
        );
      }),
    );
}
