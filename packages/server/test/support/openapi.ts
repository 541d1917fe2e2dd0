/**
 * Reading the server's own OpenAPI document in tests: every documented operation with its inputs, and
 * a minimal valid value for a schema, so tests can be generated from the registered routes.
 */
import type { TestApp } from "./harness.js";

export type Schema = Record<string, unknown>;

export interface Operation {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  operation: Schema;
  /** The path's `{param}` schemas, by name. */
  params: Record<string, Schema>;
  query: Record<string, Schema>;
  body: Schema | undefined;
  authenticated: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Schema>>;
  components: { schemas: Record<string, Schema> };
  [key: string]: unknown;
}

export async function openApiDocument(t: TestApp): Promise<OpenApiDocument> {
  const res = await t.server.app.inject({ method: "GET", url: "/openapi.json" });
  if (res.statusCode !== 200) throw new Error(`openapi.json: ${res.statusCode}`);
  return res.json() as OpenApiDocument;
}

/** Follows `#/components/schemas/…` references (the document has no cycles). */
export function dereference(doc: OpenApiDocument, node: unknown): unknown {
  if (Array.isArray(node)) return node.map((n) => dereference(doc, n));
  if (!node || typeof node !== "object") return node;
  const ref = (node as Schema).$ref;
  if (typeof ref === "string") {
    const name = ref.split("/").pop()!;
    return dereference(doc, doc.components.schemas[name]);
  }
  return Object.fromEntries(Object.entries(node as Schema).map(([k, v]) => [k, dereference(doc, v)]));
}

export function operations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const operation = dereference(doc, raw) as Schema;
      const parameters = (operation.parameters as Schema[] | undefined) ?? [];
      const of = (where: string) =>
        Object.fromEntries(
          parameters.filter((p) => p.in === where).map((p) => [p.name as string, p.schema as Schema]),
        );
      const content = (operation.requestBody as Schema | undefined)?.content as
        | Record<string, { schema: Schema }>
        | undefined;
      out.push({
        method: method.toUpperCase() as Operation["method"],
        path,
        operation,
        params: of("path"),
        query: of("query"),
        body: content?.["application/json"]?.schema,
        authenticated: !Array.isArray(operation.security) || operation.security.length > 0,
      });
    }
  }
  return out;
}

const STRING_CANDIDATES = [
  "A1",
  "1",
  "a",
  "X-1",
  "abc",
  "1234567890123456",
  "2000-01-31",
  "1234",
  "00000000-0000-4000-8000-000000000000",
  "a@b.ru",
  "correct horse battery",
  "2026-01-01T00:00:00Z",
  "4600000000011",
];

function nonNullType(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") as string | undefined;
  return type as string | undefined;
}

/** A small value the schema accepts: every property present (optional ones too), one item per array. */
export function sample(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum.find((v) => v !== null);
  for (const key of ["anyOf", "oneOf"]) {
    const options = schema[key] as Schema[] | undefined;
    if (options) return sample(options.find((o) => o.type !== "null") ?? options[0]!);
  }
  switch (nonNullType(schema)) {
    case "object": {
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sample(v)]));
    }
    case "array":
      return Array.from({ length: Math.max(1, Number(schema.minItems ?? 1)) }, () =>
        sample(schema.items as Schema),
      );
    case "integer":
    case "number": {
      const min = Number(schema.minimum ?? 1);
      return Math.max(min, 1) <= Number(schema.maximum ?? Number.MAX_SAFE_INTEGER) ? Math.max(min, 1) : min;
    }
    case "boolean":
      return false;
    case "string": {
      if (schema.format === "date-time") return "2026-01-01T00:00:00.000Z";
      if (schema.format === "email") return "fuzz@example.ru";
      const pattern = typeof schema.pattern === "string" ? new RegExp(schema.pattern, "u") : null;
      const minLength = Number(schema.minLength ?? 0);
      const value = STRING_CANDIDATES.find((c) => !pattern || pattern.test(c)) ?? "A1";
      return value.length >= minLength ? value : value.padEnd(minLength, value[0]);
    }
    default:
      return null;
  }
}

/** Every string the schema describes, as the path to it and the field name errors use (`lines[0].sku`). */
export function stringFields(schema: Schema, path: (string | number)[] = []): (string | number)[][] {
  for (const key of ["anyOf", "oneOf"]) {
    const options = schema[key] as Schema[] | undefined;
    if (options) {
      const chosen = options.find((o) => o.type !== "null") ?? options[0]!;
      return stringFields(chosen, path);
    }
  }
  switch (nonNullType(schema)) {
    case "object":
      return Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {}).flatMap(
        ([k, v]) => stringFields(v, [...path, k]),
      );
    case "array":
      return stringFields(schema.items as Schema, [...path, 0]);
    case "string":
      return schema.enum === undefined && schema.const === undefined && schema.format === undefined
        ? [path]
        : [];
    default:
      return [];
  }
}

export function fieldName(path: (string | number)[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    "",
  );
}

export function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Schema) }) as Record<
    string | number,
    unknown
  >;
  copy[head!] = setAt(copy[head!], rest, replacement);
  return copy;
}

/** `/v1/purchases/{purchaseId}` with the given values, encoded. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? "x"));
}
