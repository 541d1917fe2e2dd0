import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../core/errors.js";
import { ApiError, type ErrorPayload, fromDomainError, jsonPointerToField } from "./errors.js";
import type { Api } from "./types.js";

function payload(
  code: string,
  status: number,
  message: string,
  details: Record<string, unknown> = {},
): ErrorPayload {
  return { status, body: { code, message, details } };
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
  return payload("VALIDATION_FAILED", 400, `${context}${field ? ` field ${field}` : ""} ${what}`, {
    field: field || context,
    location: context,
    rule: first?.keyword ?? null,
  });
}

/** Maps every failure to the one error shape; only genuine faults of the server become a 5xx. */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof ApiError) return payload(error.code, error.status, error.message, error.details);
  if (error instanceof DomainError) return fromDomainError(error);
  const e = error as FastifyError;
  if (e.validation) return validationPayload(e);
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payload("PAYLOAD_TOO_LARGE", 413, "the request body is too large");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return payload("UNSUPPORTED_MEDIA_TYPE", 415, "the body must be application/json");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return payload("VALIDATION_FAILED", 400, "the body must not be empty", { field: "body" });
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return payload("MALFORMED_JSON", 400, "the body is not valid JSON");
  }
  if (error instanceof SyntaxError) return payload("MALFORMED_JSON", 400, "the body is not valid JSON");
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return payload("BAD_REQUEST", 400, e.message);
  }
  return payload("INTERNAL_ERROR", 500, "internal error");
}

export function installErrorHandling(app: Api): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorPayload(error);
    if (status >= 500) request.log.error({ err: error }, "request failed");
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
