import type { ErrorCode } from "@kopilka/contract";

/**
 * A business rule said no. Services throw it and never an HTTP error: each surface maps the stable
 * `code` to its own answer (a POS v1 status and body, a PharmApi error number, a CLI exit code).
 * `details.field` names the input at fault when there is one. The message is English, for logs and
 * developers; surfaces render the catalogue's localized text for people.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}
