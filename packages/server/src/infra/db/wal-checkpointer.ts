/**
 * Checkpoints of the embedded database's write-ahead log on a thread of their own.
 *
 * By default SQLite checkpoints on the committing connection: the commit that brings the log past 1,000
 * pages copies them into the database file and syncs it. In a server that connection is the event loop's,
 * and every request behind that commit waits for the copy, a few milliseconds, often more. So a server
 * process hands checkpoints to a worker thread with a connection of its own, which runs a passive
 * checkpoint every interval: it copies what readers no longer need, waits for no reader or writer, and
 * syncs the file from its own thread. The writer keeps a checkpoint threshold of its own, far above what
 * the worker lets the log reach, as a safety net should the worker stop.
 *
 * Crash safety is SQLite's: a checkpoint only copies committed pages, and the log is kept until they are
 * synced, whichever connection runs it.
 */
import { Worker } from "node:worker_threads";
import { endWorker } from "./worker-end.js";

export interface CheckpointerSettings {
  path: string;
  intervalMs: number;
}

/** One passive checkpoint. */
export interface CheckpointReport {
  /**
   * Pages it copied into the database file: about, as the count is told from the log's own, which
   * starts over with the log.
   */
  pages: number;
  /** Pages in the log when it ran. */
  logPages: number;
  ms: number;
}

export interface CheckpointListener {
  onCheckpoint(report: CheckpointReport): void;
  onError(error: Error): void;
}

/** SQLite's own threshold: the committing connection checkpoints once the log holds this many pages. */
export const SQLITE_CHECKPOINT_PAGES = 1_000;
/** The writer's own threshold while the worker checkpoints: 40 MB of log, ten times SQLite's default. */
export const WRITER_CHECKPOINT_PAGES = 10 * SQLITE_CHECKPOINT_PAGES;

/** How long `stop` waits for the worker to close its connection before it ends the thread. */
const STOP_TIMEOUT_MS = 5_000;

export interface WalCheckpointer {
  /** Stops the worker; resolves once its connection is closed, so the writer's close is the last. */
  stop(): Promise<void>;
}

/**
 * Starts the worker. It runs from the compiled module beside this one (dist/, or build/ for the bench
 * tools), so an in-process test on the TypeScript sources cannot start it: tests drive a real server.
 * If the thread ends without being stopped, the listener is told and `onLost` is called: the writer must
 * checkpoint again itself.
 */
export function startWalCheckpointer(
  settings: CheckpointerSettings,
  listener: CheckpointListener,
  onLost: () => void,
): WalCheckpointer {
  const worker = new Worker(new URL("./wal-checkpointer-worker.js", import.meta.url), {
    workerData: settings,
  });
  // A running server is kept alive by its socket and its signals, not by this thread; `stop` refs it again,
  // so that a shutdown waits for the connection to close.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      if (!stopping) {
        listener.onError(new Error("the WAL checkpoint thread ended: the writer checkpoints again itself"));
        onLost();
      }
      resolve();
    }),
  );
  worker.on("message", (message: CheckpointReport | { error: string }) => {
    if ("error" in message) listener.onError(new Error(`WAL checkpoint failed: ${message.error}`));
    else listener.onCheckpoint(message);
  });
  worker.on("error", (error) => listener.onError(error));
  return {
    async stop() {
      stopping = true;
      await endWorker(worker, "stop", exited, STOP_TIMEOUT_MS);
    },
  };
}
