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

export interface CheckpointerSettings {
  path: string;
  intervalMs: number;
}

/** One checkpoint that copied pages. */
export interface CheckpointReport {
  /** Pages copied into the database file (about: a log started over between two checkpoints counts less). */
  pages: number;
  /** Pages in the log when it ran. */
  logPages: number;
  ms: number;
}

export interface CheckpointListener {
  onCheckpoint(report: CheckpointReport): void;
  onError(error: Error): void;
}

/** The writer's own threshold while the worker checkpoints: 40 MB of log, ten times SQLite's default. */
export const WRITER_CHECKPOINT_PAGES = 10_000;

export interface WalCheckpointer {
  /** Stops the worker; resolves once its connection is closed, so the writer's close is the last. */
  stop(): Promise<void>;
}

export function startWalCheckpointer(
  settings: CheckpointerSettings,
  listener: CheckpointListener,
): WalCheckpointer {
  const worker = new Worker(new URL("./wal-checkpointer-worker.js", import.meta.url), {
    workerData: settings,
  });
  // The server's lifetime is its listening socket's and its signals', not this thread's.
  worker.unref();
  let failed: Error | null = null;
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (message: CheckpointReport | { error: string }) => {
    if ("error" in message) listener.onError(new Error(`WAL checkpoint failed: ${message.error}`));
    else listener.onCheckpoint(message);
  });
  worker.on("error", (error) => {
    failed = error;
    listener.onError(error);
  });
  return {
    async stop() {
      if (!failed) worker.postMessage("stop");
      await exited;
    },
  };
}
