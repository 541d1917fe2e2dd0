/**
 * The embedded database's soft-write thread: a worker with a writer connection of its own that runs the
 * inserts written behind their answer (`Database.insertWithChildren` with `durable: false`: calculated
 * purchases and their events).
 *
 * better-sqlite3 runs every statement on the calling thread. In a server that thread is the event loop:
 * the bench's profile of calculate showed a fifth of its time in those inserts and their commits, while
 * the machine's other core sat mostly idle. On this thread they run beside the event loop, which only
 * hands the rows over. Calculate at full load rose by 12 to 19 % (bench, interleaved runs).
 *
 * The committed reads of the hot path stay on the event loop: run here as well, each read's answer came
 * a turn later, and the loop waited for them (calculate fell below where it was).
 *
 * The database's rules do not change. The thread's inserts take the write lock in turn with the event
 * loop's transactions (the group commit hands it the turn and waits for it, `GroupCommit.runAlone`, so the
 * two never wait on each other's lock), and commit without an fsync like every soft batch: they survive a
 * crash of the process, and the next durable commit of any connection makes them durable.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ParentChildInsert, ParentChildOutcome } from "./fixed-inserts.js";

export interface SoftWriteSettings {
  path: string;
  /** The thread's writer checkpoints the log past this many pages, as the event loop's writer does. */
  checkpointPages: number;
}

export type SoftWriteRequest = { id: number; plan: ParentChildInsert } | "close";

export type SoftWriteReply =
  | { id: number; outcome: ParentChildOutcome }
  | { id: number; error: { code?: string; message: string } };

/** How long `close` waits for the thread to close its connection before it ends the thread. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The worker runs from the compiled module beside this one (dist/, or build/ for the bench tools). Tests run
 * the TypeScript sources, which a worker thread cannot load: they start the compiled worker, which
 * `npm test` builds first.
 */
function workerUrl(): URL {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new URL("./soft-write-worker.js", here);
  const compiled = new URL("../../../dist/infra/db/soft-write-worker.js", here);
  if (!existsSync(fileURLToPath(compiled)))
    throw new Error(`${fileURLToPath(compiled)} is missing: build the server first (npm run build)`);
  return compiled;
}

interface Waiting {
  resolve: (outcome: ParentChildOutcome) => void;
  reject: (error: unknown) => void;
}

export class SoftWriteThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly settings: SoftWriteSettings) {}

  /** One transaction of the thread's own, without an fsync. */
  insertWithChildren(plan: ParentChildInsert): Promise<ParentChildOutcome> {
    if (this.closed) return Promise.reject(threadError("the database is closed"));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The thread keeps the process alive only while a write waits for it, as a socket would.
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, plan } satisfies SoftWriteRequest);
    });
  }

  /** Closes the thread's connection and ends it; writes asked for later fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.ref();
    worker.postMessage("close" satisfies SoftWriteRequest);
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl(), { workerData: this.settings });
    worker.unref();
    worker.on("message", (reply: SoftWriteReply) => this.settle(reply));
    // An error the thread did not catch ends it: the writes waiting on it fail as an outage, and the next
    // write starts a new thread.
    worker.on("error", (error) =>
      this.failAll(worker, threadError(`the soft-write thread failed: ${error}`)),
    );
    worker.on("exit", (code) => this.failAll(worker, threadError(`the soft-write thread ended (${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: SoftWriteReply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker?.unref();
    if ("error" in reply)
      waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else waiting.resolve(reply.outcome);
  }

  private failAll(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}

/** Classed with SQLite's I/O errors, so that callers treat it as an outage: retryable. */
function threadError(message: string): Error {
  return Object.assign(new Error(message), { code: "SQLITE_IOERR_THREAD" });
}
