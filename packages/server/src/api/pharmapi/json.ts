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
  const string = (): string => {
    i++;
    let out = "";
    for (;;) {
      if (i >= text.length) fail("незакрытая строка");
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
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
            if (!/^[0-9A-Fa-f]{4}$/.test(hex)) fail("неверная escape-последовательность");
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail("неверная escape-последовательность");
        }
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail("управляющий символ в строке");
      out += c;
      i++;
    }
  };
  const number = (): JsonNumber => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
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
        Object.defineProperty(obj, key, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
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

/** JSON text of an answer; a JsonNumber is written as its text (echoed prices and counts keep their scale). */
export function writeJson(value: unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(writeJson).join(",")}]`;
  if (typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${writeJson(v)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}
