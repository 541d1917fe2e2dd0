/**
 * The embedded database's soft-write thread: a worker with a writer connection of its own that runs the
 * inserts written behind their answer (`Database.insertWithChildren` with `durable: false`: calculated
 * purchases and their events).
 *
 * better-sqlite3 runs every statement on the calling thread. In a server that thread is the event loop:
 * the bench's profile of calculate showed a fifth of its time in those inserts and their commits, while
 * the machine's other core sat mostly idle. On this thread they run beside the event loop, which only
 * hands the rows over. Off by default (SQLITE_SOFT_WRITE_THREAD): ARCHITECTURE.md says why.
 *
 * The committed reads of the hot path stay on the event loop: run here as well, each read's answer came
 * a turn later, and the loop waited for them (calculate fell below where it was).
 *
 * The database's rules do not change. The thread's write takes the write lock in turn with the event
 * loop's connection: the group commit hands it the turn between two batches, holding that connection
 * meanwhile, and waits for it (`GroupCommit.runAlone`), so neither waits on the other's lock. It commits
 * without an fsync like every soft batch (its automatic checkpoint apart): the write survives a crash of
 * the process, and the next durable commit of any connection makes it durable.
 *
 * When the thread cannot take a write (it could not start, or it failed or ended), the write fails with
 * `SoftWriteThreadFailure` and the caller makes it on the event loop instead; the thread is tried again
 * after RETRY_AFTER_FAILURE_MS.
 */
import { existsSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ParentChildInsert, ParentChildOutcome } from "./fixed-inserts.js";
import { endWorker } from "./worker-end.js";

export interface SoftWriteSettings {
  path: string;
  /** The thread's writer checkpoints the log past this many pages. */
  checkpointPages: number;
}

export type SoftWriteRequest = { id: number; plan: ParentChildInsert } | "close";

export type SoftWriteReply =
  | { id: number; outcome: ParentChildOutcome }
  | { id: number; error: { code?: string; message: string } };

/** The thread did not take the write, which was not made: make it another way. */
export class SoftWriteThreadFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SoftWriteThreadFailure";
  }
}

/** How long `close` waits for the thread to close its connection before it ends the thread. */
const CLOSE_TIMEOUT_MS = 5_000;
/** After the thread failed, how long writes are refused at once (made on the event loop) before it is tried again. */
const RETRY_AFTER_FAILURE_MS = 10_000;
/**
 * The thread's heap: it only holds a batch's rows on their way to SQLite (at most 256 calculations,
 * write-behind.ts, well under a megabyte). V8's defaults would let its young generation alone take 32 MB
 * of the server's memory. Should a write need more, the thread ends and the write goes to the event loop.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 24 };

/**
 * The worker's module: the compiled one beside this one (dist/, or build/ for the bench tools). Tests run the
 * TypeScript sources, which a worker thread cannot load: they start the compiled worker, which the
 * repository's `npm test` builds first, and are refused if it is missing or older than its sources.
 */
function softWriteWorkerUrl(): URL {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return new URL("./soft-write-worker.js", here);
  const built = (name: string) => fileURLToPath(new URL(`../../../dist/infra/db/${name}.js`, here));
  const compiled = built("soft-write-worker");
  const stale = ["soft-write-worker", "fixed-inserts"].some(
    (name) =>
      !existsSync(built(name)) ||
      statSync(built(name)).mtimeMs < statSync(fileURLToPath(new URL(`./${name}.ts`, here))).mtimeMs,
  );
  if (stale)
    throw new SoftWriteThreadFailure(`${compiled} is missing or older than its sources: npm run build`);
  return pathToFileURL(compiled);
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
  private failedAt = Number.NEGATIVE_INFINITY;

  /** `onFailure`: told once per failure of the thread (the writes then go to the event loop for a while). */
  constructor(
    private readonly settings: SoftWriteSettings,
    private readonly onFailure: (error: Error) => void = () => {},
    private readonly workerUrl: () => URL = softWriteWorkerUrl,
  ) {}

  /** One transaction of the thread's own, without an fsync. */
  insertWithChildren(plan: ParentChildInsert): Promise<ParentChildOutcome> {
    if (this.closed) return Promise.reject(new SoftWriteThreadFailure("the soft-write thread is closed"));
    if (performance.now() - this.failedAt < RETRY_AFTER_FAILURE_MS)
      return Promise.reject(new SoftWriteThreadFailure("the soft-write thread failed a moment ago"));
    let worker: Worker;
    try {
      worker = this.started();
    } catch (error) {
      return Promise.reject(this.failed(error));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // The thread keeps the process alive only while a write waits for it, as a socket would.
      if (this.waiting.size === 1) worker.ref();
      try {
        worker.postMessage({ id, plan } satisfies SoftWriteRequest);
      } catch (error) {
        // A value that cannot be handed to a thread: this write only.
        this.settle({ id, error: { message: `the write could not be handed to the thread: ${error}` } });
      }
    });
  }

  /** Closes the thread's connection and ends it; writes asked for later fail. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    await endWorker(worker, "close" satisfies SoftWriteRequest, exited, CLOSE_TIMEOUT_MS);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerUrl(), {
      workerData: this.settings,
      resourceLimits: RESOURCE_LIMITS,
    });
    worker.unref();
    worker.on("message", (reply: SoftWriteReply) => this.settle(reply));
    // The waiting writes fail once the thread has ended, not at its error: until then it may still hold
    // the write lock, and the next batch of the event loop would wait on it.
    let error: unknown = null;
    worker.on("error", (e) => {
      error = e;
    });
    // A reply that cannot be read leaves a write unanswered: end the thread, which fails them all.
    worker.on("messageerror", () => void worker.terminate());
    worker.on("exit", (code) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.closed && this.waiting.size === 0) return;
      const failure = this.failed(error ?? new Error(`the soft-write thread ended (exit code ${code})`));
      const waiting = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of waiting) w.reject(failure);
    });
    this.worker = worker;
    return worker;
  }

  private failed(cause: unknown): SoftWriteThreadFailure {
    this.failedAt = performance.now();
    const failure =
      cause instanceof SoftWriteThreadFailure
        ? cause
        : new SoftWriteThreadFailure(`the soft-write thread failed: ${cause}`, { cause });
    this.onFailure(failure);
    return failure;
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
}
