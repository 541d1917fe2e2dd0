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

/**
 * The log's checkpoint sequence number (header bytes 12–15): the writer increments it when it starts the
 * log over, after a checkpoint has copied all of it. Null when there is no log file.
 */
function logSequence(): number | null {
  let fd: number;
  try {
    fd = openSync(`${path}-wal`, "r");
  } catch {
    return null;
  }
  try {
    const header = Buffer.alloc(16);
    return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : null;
  } finally {
    closeSync(fd);
  }
}

/** The log the last checkpoint saw, and how many of its frames had been copied then. */
let sequenceBefore: number | null = null;
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
  sequenceBefore = sequence;
  copiedBefore = row.checkpointed;
  const report: CheckpointReport = { pages: copied, logPages: row.log, ms };
  port.postMessage(report);
}

const timer = setInterval(run, intervalMs);
port.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  connection.close();
  port.close();
});
