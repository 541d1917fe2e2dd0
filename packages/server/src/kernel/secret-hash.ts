/**
 * POS secrets and cabinet passwords are stored as scrypt hashes; verification takes constant time.
 *
 * scrypt is deliberately expensive (tens of milliseconds of CPU and 16 MB each), and it runs on libuv's
 * thread pool. Two hundred tills starting at once would queue two hundred of them, take every core from
 * the event loop and make every caller, signed in or not, wait for seconds. So at most one fewer than
 * the cores run at once (one core always serves requests), and when more than a short queue is
 * waiting, a new sign-in is refused at once with `OVERLOADED` and `Retry-After`: the till retries a
 * second later instead of hanging.
 *
 * It runs on worker threads of its own, at most two, not on libuv's pool of four. A thread that has run
 * one keeps its 16 MB in its malloc arena for good (glibc serves blocks of that size from the arena once
 * the first one has been freed), so the pool's threads came to hold 64 MB between them; two workers hold
 * at most 2 × 16 MB and about 10 MB each of their own. Two also bound the CPU that sign-ins can take.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { DomainError } from "./errors.js";

const N = 16_384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

const PARALLEL = Math.min(2, Math.max(1, availableParallelism() - 1));
/** Waiting beyond this would take about a second at tens of milliseconds each: refuse instead. */
const MAX_WAITING = 16 * PARALLEL;
let running = 0;
const waiting: (() => void)[] = [];

/** Runs `work` when a slot is free; a sign-in (`refuseWhenBusy`) is refused rather than queued long. */
async function inTurn<T>(work: () => Promise<T>, refuseWhenBusy: boolean): Promise<T> {
  if (running >= PARALLEL) {
    if (refuseWhenBusy && waiting.length >= MAX_WAITING)
      throw new DomainError("OVERLOADED", "too many sign-ins at once", { retryAfterSeconds: 1 });
    // The finishing call hands its slot over, so `running` stays counted for the woken one.
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else {
    running++;
  }
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

interface ScryptOptions {
  N: number;
  r: number;
  p: number;
}

/** CommonJS, evaluated: the worker needs no file of its own next to the compiled code. */
const SCRYPT_WORKER = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
parentPort.on("message", ({ secret, salt, keyLength, options }) => {
  try {
    parentPort.postMessage({ key: scryptSync(secret, salt, keyLength, options) });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});`;

/** Started on first use, at most PARALLEL (inTurn runs no more at once); an idle one keeps no command alive. */
const idleWorkers: Worker[] = [];

function scrypt(secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  const worker = idleWorkers.pop() ?? new Worker(SCRYPT_WORKER, { eval: true });
  worker.ref();
  return new Promise((resolve, reject) => {
    const onMessage = (answer: { key?: Uint8Array; error?: string }) => {
      worker.off("error", onError);
      worker.unref();
      idleWorkers.push(worker);
      if (answer.key) resolve(Buffer.from(answer.key.buffer, answer.key.byteOffset, answer.key.byteLength));
      else reject(new Error(`scrypt: ${answer.error}`));
    };
    // A worker that failed is gone: the next call starts another.
    const onError = (error: Error) => {
      worker.off("message", onMessage);
      reject(error);
    };
    worker.once("message", onMessage);
    worker.once("error", onError);
    worker.postMessage({ secret, salt, keyLength, options });
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  // Setting a secret (an operator, the command line) waits its turn however long the queue.
  const key = await inTurn(() => scrypt(secret, salt, KEY_LENGTH, { N, r: R, p: P }), false);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !key) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await inTurn(
    () =>
      scrypt(secret, Buffer.from(salt, "base64url"), expected.length, {
        N: Number(n),
        r: Number(r),
        p: Number(p),
      }),
    true,
  );
  return timingSafeEqual(actual, expected);
}
