/**
 * The worker thread of `startWalCheckpointer` (wal-checkpointer.ts): a connection of its own to the
 * embedded database that runs a passive checkpoint every interval and reports what it copied. A passive
 * checkpoint waits for no reader or writer, so the server's writer keeps committing while it runs.
 */
import { parentPort, workerData } from "node:worker_threads";
import SQLite from "better-sqlite3";
import type { CheckpointerSettings, CheckpointReport } from "./wal-checkpointer.js";

const { path, intervalMs } = workerData as CheckpointerSettings;
const port = parentPort!;
const connection = new SQLite(path, { fileMustExist: true });
// Its own commits would never come, but a connection checkpoints on close when it is the last one: the
// writer's close does that, after this one has stopped.
connection.pragma("wal_autocheckpoint = 0");
const checkpoint = connection.prepare("pragma wal_checkpoint(PASSIVE)");

/** The log's frames, and of them those already copied, as the last checkpoint saw them. */
let logBefore = 0;
let copiedBefore = 0;

function run(): void {
  const started = performance.now();
  let row: { busy: number; log: number; checkpointed: number };
  try {
    row = checkpoint.get() as typeof row;
  } catch (error) {
    // SQLITE_BUSY: another connection is checkpointing; the next interval tries again.
    if ((error as { code?: string }).code === "SQLITE_BUSY") return;
    port.postMessage({ error: String((error as Error).message ?? error) });
    return;
  }
  // The writer starts the log over once all of it is copied: the counts then start from zero.
  const restarted = row.log < logBefore || row.checkpointed < copiedBefore;
  const copied = restarted ? row.checkpointed : row.checkpointed - copiedBefore;
  logBefore = row.log;
  copiedBefore = row.checkpointed;
  if (copied > 0) {
    const report: CheckpointReport = { pages: copied, logPages: row.log, ms: performance.now() - started };
    port.postMessage(report);
  }
}

const timer = setInterval(run, intervalMs);
port.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  connection.close();
  port.close();
});
