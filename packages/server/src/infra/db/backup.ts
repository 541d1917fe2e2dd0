/**
 * Backup and restore of the embedded database. A backup uses SQLite's online backup API from a
 * connection of its own, so it runs while servers keep writing: the copy is one consistent snapshot
 * (SQLite restarts a backup that another process wrote under; after one restart the rest is copied in a
 * single step, inside one read transaction, which a WAL database serves without stopping the writers).
 *
 * Restore refuses to replace a database that a server still has open, checks that the file is a Kopilka
 * database this version can run, and swaps it in atomically: the file is copied next to the database,
 * checked there, then renamed over it; the replaced database is kept beside it.
 */
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { knownMigrationNames } from "./migrate.js";

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** Why a backup or restore cannot go ahead; the CLI shows the message as it is. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupError";
  }
}

const REQUIRED_TABLES = ["kysely_migration", "partners", "stores", "pos_credentials", "points_accounts"];
const ALL_AT_ONCE = 0x7fffffff;

export function sqlitePathOf(databaseUrl: string): string {
  return resolve(databaseUrl.slice("sqlite:".length));
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeSidecars(path: string): void {
  for (const suffix of ["-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

export async function backupSqlite(
  databasePath: string,
  backupFile: string,
  options: { overwrite?: boolean; onProgress?: (progress: BackupProgress) => void } = {},
): Promise<{ pages: number }> {
  const target = resolve(backupFile);
  if (!existsSync(databasePath)) throw new BackupError(`there is no database at ${databasePath}`);
  if ([databasePath, `${databasePath}-wal`, `${databasePath}-shm`].includes(target))
    throw new BackupError("the backup file must not be the database itself");
  if (!existsSync(dirname(target))) throw new BackupError(`the directory ${dirname(target)} does not exist`);
  if (existsSync(target) && !options.overwrite)
    throw new BackupError(`${target} already exists; pass --force to replace it`);

  const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  rmSync(partial, { force: true });
  const source = new SQLite(databasePath, { fileMustExist: true });
  let lastRemaining = Number.POSITIVE_INFINITY;
  let pages = 0;
  try {
    source.pragma("busy_timeout = 5000");
    await source.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        options.onProgress?.({ totalPages, remainingPages });
        // No progress since the last step: another process wrote and SQLite started over. Copy the rest
        // in one step so that a steady stream of writes cannot keep the backup from finishing.
        const restarted = remainingPages >= lastRemaining;
        lastRemaining = remainingPages;
        return restarted ? ALL_AT_ONCE : Math.max(100, Math.ceil(totalPages / 40));
      },
    });
    options.onProgress?.({ totalPages: pages, remainingPages: 0 });
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  try {
    // A self-contained file (no -wal beside it), checked before it takes the backup's name.
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      copy.pragma("journal_mode = DELETE");
      checkKopilkaDatabase(copy, databasePath);
    } finally {
      copy.close();
    }
    syncFile(partial);
    renameSync(partial, target);
    syncFile(dirname(target));
  } finally {
    rmSync(partial, { force: true });
    removeSidecars(partial);
  }
  return { pages };
}

/** Throws unless the open file is a sound Kopilka database whose migrations this version knows. */
function checkKopilkaDatabase(db: SQLite.Database, name: string): void {
  let check: unknown;
  try {
    check = db.pragma("quick_check", { simple: true });
  } catch (error) {
    throw new BackupError(`${name} is not an SQLite database (${(error as Error).message})`);
  }
  if (check !== "ok") throw new BackupError(`${name} is damaged: ${String(check)}`);
  const tables = new Set(
    (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    ),
  );
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0)
    throw new BackupError(`${name} is not a Kopilka database (no table ${missing.join(", ")})`);
  const known = new Set(knownMigrationNames());
  const applied = (
    db.prepare("select name from kysely_migration order by name").all() as { name: string }[]
  ).map((r) => r.name);
  const unknown = applied.filter((m) => !known.has(m));
  if (unknown.length > 0)
    throw new BackupError(
      `${name} was made by a newer Kopilka (migrations ${unknown.join(", ")}); restore it with that version`,
    );
}

function isSqliteFile(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 && header.toString("latin1") === "SQLite format 3\u0000";
  } finally {
    closeSync(fd);
  }
}

/**
 * Fails when another connection has the database open. Leaving WAL mode needs the only connection, so a
 * server that has the file open makes it fail at once; when it succeeds, everything the WAL held is in
 * the main file.
 */
function ensureNotInUse(databasePath: string): void {
  const db = new SQLite(databasePath, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 0");
    let mode: unknown;
    try {
      mode = db.pragma("journal_mode = DELETE", { simple: true });
    } catch {
      mode = "busy";
    }
    if (mode !== "delete")
      throw new BackupError(
        `the database ${databasePath} is in use (is a server running?); stop every server that uses it, then restore`,
      );
  } finally {
    db.close();
  }
}

export async function restoreSqlite(
  backupFile: string,
  databasePath: string,
  now: Date,
): Promise<{ keptAt: string | null }> {
  const source = resolve(backupFile);
  if (!existsSync(source)) throw new BackupError(`there is no file ${source}`);
  if (source === databasePath) throw new BackupError("the backup file is the database itself");
  if (!isSqliteFile(source)) throw new BackupError(`${source} is not an SQLite database`);
  mkdirSync(dirname(databasePath), { recursive: true });

  const incoming = join(dirname(databasePath), `.${basename(databasePath)}.restoring-${process.pid}`);
  rmSync(incoming, { force: true });
  removeSidecars(incoming);
  try {
    copyFileSync(source, incoming);
    const copy = new SQLite(incoming, { fileMustExist: true });
    try {
      checkKopilkaDatabase(copy, source);
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    syncFile(incoming);

    let keptAt: string | null = null;
    if (existsSync(databasePath)) {
      ensureNotInUse(databasePath);
      keptAt = `${databasePath}.replaced-${now.toISOString().replace(/[:.]/g, "-")}`;
      renameSync(databasePath, keptAt);
    }
    removeSidecars(databasePath);
    renameSync(incoming, databasePath);
    syncFile(dirname(databasePath));
    return { keptAt };
  } finally {
    rmSync(incoming, { force: true });
    removeSidecars(incoming);
  }
}
