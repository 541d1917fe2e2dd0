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
   * false: the commit need not reach the disk before we answer (it survives a process crash, not a power
   * loss until the next durable commit). For soft state such as calculated purchases.
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
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  return dialectOf(url) === "sqlite"
    ? openSqlite(url.slice("sqlite:".length))
    : openPostgres(url, options.poolSize ?? 10);
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
  return {
    dialect: "sqlite",
    db,
    async transaction(work, options = {}) {
      if (options.durable !== false) return db.transaction().execute(work);
      // Pragmas are per connection; holding the connection keeps other transactions out of the window.
      return db.connection().execute(async (conn) => {
        sqlite.pragma("synchronous = NORMAL");
        try {
          return await conn.transaction().execute(work);
        } finally {
          sqlite.pragma("synchronous = FULL");
        }
      });
    },
    forUpdate: (q) => q,
    close: () => db.destroy(),
  };
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

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
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
    close: () => db.destroy(),
  };
}
