/**
 * The one error shape of the API, `{code, message, details}`, and the catalogue of stable codes.
 * Clients branch on `code`; `message` is for people; `details.field` names the input at fault.
 */
import { Type } from "typebox";
import type { DomainError } from "../core/errors.js";

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: {
    status: 400,
    description: "The request does not match the schema; details.field names the first bad field",
  },
  MALFORMED_JSON: { status: 400, description: "The body is not valid JSON" },
  BAD_REQUEST: { status: 400, description: "The request is malformed at the HTTP level" },
  DUPLICATE_LINE_ID: { status: 400, description: "Two receipt lines share a lineId" },
  DUPLICATE_ITEM: {
    status: 400,
    description: "A batch names the same key (SKU, card number) twice; details.field",
  },
  UNAUTHORIZED: { status: 401, description: "No bearer token, or it is malformed, forged or expired" },
  INVALID_CREDENTIALS: {
    status: 401,
    description: "Login or secret is wrong, or the credential is disabled",
  },
  FORBIDDEN: {
    status: 403,
    description:
      "The credential may not act here (another store, or a store-bound credential on master data)",
  },
  NOT_FOUND: { status: 404, description: "No such route" },
  STORE_NOT_FOUND: { status: 404, description: "No store with this code for the partner" },
  CARD_NOT_FOUND: { status: 404, description: "No card with this number for the partner" },
  PRODUCT_NOT_FOUND: { status: 404, description: "No product with this SKU for the partner" },
  PROGRAM_NOT_FOUND: { status: 404, description: "No program with this code for the partner" },
  PURCHASE_NOT_FOUND: { status: 404, description: "No purchase with this id for the partner" },
  PURCHASE_STATE_CONFLICT: {
    status: 409,
    description: "The purchase is in a state that does not allow this call; details.state tells which",
  },
  PURCHASE_EXPIRED: {
    status: 409,
    description: "The calculated purchase outlived its TTL and released its holds; calculate a new one",
  },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    description: "The same idempotency key (purchase id, refund id) came with a different body",
  },
  CANCEL_WINDOW_CLOSED: {
    status: 409,
    description: "The purchase was confirmed longer ago than the program's cancel window; refund it instead",
  },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The body exceeds BODY_LIMIT_BYTES" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: "The body must be application/json" },
  CARD_BLOCKED: { status: 422, description: "The card is blocked: it cannot be used in a purchase" },
  CARD_ACCRUAL_ONLY: { status: 422, description: "The card only accrues points: it cannot pay with them" },
  CARD_REQUIRED: { status: 422, description: "Paying with points needs a card on the purchase" },
  INSUFFICIENT_POINTS: {
    status: 422,
    description: "The card has fewer available points than asked; details.available",
  },
  POINTS_PAYMENT_LIMIT_EXCEEDED: {
    status: 422,
    description: "The amount exceeds what the receipt may be paid with points; details.max",
  },
  LINE_AMOUNT_TOO_HIGH: { status: 422, description: "A line's amount exceeds price × quantity" },
  RECEIPT_TOO_LARGE: { status: 422, description: "The receipt total exceeds the supported maximum" },
  NOTHING_TO_REFUND: { status: 422, description: "Every line of the purchase is already refunded" },
  REFUND_LINE_UNKNOWN: { status: 422, description: "A refund names a line that is not in the purchase" },
  REFUND_QUANTITY_EXCEEDS_PURCHASED: {
    status: 422,
    description: "A refund returns more of a line than is left; details.max",
  },
  REFUND_POINTS_EXCEED_REFUNDABLE: {
    status: 422,
    description: "Stated points exceed what the refunded lines hold; details.max",
  },
  INTERNAL_ERROR: { status: 500, description: "A fault of the server; it is logged with the request id" },
  NOT_READY: { status: 503, description: "The database is unreachable or the server is shutting down" },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: "Stable machine code; see the error catalogue" }),
    message: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { description: "Every error the API returns" },
);

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries([400, ...statuses].map((s) => [s, ErrorBody]));
}

export interface ErrorPayload {
  status: number;
  body: { code: string; message: string; details: Record<string, unknown> };
}

export function fromDomainError(error: DomainError): ErrorPayload {
  const entry = (ERROR_CATALOGUE as Record<string, { status: number } | undefined>)[error.code];
  return {
    status: entry?.status ?? 422,
    body: { code: error.code, message: error.message, details: error.details },
  };
}

/** ajv's "/lines/0/quantity" → "lines[0].quantity", the form every error of this API uses. */
export function jsonPointerToField(pointer: string, extra?: string): string {
  const parts = pointer.split("/").filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    "",
  );
}

export function errorCatalogueMarkdown(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.description} |`,
  );
  return ["| code | HTTP | meaning |", "|---|---|---|", ...rows].join("\n");
}
