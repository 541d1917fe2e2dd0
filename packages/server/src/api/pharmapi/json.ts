/**
 * The PharmApi body as its reference server reads it: JSON with trailing commas allowed (System.Text.Json's
 * AllowTrailingCommas; the docs' examples have them), no comments, the last of duplicate keys winning, and
 * every number kept as the text that was sent, so money converts exactly from what the POS wrote and
 * never through a double. Answers are written with the same number texts echoed back.
 */

/** A JSON number as its text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {}

const MAX_DEPTH = 64;
const MAX_NUMBER = 400;
/** A JSON number at `lastIndex` (sticky). */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9A-Fa-f]{4}$/;

export function parseJson(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} (позиция ${i})`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  // Runs of plain characters are copied as slices, not one character at a time.
  const string = (): string => {
    i++;
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("незакрытая строка");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "/":
            out += "/";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "u": {
            const hex = text.slice(i, i + 4);
            if (!HEX4.test(hex)) fail("неверная escape-последовательность");
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail("неверная escape-последовательность");
        }
        start = i;
        continue;
      }
      if (c < 0x20) fail("управляющий символ в строке");
      i++;
    }
  };
  const number = (): JsonNumber => {
    NUMBER.lastIndex = i;
    let m = NUMBER.exec(text);
    // A number is read from at most MAX_NUMBER characters: a longer one ends there, and what follows is
    // a syntax error. The second match finds where it ends, so the error names the same position as ever.
    if (m && m[0].length > MAX_NUMBER) {
      NUMBER.lastIndex = 0;
      m = NUMBER.exec(text.slice(i, i + MAX_NUMBER));
    }
    if (!m) return fail("неверное число");
    i += m[0].length;
    return new JsonNumber(m[0]);
  };
  const literal = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail("неожиданный символ");
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail("слишком глубокая вложенность");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: { [key: string]: JsonValue } = {};
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("ожидалось имя поля");
        const key = string();
        ws();
        if (text[i] !== ":") fail("ожидалось ':'");
        i++;
        const member = value(depth + 1);
        // An assignment would call the prototype's setter for "__proto__" instead of keeping a field, and
        // would throw for a name the prototype has if it were ever frozen: those are defined.
        if (Object.hasOwn(Object.prototype, key))
          Object.defineProperty(obj, key, {
            value: member,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else obj[key] = member;
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "}") {
            i++;
            return obj;
          }
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("ожидалось ',' или '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") {
            i++;
            return arr;
          }
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("ожидалось ',' или ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    return fail(c === undefined ? "неожиданный конец данных" : "неожиданный символ");
  };
  // A UTF-8 byte order mark is tolerated, as .NET's reader does.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const result = value(0);
  ws();
  if (i < text.length) fail("лишние данные после JSON");
  return result;
}

/** Field names as JSON strings: an answer's names are the protocol's few, quoted once. */
const quotedNames = new Map<string, string>();

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (quotedNames.size < 1024) quotedNames.set(name, quoted);
  }
  return quoted;
}

/** JSON text of an answer; a JsonNumber is written as its text (echoed prices and counts keep their scale). */
export function writeJson(value: unknown): string {
  return jsonText(value) ?? "null";
}

/** Like JSON.stringify, a value without a JSON text (undefined, a function) gives undefined. */
function jsonText(value: unknown): string | undefined {
  if (value instanceof JsonNumber) return value.text;
  if (value === null) return "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let k = 0; k < value.length; k++) {
      if (k > 0) out += ",";
      // As JSON.stringify writes them: what has no JSON text (undefined, a function) is null in a list.
      out += jsonText(value[k]) ?? "null";
    }
    return `${out}]`;
  }
  if (typeof value === "object") {
    let out = "{";
    for (const name in value) {
      if (!Object.hasOwn(value, name)) continue;
      // And a field without a JSON text is left out.
      const member = jsonText((value as Record<string, unknown>)[name]);
      if (member === undefined) continue;
      if (out.length > 1) out += ",";
      out += `${quotedName(name)}:${member}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}
