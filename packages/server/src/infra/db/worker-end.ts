import type { Worker } from "node:worker_threads";

/**
 * Asks a database worker thread to close its connection and end (`message`), and resolves once it has
 * ended (`exited`); past `timeoutMs` the thread is ended without waiting. The thread is referenced again
 * meanwhile, so that a shutdown waits for it: the event loop's connection should close last.
 */
export async function endWorker(
  worker: Worker,
  message: unknown,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  worker.ref();
  worker.postMessage(message);
  const timer = setTimeout(() => void worker.terminate(), timeoutMs);
  await exited;
  clearTimeout(timer);
}
