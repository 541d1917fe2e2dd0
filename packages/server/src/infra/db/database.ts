/**
 * One query layer (Kysely) over the embedded SQLite database and PostgreSQL. Everything dialect-specific
 * lives here: connecting, pragmas, row locks, durability per transaction, retries of transactions the
 * database aborted to resolve contention, and outages: an error that means "the database cannot be
 * reached right now" surfaces as `DatabaseUnavailableError`, whichever query met it, and never ends the
 * process.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setImmediate as endOfTurn } from "node:timers/promises";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type SelectQueryBuilder,
  type SqliteDatabase,
  SqliteDialect,
  sql,
  type Transaction,
} from "kysely";
import pg from "pg";
import { DomainError } from "../../kernel/errors.js";
import {
  childStatements,
  type ParentChildInsert,
  type ParentChildOutcome,
  parentStatements,
} from "./fixed-inserts.js";
import { rawRows } from "./raw.js";
import type { DatabaseSchema } from "./schema.js";
import { SoftWriteThread, SoftWriteThreadFailure } from "./soft-write-thread.js";
import {
  type CheckpointListener,
  SQLITE_CHECKPOINT_PAGES,
  startWalCheckpointer,
  type WalCheckpointer,
  WRITER_CHECKPOINT_PAGES,
} from "./wal-checkpointer.js";

export type Dialect = "sqlite" | "postgres";
export type Db = Kysely<DatabaseSchema>;
export type Trx = Transaction<DatabaseSchema>;
/** Anything that runs queries: the database itself or an open transaction. */
export type Executor = Kysely<DatabaseSchema>;

export interface TransactionOptions {
  /**
   * PostgreSQL: false commits without waiting for the WAL flush (the commit survives a server crash
   * of our process, not a database crash until the next flush). For soft state such as calculated
   * purchases. SQLite: the transaction commits in a batch of soft transactions without an fsync (see
   * GroupCommit), or on the soft-write thread (`insertWithChildren`): it survives a crash of the process,
   * and the next durable commit makes it durable.
   */
  durable?: boolean;
}

export interface Database {
  readonly dialect: Dialect;
  readonly db: Db;
  transaction<T>(work: (trx: Trx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Row lock on PostgreSQL; SQLite transactions already run one at a time on the single writer.
   * `skipLocked`: a row another transaction holds is left out instead of waited for (background work
   * that comes back to it later).
   */
  forUpdate<O>(
    query: SelectQueryBuilder<DatabaseSchema, keyof DatabaseSchema, O>,
    options?: { skipLocked?: boolean },
  ): SelectQueryBuilder<DatabaseSchema, keyof DatabaseSchema, O>;
  /**
   * A read of committed data outside any transaction, prepared once per process: the hot path's point
   * lookups, without the query builder's cost per call. `text` uses `?` placeholders and the column names
   * both dialects share. On SQLite it runs on a read-only connection of its own (WAL lets it read while
   * the writer's batch is open, and it never sees that batch before its commit); on PostgreSQL it is a
   * named prepared statement on the pool. The same text gives the same prepared read: ask on every call.
   */
  prepareRead<R>(text: string): PreparedRead<R>;
  /**
   * Rows inserted unless their unique key is taken, each with one dependent row, in one transaction
   * (fixed-inserts.ts): calculations written behind their answer. On SQLite with the soft-write thread
   * (`OpenOptions`), a soft one runs there, or in the group commit when the thread cannot take it.
   */
  insertWithChildren(plan: ParentChildInsert, options?: TransactionOptions): Promise<ParentChildOutcome>;
  /** One trivial round trip: throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type PreparedRead<R> = (parameters: readonly unknown[]) => Promise<R[]>;

/** One prepared read per text and database: callers may ask for it on every call. */
function memoized(prepare: <R>(text: string) => PreparedRead<R>): <R>(text: string) => PreparedRead<R> {
  const reads = new Map<string, PreparedRead<unknown>>();
  return <R>(text: string) => {
    let read = reads.get(text);
    if (!read) {
      read = prepare<unknown>(text);
      reads.set(text, read);
    }
    return read as PreparedRead<R>;
  };
}

// bigint columns carry kopecks, points and epoch ms, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/** How long a caller should wait before retrying a call that met an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 1;

/**
 * The database cannot be reached right now (restart, failover, network, exhausted connections, a locked
 * file): the call was not acknowledged, and retrying the same request later is safe, since every
 * mutating call is idempotent. Surfaces answer it as a retryable 503 `DATABASE_UNAVAILABLE`.
 */
export class DatabaseUnavailableError extends DomainError {
  constructor(override readonly cause: unknown) {
    super("DATABASE_UNAVAILABLE", `the database is unavailable: ${describe(cause)}`, {
      retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS,
    });
    this.name = "DatabaseUnavailableError";
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Network errors of the socket to PostgreSQL. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL SQLSTATEs of an outage: class 08 (connection exception), 57P01 admin shutdown (`pg_ctl stop
 * -m fast`), 57P02 crash shutdown (`-m immediate`, a crashed backend), 57P03 cannot connect now (starting
 * up, shutting down, in recovery), 53300 too many connections. Everything else is a real fault.
 */
function isOutageSqlState(code: string): boolean {
  return (
    code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"
  );
}

/** What node-postgres and its pool say when the connection is gone or cannot be had in time. */
const OUTAGE_MESSAGES = [
  "Connection terminated",
  "connection timeout",
  "timeout exceeded when trying to connect",
  "timeout expired",
  "is not queryable",
  "Client was closed",
  "the database system is",
  "terminating connection due to",
];

/** True when an error of the PostgreSQL driver means an outage rather than a fault of the query. */
export function isPostgresOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (NETWORK_ERROR_CODES.has(code) || isOutageSqlState(code))) return true;
  return OUTAGE_MESSAGES.some((m) => error.message.includes(m));
}

/**
 * SQLite result codes of a database that cannot take the call right now: another process holds the file
 * past busy_timeout (SQLITE_BUSY), the disk failed or is full (SQLITE_IOERR_*, SQLITE_FULL), the file
 * cannot be opened. Constraint and schema errors stay faults.
 */
export function isSqliteOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    (code.startsWith("SQLITE_BUSY") ||
      code.startsWith("SQLITE_IOERR") ||
      code === "SQLITE_FULL" ||
      code.startsWith("SQLITE_CANTOPEN"))
  );
}

function asOutage(error: unknown, isOutage: (e: unknown) => boolean): unknown {
  return error instanceof DatabaseUnavailableError || !isOutage(error)
    ? error
    : new DatabaseUnavailableError(error);
}

/** `Database.insertWithChildren` inside a transaction of the query layer. */
async function insertWithChildrenIn(trx: Trx, plan: ParentChildInsert): Promise<ParentChildOutcome> {
  const returned: Record<string, unknown>[] = [];
  for (const { text, values } of parentStatements(plan))
    returned.push(...(await rawRows<Record<string, unknown>>(trx, text, values)));
  const { statements, outcome } = childStatements(plan, returned);
  for (const { text, values } of statements) await rawRows(trx, text, values);
  return outcome;
}

export function dialectOf(url: string): Dialect {
  return url.startsWith("sqlite:") ? "sqlite" : "postgres";
}

export interface OpenOptions {
  poolSize?: number;
  /**
   * Told when PostgreSQL drops a pooled connection (restart, failover), idle or held by a call; the call
   * fails with `DatabaseUnavailableError` and the pool replaces the connection.
   */
  onConnectionLost?: (error: Error) => void;
  /**
   * SQLite: checkpoint the write-ahead log on a worker thread every `intervalMs` instead of on the
   * committing connection (wal-checkpointer.ts); for a server process, whose writer is its event loop.
   */
  walCheckpoints?: { intervalMs: number } & CheckpointListener;
  /**
   * SQLite: run soft `insertWithChildren` on a thread of their own (soft-write-thread.ts); for a server
   * process, whose event loop is the writer. Ignored for an in-memory database. `onFailure` is told when
   * the thread fails (the writes are then made on the event loop for a while); `workerUrl` replaces the
   * worker's module (tests of such failures).
   */
  softWriteThread?: { onFailure?: (error: Error) => void; workerUrl?: () => URL };
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  return dialectOf(url) === "sqlite"
    ? openSqlite(url.slice("sqlite:".length), options)
    : openPostgres(url, options.poolSize ?? 10, options.onConnectionLost ?? (() => {}));
}

function openSqlite(path: string, { walCheckpoints, softWriteThread }: OpenOptions): Database {
  if (path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // 16 MB holds the B-trees' upper levels and a batch's dirty pages; leaf pages of a database of millions
  // of cards miss any page cache that fits a server's memory, and the OS's file cache serves those
  // without counting in the process's RSS. 64 MB was no faster in the bench, and cost 48 MB of RSS. With
  // the soft-write thread the calculations' inserts leave this connection, and 8 MB pays for the thread's
  // memory (the bench's peak RSS: 273 MB without the thread, 289–308 with it and 16 MB, 278 with 8 MB).
  sqlite.pragma(`cache_size = ${softWriteThread ? -8192 : -16384}`);
  let checkpointer: WalCheckpointer | null = null;
  if (walCheckpoints && path !== ":memory:") {
    sqlite.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
    checkpointer = startWalCheckpointer({ path, intervalMs: walCheckpoints.intervalMs }, walCheckpoints, () =>
      sqlite.pragma(`wal_autocheckpoint = ${SQLITE_CHECKPOINT_PAGES}`),
    );
  }
  const db = new Kysely<DatabaseSchema>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  const commits = new GroupCommit(db);
  const softWrites =
    softWriteThread && path !== ":memory:"
      ? new SoftWriteThread(
          { path, checkpointPages: checkpointer ? WRITER_CHECKPOINT_PAGES : SQLITE_CHECKPOINT_PAGES },
          softWriteThread.onFailure,
          softWriteThread.workerUrl,
        )
      : null;
  const insertInBatch = (plan: ParentChildInsert, durable: boolean) =>
    commits.run((trx) => insertWithChildrenIn(trx, plan), durable);
  // Opened on first use: after the migrations, and never for a command that only writes.
  let reader: SQLite.Database | null = null;
  return {
    dialect: "sqlite",
    db,
    transaction: (work, options) => commits.run(work, options?.durable ?? true),
    forUpdate: (q) => q,
    insertWithChildren: (plan, options) => {
      const durable = options?.durable ?? true;
      if (!softWrites || durable) return insertInBatch(plan, durable);
      return commits
        .runAlone(() => softWrites.insertWithChildren(plan))
        .catch((error) =>
          error instanceof SoftWriteThreadFailure
            ? insertInBatch(plan, false)
            : Promise.reject(asOutage(error, isSqliteOutage)),
        );
    },
    prepareRead: memoized(<R>(text: string): PreparedRead<R> => {
      let statement: SQLite.Statement | null = null;
      return (parameters) => {
        try {
          reader ??= path === ":memory:" ? sqlite : openReader(path);
          statement ??= reader.prepare(text);
          return Promise.resolve(statement.all(...parameters) as R[]);
        } catch (error) {
          return Promise.reject(asOutage(error, isSqliteOutage));
        }
      };
    }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await commits.idle();
      await softWrites?.close();
      await checkpointer?.stop();
      if (reader && reader !== sqlite) reader.close();
      await db.destroy();
    },
  };
}

/** The hot path's read connection: committed data only, its own small page cache (the OS caches the file). */
function openReader(path: string): SQLite.Database {
  const reader = new SQLite(path, { fileMustExist: true });
  reader.pragma("query_only = true");
  reader.pragma("busy_timeout = 5000");
  reader.pragma("cache_size = -8192");
  return reader;
}

/** A transaction's work, or work of another connection that runs between batches (`runAlone`). */
type Unit = (
  | { work: (trx: Trx) => Promise<unknown>; durable: boolean }
  | { alone: () => Promise<unknown> }
) & {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};
type Transactional = Extract<Unit, { work: unknown }>;

const MAX_BATCH = 64;
// Compiled once: a unit's savepoint costs two statements, not two built queries.
const SAVEPOINT = CompiledQuery.raw("savepoint unit");
const RELEASE = CompiledQuery.raw("release unit");
const ROLLBACK_TO = CompiledQuery.raw("rollback to unit");

/**
 * Group commit for the embedded database. SQLite has one writer and every durable COMMIT costs an fsync,
 * so transactions that arrive while one is running are queued and run one after another inside a single
 * database transaction, each in its own savepoint, then committed together: one fsync for the batch. A
 * batch commits at the end of the turn of the event loop that began it (one `setImmediate`): the
 * requests that the turn started queue their transactions only after the first one's synchronous work.
 * A unit that throws is rolled back to its savepoint alone and its caller gets the error at once; the
 * others learn of their success only after the COMMIT has reached the disk, so nothing is acknowledged
 * before it is durable. At low load a batch holds a single unit and waits only for the end of its turn.
 *
 * Soft units (`durable: false`: calculations) commit in batches of their own with
 * `synchronous = NORMAL`: no fsync, so they survive a crash of the process but not of the machine, and
 * the next durable commit makes them durable too (the WAL is written in order). SQLite refuses to change
 * the setting inside a transaction, so a batch holds units of one kind: it ends at the first unit of the
 * other kind, which starts the next batch.
 *
 * A unit that runs alone (`runAlone`) is the write of another connection, the soft-write thread's: it runs
 * between two batches and the next batch waits for it, so that neither connection waits on the other's
 * write lock.
 */
class GroupCommit {
  private readonly queue: Unit[] = [];
  private running = false;
  private drained: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {}

  private synchronousFull = true;

  run<T>(work: (trx: Trx) => Promise<T>, durable: boolean): Promise<T> {
    return this.enqueue((resolve, reject) => ({ work, durable, resolve, reject }));
  }

  /**
   * Runs `alone` between two batches, with no transaction of this connection open: for a write of another
   * connection of this process (the soft-write thread's). Had the two overlapped, one would have waited
   * on the other's write lock, and this connection's wait blocks the event loop.
   */
  runAlone<T>(alone: () => Promise<T>): Promise<T> {
    return this.enqueue((resolve, reject) => ({ alone, resolve, reject }));
  }

  private enqueue<T>(
    unit: (resolve: (value: unknown) => void, reject: (error: unknown) => void) => Unit,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(unit(resolve as (value: unknown) => void, reject));
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
    const first = this.queue[0]!;
    if ("alone" in first) {
      this.queue.shift();
      // The connection is held meanwhile, so that a query of the event loop outside any transaction
      // (`database.db`) waits for its turn instead of for the other connection's write lock, which would
      // block the loop. A throw before the work's first await fails the unit, not the queue.
      await this.db
        .connection()
        .execute(async () => first.alone())
        .then(first.resolve, first.reject);
      return;
    }
    const batch: Unit[] = [];
    const succeeded: { unit: Unit; value: unknown }[] = [];
    const refused = new Set<Unit>();
    let trx: Awaited<ReturnType<ReturnType<Db["startTransaction"]>["execute"]>> | null = null;
    const { durable } = first;
    try {
      if (durable !== this.synchronousFull) {
        await sql.raw(`pragma synchronous = ${durable ? "FULL" : "NORMAL"}`).execute(this.db);
        this.synchronousFull = durable;
      }
      trx = await this.db.startTransaction().execute();
      const transaction = trx;
      // Units of the same kind queued while this batch runs join it, up to MAX_BATCH.
      const join = async () => {
        while (this.queue.length > 0 && batch.length < MAX_BATCH && sameKind(this.queue[0]!, durable)) {
          const unit = this.queue.shift() as Transactional;
          batch.push(unit);
          await transaction.executeQuery(SAVEPOINT);
          try {
            const value = await unit.work(transaction);
            await transaction.executeQuery(RELEASE);
            succeeded.push({ unit, value });
          } catch (error) {
            await transaction.executeQuery(ROLLBACK_TO);
            await transaction.executeQuery(RELEASE);
            refused.add(unit);
            unit.reject(error);
          }
        }
      };
      await join();
      if (batch.length < MAX_BATCH) {
        // The requests started in the same turn of the event loop queue their units only after this
        // one's work (SQLite's is synchronous): the commit waits for the end of the turn, so that they
        // share it (its fsync, and the log pages that their rows have in common).
        await endOfTurn();
        await join();
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

/** Whether `unit` may join a batch of transactions of that durability. */
function sameKind(unit: Unit, durable: boolean): unit is Transactional {
  return "work" in unit && unit.durable === durable;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a point query. The
 * statements are reused instead (a Map in insertion order is the LRU). Reuse is safe: the driver runs a
 * statement to completion synchronously before it can be handed out again.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(query: string) {
      // Write transactions take the write lock when they begin: a deferred one that reads first and
      // writes later fails at once (SQLITE_BUSY, not waiting) if another process wrote meanwhile.
      const text = query === "begin" ? "begin immediate" : query;
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text);
      } else {
        statement = outageAware(sqliteCall(() => sqlite.prepare(text)));
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

type SqliteStatement = ReturnType<SqliteDatabase["prepare"]>;

function sqliteCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw asOutage(error, isSqliteOutage);
  }
}

/** A prepared statement whose outage errors (busy, I/O) surface as `DatabaseUnavailableError`. */
function outageAware(statement: SQLite.Statement): SqliteStatement {
  return {
    reader: statement.reader,
    all: (parameters) => sqliteCall(() => statement.all(parameters)),
    run: (parameters) => sqliteCall(() => statement.run(parameters)),
    iterate: (parameters) => sqliteCall(() => statement.iterate(parameters)),
  };
}

const RETRYABLE_PG_CODES = new Set(["40001", "40P01"]);

/**
 * How long opening one connection to PostgreSQL may take before the call is told the database is
 * unavailable (a host that drops packets would otherwise hold it for minutes). Waiting for a free pooled
 * connection under load has no such limit: a burst is served, not refused.
 */
const CONNECT_TIMEOUT_MS = 5_000;

class TimedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super({
      ...(typeof config === "string" ? { connectionString: config } : config),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
  }
}

/** A statement's name on every pooled connection: one per distinct text, however often it is prepared. */
const preparedReads = new Map<string, string>();

function openPostgres(url: string, poolSize: number, onConnectionLost: (error: Error) => void): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    Client: TimedClient,
    // A peer that vanished without closing the socket (failover, network) is noticed, not waited on.
    keepAlive: true,
  });
  // A client whose connection the server ends emits 'error'; an 'error' event with no listener ends the
  // process. The pool listens only while a client is idle, so every client gets its own listener for
  // its whole life, including while a call holds it between two queries (a transaction doing its work).
  // The call itself learns of the loss from its next query; the pool discards the broken client.
  pool.on("connect", (client) => client.on("error", onConnectionLost));
  // The pool re-emits an idle client's error; the client's own listener has already told of it.
  pool.on("error", () => {});
  const db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: outageAwarePool(pool) }) });
  // Work functions touch nothing but the database, so replaying one after a deadlock or a
  // serialization failure is safe.
  const transaction: Database["transaction"] = async (work, options = {}) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(async (trx) => {
          if (options.durable === false) await sql`set local synchronous_commit = off`.execute(trx);
          return work(trx);
        });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= 5 || !code || !RETRYABLE_PG_CODES.has(code)) throw asOutage(error, isPostgresOutage);
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 10));
      }
    }
  };
  return {
    dialect: "postgres",
    db,
    transaction,
    insertWithChildren: (plan, options) => transaction((trx) => insertWithChildrenIn(trx, plan), options),
    forUpdate: (q, options) => (options?.skipLocked ? q.forUpdate().skipLocked() : q.forUpdate()),
    prepareRead: memoized(<R>(text: string): PreparedRead<R> => {
      let n = 0;
      const name = preparedReads.get(text) ?? `read-${preparedReads.size + 1}`;
      preparedReads.set(text, name);
      const query = { name, text: text.replace(/\?/g, () => `$${++n}`) };
      return async (parameters) => {
        try {
          return (await pool.query({ ...query, values: parameters as unknown[] })).rows as R[];
        } catch (error) {
          throw asOutage(error, isPostgresOutage);
        }
      };
    }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

/** Whether the database refused a write because a unique key already holds the value (both dialects). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * The pool as Kysely sees it, with every failure to get a connection or to run a query that means an
 * outage turned into `DatabaseUnavailableError`: whichever code met it (a transaction, a plain read, the
 * readiness probe) sees the same typed error. One wrapper per pg client, since Kysely keys its connection
 * objects by client.
 */
function outageAwarePool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        // biome-ignore lint/suspicious/noExplicitAny: forwards both overloads (text and cursor) unchanged
        query: ((...args: any[]) => {
          const result = (client.query as (...a: unknown[]) => unknown)(...args);
          if (result instanceof Promise)
            return result.catch((error) => Promise.reject(asOutage(error, isPostgresOutage)));
          return result;
        }) as PostgresPoolClient["query"],
        release: () => client.release(),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    async connect() {
      try {
        return wrap(await pool.connect());
      } catch (error) {
        throw asOutage(error, isPostgresOutage);
      }
    },
    end: () => pool.end(),
  };
}
