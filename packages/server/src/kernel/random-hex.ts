import { randomFillSync } from "node:crypto";

/**
 * Random bytes from the system's cryptographic generator, as hex, drawn from a pool filled 4 KB at a time.
 * A get_discount draws ten transaction codes: one `randomBytes` call each cost 6 % of the server's CPU in
 * the bench, most of it the call into the generator, not the bytes. Node's `randomUUID` pools the same way.
 * Every byte is used once, so the values are as unguessable as `randomBytes` gives.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

export function randomHex(bytes: number): string {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes > POOL_BYTES)
    throw new RangeError(`randomHex: ${bytes} bytes`);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const hex = pool.toString("hex", used, used + bytes);
  used += bytes;
  return hex;
}
