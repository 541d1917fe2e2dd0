/**
 * The worker of `SoftWriteThread` (soft-write-thread.ts): a writer connection of its own, opened on the
 * first write, that runs each write in a transaction of its own, one at a time, in the order they came.
 */
import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { childStatements, type ParentChildInsert, parentStatements } from "./fixed-inserts.js";
import type { SoftWriteReply, SoftWriteRequest, SoftWriteSettings } from "./soft-write-thread.js";

const { path, checkpointPages } = workerData as SoftWriteSettings;
const port = parentPort!;

/** Statements prepared once per text: a few per table (fixed-inserts.ts); the least used go past this. */
const STATEMENT_CACHE_SIZE = 100;
const statements = new Map<string, SQLite.Statement>();
let writer: SQLite.Database | null = null;

function opened(): SQLite.Database {
  const connection = new SQLite(path, { fileMustExist: true });
  try {
    // Soft writes only: no fsync at commit; the next durable commit of any connection syncs the log.
    connection.pragma("synchronous = NORMAL");
    connection.pragma("foreign_keys = ON");
    connection.pragma("busy_timeout = 5000");
    connection.pragma(`wal_autocheckpoint = ${checkpointPages}`);
    // Inserts only: the B-trees' upper levels and a batch's dirty pages.
    connection.pragma("cache_size = -2048");
  } catch (error) {
    connection.close();
    throw error;
  }
  return connection;
}

function statement(text: string): SQLite.Statement {
  writer ??= opened();
  let prepared = statements.get(text);
  if (prepared) statements.delete(text);
  else {
    if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
    prepared = writer.prepare(text);
  }
  // A Map keeps insertion order: the least recently used is first.
  statements.set(text, prepared);
  return prepared;
}

function insertWithChildren(plan: ParentChildInsert) {
  statement("begin immediate").run();
  try {
    const returned: Record<string, unknown>[] = [];
    for (const { text, values } of parentStatements(plan))
      returned.push(...(statement(text).all(values) as Record<string, unknown>[]));
    const { statements: children, outcome } = childStatements(plan, returned);
    for (const { text, values } of children) statement(text).run(values);
    statement("commit").run();
    return outcome;
  } catch (error) {
    abandonTransaction();
    throw error;
  }
}

/**
 * Rolls back a write that failed. Should the rollback fail too, the connection is closed, which ends the
 * transaction: a write lock left held would make every later write, this thread's and the event loop's,
 * wait for it.
 */
function abandonTransaction(): void {
  if (!writer?.inTransaction) return;
  try {
    statement("rollback").run();
  } catch {
    // Closed below.
  }
  if (writer.inTransaction) {
    statements.clear();
    writer.close();
    writer = null;
  }
}

port.on("message", (request: SoftWriteRequest) => {
  if (request === "close") {
    writer?.close();
    port.close();
    return;
  }
  let reply: SoftWriteReply;
  try {
    reply = { id: request.id, outcome: insertWithChildren(request.plan) };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    reply = {
      id: request.id,
      error: { code: typeof code === "string" ? code : undefined, message: String(message ?? error) },
    };
  }
  port.postMessage(reply);
});
