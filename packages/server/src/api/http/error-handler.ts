/**
 * Maps every failure to the one error shape of the native APIs, `{code, message, details}`: domain errors
 * by their catalogued status, Fastify's own (validation, body parsing) by kind. Only genuine faults of
 * the server become a 5xx; an unreachable database is a retryable 503 `DATABASE_UNAVAILABLE`.
 *
 * `message` is rendered from the catalogue in the language of `Accept-Language` (Russian by default, for
 * the cashier's screen); `code` and `details` are the same in every language.
 */

import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import {
  DEFAULT_LANGUAGE,
  ERROR_CATALOGUE,
  type ErrorCode,
  errorMessage,
  isErrorCode,
  type Language,
  preferredLanguage,
  type SchemaIssue,
  validationReason,
} from "@kopilka/contract";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError } from "../../kernel/errors.js";
import type { Api } from "./types.js";

export interface ErrorPayload {
  status: number;
  body: { code: string; message: string; details: Record<string, unknown> };
}

function payload(
  code: ErrorCode,
  lang: Language,
  details: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): ErrorPayload {
  return {
    status: ERROR_CATALOGUE[code].status,
    body: { code, message: errorMessage(code, details, lang, extra), details },
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

interface AjvIssue extends SchemaIssue {
  instancePath: string;
  message?: string;
}

function validationPayload(error: FastifyError, lang: Language): ErrorPayload {
  const issues = (error.validation ?? []) as AjvIssue[];
  const first = issues[0];
  const context = (error as { validationContext?: string }).validationContext ?? "body";
  const extra =
    (first?.params.missingProperty as string | undefined) ??
    (first?.params.additionalProperty as string | undefined);
  const field = first ? jsonPointerToField(first.instancePath, extra) : "";
  return payload(
    "VALIDATION_FAILED",
    lang,
    { field: field || context, location: context, rule: first?.keyword ?? null },
    first ? { reason: validationReason(first, lang) } : {},
  );
}

function domainPayload(error: DomainError, lang: Language): ErrorPayload {
  if (!isErrorCode(error.code)) return payload("INTERNAL_ERROR", lang);
  // A service's own validation says why only in its English developer message; English readers get it.
  const extra = error.code === "VALIDATION_FAILED" && lang === "en" ? { reason: error.message } : {};
  return payload(error.code, lang, error.details, extra);
}

export function toErrorPayload(error: unknown, lang: Language = DEFAULT_LANGUAGE): ErrorPayload {
  if (error instanceof DomainError) return domainPayload(error, lang);
  const e = error as FastifyError;
  if (e.validation) return validationPayload(e, lang);
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payload("PAYLOAD_TOO_LARGE", lang);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return payload("UNSUPPORTED_MEDIA_TYPE", lang);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return payload(
        "VALIDATION_FAILED",
        lang,
        { field: "body", location: "body", rule: "required" },
        { reason: validationReason({ keyword: "required", params: {} }, lang) },
      );
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return payload("MALFORMED_JSON", lang);
  }
  if (error instanceof SyntaxError) return payload("MALFORMED_JSON", lang);
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return payload("BAD_REQUEST", lang, { reason: e.message });
  }
  return payload("INTERNAL_ERROR", lang);
}

/** The language of a request's answers, from its `Accept-Language`. */
export function languageOf(request: FastifyRequest): Language {
  return preferredLanguage(request.headers["accept-language"]);
}

/** Sends an error answer: the status, the language headers and, for retryable ones, `Retry-After`. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const lang = languageOf(request);
  const { status, body } = toErrorPayload(error, lang);
  if (body.code === "DATABASE_UNAVAILABLE") request.log.warn({ err: error }, "database unavailable");
  // Refusals by design (not ready, overloaded) are no fault of the server: the request log has them.
  else if (status >= 500 && body.code !== "NOT_READY" && body.code !== "OVERLOADED")
    request.log.error({ err: error }, "request failed");
  const retryAfter = body.details.retryAfterSeconds;
  if (typeof retryAfter === "number" && Number.isFinite(retryAfter)) {
    reply.header("retry-after", String(Math.max(0, Math.ceil(retryAfter))));
  }
  return reply.status(status).header("content-language", lang).header("vary", "Accept-Language").send(body);
}

export function installErrorHandling(app: Api): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) =>
    sendError(request, reply, error),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new DomainError("NOT_FOUND", "no such route", {
        method: request.method,
        path: request.url.split("?")[0],
      }),
    ),
  );
}

/**
 * A request Node's HTTP parser refuses (a control character in a header value, a broken request line)
 * never reaches a route; it is answered here, on the socket, in the same error shape (Russian: the
 * headers that would say otherwise were not readable). Timeouts and oversized headers keep their status.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const status =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const { body } = toErrorPayload(new DomainError("BAD_REQUEST", "unparsable request"), DEFAULT_LANGUAGE);
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Language: ${DEFAULT_LANGUAGE}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(error);
}
