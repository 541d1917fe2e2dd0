/**
 * JSON read from a stream as it arrives, for upload bodies too large to buffer and parse twice: the items of
 * chosen top-level arrays are handed over one by one and never kept, and numbers stay their text
 * (`JsonNumber`), so money is converted exactly from what the client sent, never from a double.
 *
 * Grammar: RFC 8259, plus trailing commas in objects and arrays, which the PharmApi reference server
 * accepts and the protocol's own examples contain. A duplicate key: the last one wins.
 */

/** A JSON number as its text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

export interface JsonStreamOptions {
  /** Top-level keys whose array items are handed to `onItem`; "" streams a root array. */
  streamed: ReadonlySet<string>;
  /** Called for each streamed item in order; may throw to abandon the read. */
  onItem(key: string, item: JsonValue, index: number): void;
}

type Frame =
  | { kind: "object"; value: JsonObject; key: string | null; state: "key" | "colon" | "value" | "comma" }
  | { kind: "array"; value: JsonValue[]; state: "value" | "comma"; streamKey: string | null; count: number };

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Digits, `.`, `e`, `E`, `+`, `-`. */
function isNumberChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    code === 0x2e ||
    code === 0x65 ||
    code === 0x45 ||
    code === 0x2b ||
    code === 0x2d
  );
}

/**
 * Parses text chunks (already decoded) into the root value; streamed arrays are left empty in it.
 * Throws `JsonSyntaxError` on malformed input, whatever `onItem` has seen so far.
 */
export async function parseJsonStream(
  chunks: AsyncIterable<string>,
  options: JsonStreamOptions,
): Promise<JsonValue> {
  const parser = new StreamingJsonParser(options);
  for await (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

export class StreamingJsonParser {
  private buffer = "";
  /** Characters consumed before `buffer`, for error positions. */
  private offset = 0;
  private readonly stack: Frame[] = [];
  private root: { value: JsonValue } | null = null;

  constructor(private readonly options: JsonStreamOptions) {}

  write(chunk: string): void {
    this.buffer += chunk;
    this.consume(false);
  }

  end(): JsonValue {
    this.consume(true);
    if (this.stack.length > 0 || !this.root)
      throw new JsonSyntaxError("unexpected end of input", this.offset);
    return this.root.value;
  }

  private consume(final: boolean): void {
    const text = this.buffer;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const code = text.charCodeAt(i);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) {
        i++;
        continue;
      }
      const c = text[i]!;
      if (this.root && this.stack.length === 0) this.fail("unexpected data after the end", i);
      const frame = this.stack[this.stack.length - 1];
      if (frame?.kind === "object" && frame.state !== "value") {
        if (frame.state === "key") {
          // An empty object, or a trailing comma before the brace.
          if (c === "}") {
            i++;
            this.close();
            continue;
          }
          if (c !== '"') this.fail("expected a property name", i);
          const end = stringEnd(text, i);
          if (end < 0) break;
          frame.key = this.decodeString(text, i, end);
          frame.state = "colon";
          i = end + 1;
          continue;
        }
        if (frame.state === "colon") {
          if (c !== ":") this.fail("expected :", i);
          frame.state = "value";
          i++;
          continue;
        }
        // comma
        if (c === ",") {
          frame.state = "key";
          frame.key = null;
          i++;
          continue;
        }
        if (c === "}") {
          i++;
          this.close();
          continue;
        }
        this.fail("expected , or }", i);
      }
      if (frame?.kind === "array" && frame.state === "comma") {
        if (c === ",") {
          frame.state = "value";
          i++;
          continue;
        }
        if (c === "]") {
          i++;
          this.close();
          continue;
        }
        this.fail("expected , or ]", i);
      }
      // A value is expected here (root, array item, or property value). In an array, a bracket may close
      // it instead: empty, or after a trailing comma.
      if (c === "]" && frame?.kind === "array") {
        i++;
        this.close();
        continue;
      }
      if (c === "{") {
        this.stack.push({
          kind: "object",
          value: {} as JsonObject,
          key: null,
          state: "key",
        });
        i++;
        continue;
      }
      if (c === "[") {
        this.stack.push({
          kind: "array",
          value: [],
          state: "value",
          streamKey: this.streamKeyHere(),
          count: 0,
        });
        i++;
        continue;
      }
      if (c === '"') {
        const end = stringEnd(text, i);
        if (end < 0) break;
        this.emit(this.decodeString(text, i, end));
        i = end + 1;
        continue;
      }
      if (code === 0x2d || (code >= 0x30 && code <= 0x39)) {
        // The characters a number may consist of; the number may go on in the next chunk.
        let end = i + 1;
        while (end < n && isNumberChar(text.charCodeAt(end))) end++;
        if (end === n && !final) break;
        NUMBER.lastIndex = i;
        const match = NUMBER.exec(text);
        if (!match || i + match[0].length !== end) this.fail("malformed number", i);
        this.emit(new JsonNumber(match[0]));
        i = end;
        continue;
      }
      const literal = c === "t" ? "true" : c === "f" ? "false" : c === "n" ? "null" : null;
      if (literal === null) this.fail(`unexpected character ${JSON.stringify(c)}`, i);
      if (n - i < literal.length && !final) {
        if (!literal.startsWith(text.slice(i))) this.fail("unexpected token", i);
        break;
      }
      if (text.slice(i, i + literal.length) !== literal) this.fail("unexpected token", i);
      this.emit(literal === "true" ? true : literal === "false" ? false : null);
      i += literal.length;
    }
    this.buffer = text.slice(i);
    this.offset += i;
    if (final && this.buffer.length > 0) this.fail("unexpected end of input", this.buffer.length);
  }

  /** The streamed key an array opened now belongs to, if its items are to be handed over. */
  private streamKeyHere(): string | null {
    const { streamed } = this.options;
    if (this.stack.length === 0) return streamed.has("") ? "" : null;
    const parent = this.stack[0]!;
    if (
      this.stack.length === 1 &&
      parent.kind === "object" &&
      parent.key !== null &&
      streamed.has(parent.key)
    ) {
      return parent.key;
    }
    return null;
  }

  private close(): void {
    const frame = this.stack.pop()!;
    this.emit(frame.value);
  }

  private emit(value: JsonValue): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.root = { value };
      return;
    }
    if (parent.kind === "array") {
      if (parent.streamKey !== null) this.options.onItem(parent.streamKey, value, parent.count);
      else parent.value.push(value);
      parent.count++;
      parent.state = "comma";
      return;
    }
    const key = parent.key!;
    if (key === "__proto__")
      Object.defineProperty(parent.value, key, { value, enumerable: true, writable: true });
    else parent.value[key] = value;
    parent.state = "comma";
  }

  private decodeString(text: string, start: number, end: number): string {
    // Most strings have no escapes: the text between the quotes is the value, unless it holds a control
    // character, which JSON refuses raw.
    let plain = true;
    for (let i = start + 1; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === 0x5c || code < 0x20) {
        plain = false;
        break;
      }
    }
    if (plain) return text.slice(start + 1, end);
    try {
      return JSON.parse(text.slice(start, end + 1)) as string;
    } catch {
      return this.fail("malformed string", start);
    }
  }

  private fail(message: string, index: number): never {
    throw new JsonSyntaxError(message, this.offset + index);
  }
}

/** Index of the quote closing the string that opens at `start`, or −1 when it is not in `text` yet. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text[j] === "\\"; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** A value's JSON type in words, for messages. */
export function jsonTypeOf(value: JsonValue | undefined): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  if (value instanceof JsonNumber) return "number";
  if (Array.isArray(value)) return "array";
  return typeof value === "string" ? "string" : typeof value === "boolean" ? "boolean" : "object";
}
