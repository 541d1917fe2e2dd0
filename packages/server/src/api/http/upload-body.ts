/**
 * Reading a large request body from the raw Node stream, as it arrives: a byte limit of its own (upload
 * routes take far more than the POS routes), the BOM dropped, and the `-encoded` form of the PharmApi
 * protocol (the whole body URL-encoded, `+` for space) decoded on the fly.
 */
import { StringDecoder } from "node:string_decoder";

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the request body exceeds ${limitBytes} bytes`);
  }
}

/** The body's bytes, refusing to read past `limitBytes`. */
export async function* limitedBytes(source: AsyncIterable<Buffer | string>, limitBytes: number) {
  let total = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > limitBytes) throw new BodyTooLargeError(limitBytes);
    yield bytes;
  }
}

const PERCENT = 0x25;
const PLUS = 0x2b;
const SPACE = 0x20;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Form-urlencoding undone byte by byte, as .NET's `WebUtility.UrlDecode` does: `+` is a space, `%XX` a
 * byte, and a `%` not followed by two hex digits stays as it is. A `%` split across chunks waits for the
 * next one.
 */
export async function* urlDecodedBytes(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of source) {
    const input = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const output = Buffer.allocUnsafe(input.length);
    let o = 0;
    let i = 0;
    for (; i < input.length; i++) {
      const b = input[i]!;
      if (b === PLUS) output[o++] = SPACE;
      else if (b === PERCENT) {
        if (i + 2 >= input.length) break;
        const hi = hexValue(input[i + 1]!);
        const lo = hexValue(input[i + 2]!);
        if (hi < 0 || lo < 0) output[o++] = b;
        else {
          output[o++] = hi * 16 + lo;
          i += 2;
        }
      } else output[o++] = b;
    }
    carry = Buffer.from(input.subarray(i));
    if (o > 0) yield output.subarray(0, o);
  }
  // An incomplete escape at the very end is literal text.
  if (carry.length > 0) yield carry;
}

/**
 * Whether a body sent to an `-encoded` path is in fact encoded: it is unless it starts (after
 * whitespace) like the raw document would (`{`, `[`, `<`), which a lenient server reads as is, since
 * decoding raw JSON would turn the `+` of a phone number into a space.
 */
function looksRaw(firstBytes: Buffer): boolean | null {
  for (const b of firstBytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b === 0xef) return true; // a UTF-8 BOM: raw text
    return b === 0x7b || b === 0x5b || b === 0x3c;
  }
  return null;
}

/** The body's bytes, URL-decoded when `maybeEncoded` and it looks encoded. */
export async function* bodyBytes(
  source: AsyncIterable<Buffer | string>,
  options: { limitBytes: number; maybeEncoded: boolean },
): AsyncGenerator<Buffer> {
  const limited = limitedBytes(source, options.limitBytes);
  if (!options.maybeEncoded) {
    yield* limited;
    return;
  }
  // Peek at the first bytes to decide, then hand over the peeked chunks too.
  const peeked: Buffer[] = [];
  let raw: boolean | null = null;
  const iterator = limited[Symbol.asyncIterator]();
  while (raw === null) {
    const next = await iterator.next();
    if (next.done) break;
    peeked.push(next.value);
    raw = looksRaw(next.value);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* peeked;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  }
  if (raw === false) yield* urlDecodedBytes(rest());
  else yield* rest();
}

/** UTF-8 text of a byte stream, chunk by chunk, without its BOM. */
export async function* utf8Text(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  let first = true;
  for await (const chunk of source) {
    let text = decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}

/** The whole body as one buffer (small documents such as the `pl` XML). */
export async function collectBytes(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}
