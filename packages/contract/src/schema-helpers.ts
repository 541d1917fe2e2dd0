/** Small TypeBox helpers shared by every surface's schemas. */
import { type Static, type TSchema, Type } from "typebox";
import { ErrorBody } from "./errors.js";

/** Response schemas for the error statuses a route can answer with (400 is always possible). */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([400, ...statuses].map((s) => [s, ErrorBody]));
}

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * A nullable scalar as `type: [T, "null"]`: the serializer handles it directly, whereas `anyOf` makes it
 * validate every value first.
 */
export const NullableScalar = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(
  t: T,
) => Type.Unsafe<Static<T> | null>({ ...t, type: [t.type, "null"] });

// --- Control characters ---------------------------------------------------------------------------------
//
// No text field takes control characters: PostgreSQL refuses NUL (U+0000) outright and the rest are never
// meant in a name, a code or a note. Tab, line feed and carriage return are text and stay allowed. The
// servers add the guard to every string of every request schema (`guardControlCharacters`), so a new
// route is covered without doing anything. A field that legitimately carries some of them (a DataMatrix
// code keeps its GS separators, U+001D) says so with `allowControlCharacters`; all others stay refused.

/** The schema annotation of `allowControlCharacters`: the control characters a string may carry. */
export const ALLOW_CONTROL_CHARACTERS = "x-allow-control-characters";

/** C0 controls except tab, line feed and carriage return, and DEL. */
const REFUSED_CONTROL_CODES: readonly number[] = [
  ...Array.from({ length: 0x20 }, (_, i) => i).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
  0x7f,
];

const hex = (code: number) => `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;

/** `^[^…]*$` over the refused control characters minus the allowed ones, as ranges. */
export function controlCharacterGuardPattern(allowed = ""): string {
  const allowedCodes = new Set([...allowed].map((c) => c.codePointAt(0)));
  const codes = REFUSED_CONTROL_CODES.filter((c) => !allowedCodes.has(c));
  const ranges: string[] = [];
  for (let i = 0; i < codes.length; ) {
    let j = i;
    while (j + 1 < codes.length && codes[j + 1] === codes[j]! + 1) j++;
    ranges.push(j > i ? `${hex(codes[i]!)}-${hex(codes[j]!)}` : hex(codes[i]!));
    i = j + 1;
  }
  return `^[^${ranges.join("")}]*$`;
}

const GUARD_SHAPE = /^\^\[\^(?:\\u00[01][0-9A-F](?:-\\u00[01][0-9A-F])?)*(?:\\u007F)?\]\*\$$/;

/** True for a pattern made by `controlCharacterGuardPattern` (the error messages name the problem). */
export function isControlCharacterGuard(pattern: string): boolean {
  return GUARD_SHAPE.test(pattern);
}

/** Marks a string schema as carrying the given control characters (e.g. "\u001d" for GS); NUL never. */
export function allowControlCharacters<T extends TSchema>(schema: T, characters: string): T {
  if (characters.includes("\u0000")) throw new Error("NUL can never be allowed: PostgreSQL refuses it");
  return { ...schema, [ALLOW_CONTROL_CHARACTERS]: characters };
}

/**
 * True when a regular expression can only match printable ASCII: all its literal characters are
 * printable, and it has no dot, no negated class and no escape that matches a control character. Such a
 * pattern needs no guard beside it. Anything else is guarded, to be safe.
 */
export function patternExcludesControlCharacters(pattern: string): boolean {
  if (/[^\x20-\x7e]/.test(pattern)) return false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      // \d \w \b \B, backreferences \1-\9 and escaped punctuation are safe; \0 \t \n \x \u \s \S \W \D \c are not.
      if (/[A-Za-z0]/.test(next) && !/[dwbB]/.test(next)) return false;
      i++;
    } else if (c === "[") {
      if (!inClass && pattern[i + 1] === "^") return false;
      inClass = true;
    } else if (c === "]") {
      inClass = false;
    } else if (c === "." && !inClass) {
      return false;
    }
  }
  return true;
}

type JsonSchema = Record<string, unknown>;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const SUBSCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"];
const SUBSCHEMAS = [
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
];

function isStringSchema(schema: JsonSchema): boolean {
  const type = schema.type;
  return type === "string" || (Array.isArray(type) && type.includes("string"));
}

function guardString(schema: JsonSchema): JsonSchema {
  if (schema.enum !== undefined || schema.const !== undefined) return schema;
  const allowed =
    typeof schema[ALLOW_CONTROL_CHARACTERS] === "string" ? (schema[ALLOW_CONTROL_CHARACTERS] as string) : "";
  const guard = controlCharacterGuardPattern(allowed);
  const pattern = schema.pattern;
  if (pattern === undefined) return { ...schema, pattern: guard };
  if (typeof pattern !== "string" || isControlCharacterGuard(pattern)) return schema;
  if (!allowed && patternExcludesControlCharacters(pattern)) return schema;
  const allOf = Array.isArray(schema.allOf) ? schema.allOf : [];
  return { ...schema, allOf: [...allOf, { pattern: guard }] };
}

/**
 * A copy of a request schema in which every string refuses control characters (see above). The original,
 * often shared between routes and responses, is left untouched; TypeBox's symbol keys are kept.
 */
export function guardControlCharacters<T>(schema: T): T {
  if (!isObject(schema)) return schema;
  let out: JsonSchema = { ...schema };
  for (const key of SUBSCHEMA_MAPS) {
    const map = out[key];
    if (isObject(map)) {
      out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, guardControlCharacters(v)]));
    }
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((s) => guardControlCharacters(s));
  }
  for (const key of SUBSCHEMAS) {
    if (isObject(out[key])) out[key] = guardControlCharacters(out[key]);
  }
  if (isStringSchema(out)) out = guardString(out);
  return out as T;
}
