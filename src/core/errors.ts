/**
 * A business rule said no. Adapters map the stable `code` to a protocol answer (an HTTP 4xx, a PharmApi
 * error); `details.field` names the input at fault when there is one.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}
