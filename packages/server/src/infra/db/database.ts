/**
 * One query layer (Kysely) over the embedded SQLite database and PostgreSQL. Everything dialect-specific
 * lives here: connecting, pragmas, row locks, durability per transaction, and retries of transactions the
 * database aborted to resolve contention.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import {
  Kysely,
  PostgresDialect,
  type SelectQueryBuilder,
  type SqliteDatabase,
  SqliteDialect,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import type { DatabaseSchema } from "./schema.js";

export type Dialect = "sqlite" | "postgres";
export type Db = Kysely<DatabaseSchema>;
export type Trx = Transaction<DatabaseSchema>;
/** Anything that runs queries: the database itself or an open transaction. */
export type Executor = Kysely<DatabaseSchema>;

export interface TransactionOptions {
  /**
   * PostgreSQL: false commits without waiting for the WAL flush (the commit survives a server crash
   * of our process, not a database crash until the next flush). For soft state such as calculated
   * purchases. SQLite ignores it: every transaction there is group-committed durably.
   */
  durable?: boolean;
}

export interface Database {
  readonly dialect: Dialect;
  readonly db: Db;
  transaction<T>(work: (trx: Trx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Row lock on PostgreSQL; SQLite transactions already run one at a time on the single writer. */
  forUpdate<O>(
    query: SelectQueryBuilder<DatabaseSchema, keyof DatabaseSchema, O>,
  ): SelectQueryBuilder<DatabaseSchema, keyof DatabaseSchema, O>;
  /** One trivial round trip: throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// bigint columns carry kopecks, points and epoch ms, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function dialectOf(url: string): Dialect {
  return url.startsWith("sqlite:") ? "sqlite" : "postgres";
}

export interface OpenOptions {
  poolSize?: number;
  /** Told when the server drops an idle pooled connection (restart, failover); the pool replaces it. */
  onConnectionLost?: (error: Error) => void;
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  return dialectOf(url) === "sqlite"
    ? openSqlite(url.slice("sqlite:".length))
    : openPostgres(url, options.poolSize ?? 10, options.onConnectionLost ?? (() => {}));
}

function openSqlite(path: string): Database {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("cache_size = -65536");
  const db = new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  const commits = new GroupCommit(db);
  return {
    dialect: "sqlite",
    db,
    transaction: (work) => commits.run(work),
    forUpdate: (q) => q,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await commits.idle();
      await db.destroy();
    },
  };
}

interface Unit {
  work: (trx: Trx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 64;

/**
 * Group commit for the embedded database. SQLite has one writer and every durable COMMIT costs an fsync,
 * so transactions that arrive while one is running are queued and run one after another inside a single
 * database transaction, each in its own savepoint, then committed together: one fsync for the batch.
 * A unit that throws is rolled back to its savepoint alone and its caller gets the error at once; the
 * others learn of their success only after the COMMIT has reached the disk, so nothing is acknowledged
 * before it is durable. At low load a batch holds a single unit and nothing waits.
 */
class GroupCommit {
  private readonly queue: Unit[] = [];
  private running = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  run<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        this.drained = this.drain();
      }
    });
  }

  async idle(): Promise<void> {
    while (this.running) await this.drained;
  }

  private async drain(): Promise<void> {
    // `running` must drop in the same synchronous step as the last look at the queue (no await between):
    // a caller resumed by this batch's answers may queue its next unit before any later callback runs.
    try {
      while (this.queue.length > 0) await this.runBatch();
    } finally {
      this.running = false;
    }
  }

  private async runBatch(): Promise<void> {
    const batch: Unit[] = [];
    const succeeded: { unit: Unit; value: unknown }[] = [];
    const refused = new Set<Unit>();
    let trx: Awaited<ReturnType<ReturnType<Db["startTransaction"]>["execute"]>> | null = null;
    try {
      trx = await this.db.startTransaction().execute();
      // Units queued while this batch runs join it, up to MAX_BATCH.
      while (this.queue.length > 0 && batch.length < MAX_BATCH) {
        const unit = this.queue.shift()!;
        batch.push(unit);
        const inUnit = await trx.savepoint("unit").execute();
        try {
          const value = await unit.work(inUnit);
          await inUnit.releaseSavepoint("unit").execute();
          succeeded.push({ unit, value });
        } catch (error) {
          const undone = await inUnit.rollbackToSavepoint("unit").execute();
          await undone.releaseSavepoint("unit").execute();
          refused.add(unit);
          unit.reject(error);
        }
      }
      await trx.commit().execute();
      for (const { unit, value } of succeeded) unit.resolve(value);
    } catch (error) {
      // BEGIN, a savepoint or the COMMIT failed: nothing of this batch is durable. Every unit of the
      // batch not yet told its fate fails with it, so no caller waits forever.
      if (trx)
        await trx
          .rollback()
          .execute()
          .catch(() => {});
      for (const unit of batch) if (!refused.has(unit)) unit.reject(error);
      // If not even BEGIN worked, the database is unusable: fail the waiting calls instead of spinning.
      if (batch.length === 0) for (const unit of this.queue.splice(0)) unit.reject(error);
    }
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point query. The
 * statements are reused instead (a Map in insertion order is the LRU). Reuse is safe: the driver runs a
 * statement to completion synchronously before it can be handed out again.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = sqlite.prepare(text);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

const RETRYABLE_PG_CODES = new Set(["40001", "40P01"]);

function openPostgres(url: string, poolSize: number, onConnectionLost: (error: Error) => void): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client whose connection the server ends emits an error on the pool; without a listener
  // that error would crash the process. The pool discards the client and opens a new one when needed.
  pool.on("error", onConnectionLost);
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
  return {
    dialect: "postgres",
    db,
    // Work functions touch nothing but the database, so replaying one after a deadlock or a
    // serialization failure is safe.
    async transaction(work, options = {}) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            if (options.durable === false) await sql`set local synchronous_commit = off`.execute(trx);
            return work(trx);
          });
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (attempt >= 5 || !code || !RETRYABLE_PG_CODES.has(code)) throw error;
          await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
        }
      }
    },
    forUpdate: (q) => q.forUpdate(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** A unique constraint refused the write (two callers raced to create the same name). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}
