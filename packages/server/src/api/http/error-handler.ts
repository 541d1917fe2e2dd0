/**
 * Maps every failure to the one error shape of the native APIs, `{code, message, details}`: domain errors
 * by their catalogued status, Fastify's own (validation, body parsing) by kind. Only genuine faults of
 * the server become a 5xx.
 */
import { ERROR_CATALOGUE, type ErrorCode, isErrorCode } from "@kopilka/contract";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../kernel/errors.js";
import type { Api } from "./types.js";

export interface ErrorPayload {
  status: number;
  body: { code: string; message: string; details: Record<string, unknown> };
}

function payload(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorPayload {
  return { status: ERROR_CATALOGUE[code].status, body: { code, message, details } };
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

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationPayload(error: FastifyError): ErrorPayload {
  const issues = (error.validation ?? []) as AjvIssue[];
  const first = issues[0];
  const context = (error as { validationContext?: string }).validationContext ?? "body";
  const extra =
    (first?.params.missingProperty as string | undefined) ??
    (first?.params.additionalProperty as string | undefined);
  const field = first ? jsonPointerToField(first.instancePath, extra) : "";
  const what =
    first?.keyword === "additionalProperties" ? "is not a known field" : (first?.message ?? "is invalid");
  return payload("VALIDATION_FAILED", `${context}${field ? ` field ${field}` : ""} ${what}`, {
    field: field || context,
    location: context,
    rule: first?.keyword ?? null,
  });
}

export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof DomainError) {
    return isErrorCode(error.code)
      ? payload(error.code, error.message, error.details)
      : payload("INTERNAL_ERROR", "internal error");
  }
  const e = error as FastifyError;
  if (e.validation) return validationPayload(e);
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payload("PAYLOAD_TOO_LARGE", "the request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return payload("UNSUPPORTED_MEDIA_TYPE", "the body must be application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return payload("VALIDATION_FAILED", "the body must not be empty", { field: "body" });
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return payload("MALFORMED_JSON", "the body is not valid JSON");
  }
  if (error instanceof SyntaxError) return payload("MALFORMED_JSON", "the body is not valid JSON");
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return payload("BAD_REQUEST", e.message);
  }
  return payload("INTERNAL_ERROR", "internal error");
}

export function installErrorHandling(app: Api): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorPayload(error);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    const retryAfter = body.details.retryAfterSeconds;
    if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      code: "NOT_FOUND",
      message: `no route ${request.method} ${request.url.split("?")[0]}`,
      details: {},
    }),
  );
}
