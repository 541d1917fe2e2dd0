/**
 * Control characters never reach a service or the database: PostgreSQL refuses NUL in text outright
 * (`invalid byte sequence for encoding "UTF8": 0x00`, a 500 if it got that far) and the embedded
 * database would store it silently. Every route, whoever adds it, has each string of its body, query,
 * params and headers schemas guarded when it is registered (`guardControlCharacters` from the contract),
 * so such input is a 400 `VALIDATION_FAILED` naming the field. A path parameter of a route without a
 * params schema gets one. A field that legitimately carries some control characters is marked with the
 * contract's `allowControlCharacters`.
 *
 * Raw header values with control characters never get this far: Node's HTTP parser refuses them.
 */
import { ALLOW_CONTROL_CHARACTERS, guardControlCharacters } from "@kopilka/contract";
import type { FastifyServerOptions, RouteOptions } from "fastify";
import type { Api } from "./types.js";

type Schema = Record<string, unknown>;

const INPUT_PARTS = ["body", "querystring", "query", "params", "headers"] as const;

function pathParameters(url: string): string[] {
  return [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** The route's schema with every input string guarded; shared schema objects are copied, not changed. */
export function guardRouteSchema(route: Pick<RouteOptions, "url" | "schema">): Schema | undefined {
  const names = pathParameters(route.url);
  const schema = route.schema as Schema | undefined;
  if (!schema && names.length === 0) return undefined;
  const guarded: Schema = { ...schema };
  if (!guarded.params && names.length > 0) {
    guarded.params = {
      type: "object",
      properties: Object.fromEntries(names.map((n) => [n, { type: "string" }])),
      required: names,
    };
  }
  for (const part of INPUT_PARTS) {
    if (guarded[part] !== undefined) guarded[part] = guardControlCharacters(guarded[part]);
  }
  return guarded;
}

/** Must be installed before any route is registered: onRoute hooks see only later routes. */
export function installInputGuards(app: Api): void {
  app.addHook("onRoute", (route) => {
    const schema = guardRouteSchema(route);
    if (schema) route.schema = schema;
  });
}

type AjvPlugin = NonNullable<NonNullable<FastifyServerOptions["ajv"]>["plugins"]>[number];

/** Teaches the validator the contract's annotation, so that it is not an unknown keyword. */
export const allowControlCharactersKeyword = ((ajv: { addKeyword(keyword: string): unknown }) =>
  ajv.addKeyword(ALLOW_CONTROL_CHARACTERS)) as unknown as AjvPlugin;
