/**
 * The worker thread of `startWalCheckpointer` (wal-checkpointer.ts): a connection of its own to the
 * embedded database that runs a passive checkpoint every interval and reports what it copied. A passive
 * checkpoint waits for no reader or writer, so the server's writer keeps committing while it runs.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";
import type { CheckpointerSettings, CheckpointReport } from "./wal-checkpointer.js";

const { path, intervalMs } = workerData as CheckpointerSettings;
const port = parentPort!;
const connection = new SQLite(path, { fileMustExist: true });
// Said outright rather than left to the build's default: the log is synced before pages are copied out of
// it, and the database file before the log may be started over.
connection.pragma("synchronous = FULL");
const checkpoint = connection.prepare("pragma wal_checkpoint(PASSIVE)");

/** A failure repeats every interval while it lasts (a full disk): it is reported once a minute. */
const ERROR_REPORT_MS = 60_000;
let errorReportedAt = Number.NEGATIVE_INFINITY;

/** The log file, opened once it exists and kept open: the writer keeps it, only starting it over. */
let logFile: number | null = null;
const header = Buffer.alloc(16);

/**
 * The log's checkpoint sequence number (header bytes 12–15): the writer increments it when it starts the
 * log over, after a checkpoint has copied all of it. Null when there is no log file yet.
 */
function logSequence(): number | null {
  try {
    logFile ??= openSync(`${path}-wal`, "r");
    return readSync(logFile, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : null;
  } catch {
    return null;
  }
}

/** The log the last checkpoint saw: its sequence number, its frames and how many of them were copied. */
let sequenceBefore: number | null = null;
let logBefore = 0;
let copiedBefore = 0;

function run(): void {
  const started = performance.now();
  let row: { busy: number; log: number; checkpointed: number };
  try {
    row = checkpoint.get() as typeof row;
  } catch (error) {
    const now = Date.now();
    if (now - errorReportedAt >= ERROR_REPORT_MS) {
      errorReportedAt = now;
      const { code, message } = error as { code?: string; message?: string };
      port.postMessage({ error: `${code ?? "error"}: ${message ?? String(error)}` });
    }
    return;
  }
  // Another connection is checkpointing (-1: no counts): the next interval tries again.
  if (row.log < 0 || row.checkpointed < 0) return;
  const ms = performance.now() - started;
  const sequence = logSequence();
  const sameLog = sequence !== null && sequence === sequenceBefore && row.checkpointed >= copiedBefore;
  const copied = sameLog ? row.checkpointed - copiedBefore : row.checkpointed;
  const logChanged = row.log !== logBefore;
  sequenceBefore = sequence;
  logBefore = row.log;
  copiedBefore = row.checkpointed;
  // An idle database tells the main thread nothing new ten times a second.
  if (copied === 0 && !logChanged) return;
  const report: CheckpointReport = { pages: copied, logPages: row.log, ms };
  port.postMessage(report);
}

const timer = setInterval(run, intervalMs);
port.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  if (logFile !== null) closeSync(logFile);
  connection.close();
  port.close();
});
