/**
 * What can go wrong with a call, in the three kinds a till must tell apart:
 *
 * - the server said no (`ServerRejectedError`): a definitive answer with the catalogue's `code`,
 *   `details` and the message in the configured language; repeating the same call gets the same answer;
 * - the server could not be reached (`ServerUnreachableError`): nothing reached it (refused, no route, a
 *   name that does not resolve); at card time the till sells without the card;
 * - retryable (`ServerUnavailableError`: 502/503/504 with `Retry-After`; `OutcomeUnknownError`: a timeout
 *   or a connection cut after the request left, so the server may have acted): repeat the same call, it is
 *   idempotent.
 */
import { DEFAULT_LANGUAGE, type Language } from "@kopilka/contract";

export type ErrorKind = "rejected" | "unreachable" | "unavailable" | "outcome-unknown";

export abstract class KopilkaError extends Error {
  abstract readonly kind: ErrorKind;
  /** Repeating the same call may succeed (the server's calls are idempotent, so it is always safe). */
  abstract readonly retryable: boolean;
  /** The operation that failed, as the SDK names it (`card`, `calculate`, `confirm`, …). */
  readonly operation: string;

  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.operation = operation;
  }
}

export class ServerRejectedError extends KopilkaError {
  override readonly name = "ServerRejectedError";
  readonly kind = "rejected" as const;
  readonly retryable = false;

  constructor(
    operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
    readonly requestId: string | null,
  ) {
    super(operation, message);
  }

  /** The input the server found at fault (`lines[2].quantity`), when it named one. */
  get field(): string | undefined {
    return typeof this.details.field === "string" ? this.details.field : undefined;
  }
}

export class ServerUnreachableError extends KopilkaError {
  override readonly name = "ServerUnreachableError";
  readonly kind = "unreachable" as const;
  readonly retryable = true;

  constructor(
    operation: string,
    /** The system's reason (`ECONNREFUSED`, `ENOTFOUND`, …), or `OFFLINE` when the SDK already knew. */
    readonly reason: string,
    language: Language,
    options?: { cause?: unknown },
  ) {
    super(operation, LOCAL_MESSAGES.unreachable[language], options);
  }
}

export class ServerUnavailableError extends KopilkaError {
  override readonly name = "ServerUnavailableError";
  readonly kind = "unavailable" as const;
  readonly retryable = true;

  constructor(
    operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    /** How long the server asked to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(operation, message);
  }
}

export class OutcomeUnknownError extends KopilkaError {
  override readonly name = "OutcomeUnknownError";
  readonly kind = "outcome-unknown" as const;
  readonly retryable = true;

  constructor(
    operation: string,
    /** `timeout`: no answer within `timeoutMs`; `connection-lost`: cut mid-call; `bad-answer`: not JSON. */
    readonly reason: "timeout" | "connection-lost" | "bad-answer",
    language: Language,
    readonly timeoutMs: number | null,
    options?: { cause?: unknown },
  ) {
    super(operation, LOCAL_MESSAGES[reason][language], options);
  }
}

/** Messages of the failures that have no server answer to carry one. */
export const LOCAL_MESSAGES = {
  unreachable: {
    ru: "Нет связи с сервером лояльности",
    en: "The loyalty server cannot be reached",
  },
  timeout: {
    ru: "Сервер лояльности не ответил вовремя",
    en: "The loyalty server did not answer in time",
  },
  "connection-lost": {
    ru: "Связь с сервером лояльности прервалась",
    en: "The connection to the loyalty server was lost",
  },
  "bad-answer": {
    ru: "Сервер лояльности ответил непонятно",
    en: "The loyalty server's answer could not be read",
  },
  unavailable: {
    ru: "Сервер лояльности временно недоступен",
    en: "The loyalty server is temporarily unavailable",
  },
} as const satisfies Record<string, Record<Language, string>>;

export function isKopilkaError(error: unknown): error is KopilkaError {
  return error instanceof KopilkaError;
}

/** A retryable failure (the same call may be repeated); a definitive refusal or a bug is not. */
export function isRetryable(error: unknown): boolean {
  return error instanceof KopilkaError && error.retryable;
}

export const SDK_DEFAULT_LANGUAGE: Language = DEFAULT_LANGUAGE;
