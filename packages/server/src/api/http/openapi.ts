/**
 * The OpenAPI 3.1 document, generated from the routes' own schemas by @fastify/swagger and completed here
 * generically, so that a route added later is documented the same way without doing anything:
 *
 * - every operation has an `operationId` (its own, or one derived from method and path:
 *   `POST /v1/purchases/:purchaseId/confirm` → `postV1PurchasesByPurchaseIdConfirm`);
 * - every status it can answer is declared: 500 and 503 everywhere, 401 behind authentication, 400, 413
 *   and 415 where a body is accepted, 429 where a rate limit applies; each error status says which codes
 *   it carries;
 * - the schemas of the contract that recur are named components (`Error`, `Purchase`, `Balance`, …) and
 *   referenced, instead of being inlined at every use.
 *
 * Only the document changes: validation and serialization keep using the routes' schemas as they are.
 */
import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import {
  Balance,
  BonusPaymentBody,
  CalculateBody,
  CancelViewSchema,
  CardBatch,
  CardView,
  ConfirmBody,
  ConfirmViewSchema,
  ERROR_CATALOGUE,
  ErrorBody,
  errorCatalogueMarkdown,
  guardControlCharacters,
  ProductItem,
  ProductView,
  ProgramView,
  PurchaseDetailSchema,
  PurchaseViewSchema,
  RefundBody,
  RefundViewSchema,
  TokenRequest,
  TokenResponse,
} from "@kopilka/contract";
import type { RouteOptions } from "fastify";

type Schema = Record<string, unknown>;

/**
 * The named schemas of the document. Request schemas are named in the form the routes validate them
 * (strings guarded against control characters), answers as they are.
 */
function components(): Record<string, Schema> {
  const request = (s: unknown) => guardControlCharacters(s) as Schema;
  const response = (s: unknown) => s as Schema;
  const itemsOf = (s: unknown, property: string) =>
    ((s as { properties?: Record<string, { items?: Schema }> }).properties?.[property]?.items ?? undefined) as
      | Schema
      | undefined;
  const named: Record<string, Schema | undefined> = {
    Error: response(ErrorBody),
    Balance: response(Balance),
    Purchase: response(PurchaseViewSchema),
    PricedLine: itemsOf(PurchaseViewSchema, "lines"),
    ConfirmedPurchase: response(ConfirmViewSchema),
    CancelledPurchase: response(CancelViewSchema),
    PurchaseDetail: response(PurchaseDetailSchema),
    Refund: response(RefundViewSchema),
    Card: response(CardView),
    Product: response(ProductView),
    Program: response(ProgramView),
    TokenResponse: response(TokenResponse),
    TokenRequest: request(TokenRequest),
    Receipt: request(CalculateBody),
    ReceiptLine: request(itemsOf(CalculateBody, "lines")),
    BonusPaymentRequest: request(BonusPaymentBody),
    ConfirmRequest: request(ConfirmBody),
    RefundRequest: request(RefundBody),
    CardBatch: request(CardBatch),
    ProductItem: request(ProductItem),
  };
  return Object.fromEntries(Object.entries(named).filter((e): e is [string, Schema] => e[1] !== undefined));
}

const REASONS: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable",
  429: "Too many requests",
  500: "Internal error",
  503: "Unavailable, retry later",
};

/** "Not found: `STORE_NOT_FOUND`, `CARD_NOT_FOUND`, …": what an error status of this API may carry. */
function describeErrorStatus(status: number): string {
  const codes = Object.entries(ERROR_CATALOGUE)
    .filter(([, e]) => e.status === status)
    .map(([code]) => `\`${code}\``);
  return `${REASONS[status] ?? `HTTP ${status}`}${codes.length ? `: ${codes.join(", ")}` : ""}`;
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** `POST /v1/purchases/:purchaseId/confirm` → `postV1PurchasesByPurchaseIdConfirm`. */
export function deriveOperationId(method: string, url: string): string {
  const words = url
    .split("/")
    .filter(Boolean)
    .flatMap((segment) =>
      segment.startsWith(":")
        ? ["by", ...segment.slice(1).split(/[^A-Za-z0-9]+/)]
        : segment.split(/[^A-Za-z0-9]+/),
    )
    .filter(Boolean);
  const capitalized = words.map((w) => w[0]!.toUpperCase() + w.slice(1));
  return method.toLowerCase() + capitalized.join("");
}

function isErrorBody(schema: unknown): boolean {
  return schema === ErrorBody;
}

interface TransformInput {
  schema: Schema | undefined;
  url: string;
  route: RouteOptions;
}

/** Completes one route's documentation (see the module comment); the route's own schema is not touched. */
function documentRoute({ schema, url, route }: TransformInput): { schema: Schema; url: string } {
  if (!schema || schema.hide) return { schema: schema ?? {}, url };
  const method = (Array.isArray(route.method) ? route.method[0] : route.method) ?? "GET";
  const responses: Record<string, unknown> = { ...((schema.response as Record<string, unknown>) ?? {}) };
  const statuses = new Set<number>([500, 503]);
  const authenticated = !Array.isArray(schema.security) || schema.security.length > 0;
  if (authenticated) statuses.add(401);
  if (BODY_METHODS.has(method.toUpperCase())) for (const s of [400, 413, 415]) statuses.add(s);
  if ((route.config as { rateLimit?: unknown } | undefined)?.rateLimit) statuses.add(429);
  for (const status of statuses) if (!(status in responses)) responses[status] = ErrorBody;
  for (const [status, response] of Object.entries(responses)) {
    if (isErrorBody(response)) {
      responses[status] = { ...ErrorBody, "x-response-description": describeErrorStatus(Number(status)) };
    } else if (
      /^2/.test(status) &&
      response &&
      typeof response === "object" &&
      !("description" in response)
    ) {
      responses[status] = { ...response, "x-response-description": "Success" };
    }
  }
  const headers = (schema.headers as Schema | undefined) ?? { type: "object", properties: {} };
  return {
    url,
    schema: {
      ...schema,
      operationId: schema.operationId ?? deriveOperationId(method, url),
      response: responses,
      headers: {
        ...headers,
        properties: {
          "accept-language": {
            type: "string",
            description: "Language of error messages: `ru` (the default) or `en`",
          },
          ...(headers.properties as Schema | undefined),
        },
      },
    },
  };
}

/** JSON with sorted keys: two schemas are the same when their canonical texts are. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Schema)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const COMPONENT_PREFIX = "#/components/schemas/";

/** Replaces every subschema equal to a named component by a reference to it; `skip` is left as is. */
function referenceComponents(node: unknown, byText: Map<string, string>, skip?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => referenceComponents(n, byText));
  if (!node || typeof node !== "object") return node;
  const name = byText.get(canonical(node));
  if (name && name !== skip) return { $ref: `${COMPONENT_PREFIX}${name}` };
  return Object.fromEntries(
    Object.entries(node as Schema).map(([k, v]) => [k, referenceComponents(v, byText)]),
  );
}

interface OpenApiObject {
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown> };
  [key: string]: unknown;
}

/** Names the recurring schemas (see `components`), then drops the names nothing refers to. */
function nameComponents(doc: OpenApiObject): OpenApiObject {
  const schemas = { ...(doc.components?.schemas ?? {}) };
  const byText = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    const text = canonical(schema);
    if (!byText.has(text)) byText.set(text, name);
  }
  const paths = referenceComponents(doc.paths ?? {}, byText) as Record<string, unknown>;
  for (const [name, schema] of Object.entries(schemas)) {
    schemas[name] = referenceComponents(schema, byText, name);
  }
  for (let changed = true; changed; ) {
    changed = false;
    const text = JSON.stringify({ paths, schemas });
    for (const name of Object.keys(schemas)) {
      const ref = JSON.stringify(`${COMPONENT_PREFIX}${name}`);
      const own = JSON.stringify(schemas[name]);
      if (text.split(ref).length - 1 === own.split(ref).length - 1) {
        delete schemas[name];
        changed = true;
      }
    }
  }
  return { ...doc, paths, components: { ...doc.components, schemas } };
}

export function openApiOptions(): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Kopilka processing API",
        version: "1.0.0",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
        description: `Loyalty and discount processing for POS terminals and accounting systems.\n\nMoney is integer kopecks, points integer hundredths (1 point = 1 ruble), quantities integer thousandths.\n\nEvery error is \`{code, message, details}\`; \`details.field\` names the input at fault; \`message\` is in Russian, or in English when \`Accept-Language\` prefers \`en\`. A 503 \`DATABASE_UNAVAILABLE\` comes with \`Retry-After\`: retry the same request.\n\n${errorCatalogueMarkdown()}`,
      },
      servers: [{ url: "/", description: "This server" }],
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        schemas: components(),
      },
      security: [{ bearer: [] }],
    },
    transform: documentRoute as unknown as FastifyDynamicSwaggerOptions["transform"],
    transformObject: (({ openapiObject }: { openapiObject: OpenApiObject }) =>
      nameComponents(openapiObject)) as unknown as FastifyDynamicSwaggerOptions["transformObject"],
  };
}
