import { createHash } from "node:crypto";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Hash of a request body that ignores key order, to tell a replay from a different request. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("base64url");
}

/**
 * Hash of a request as it arrived (key order included): what a calculation records of its body, for
 * tracing only. Nothing compares it, so it skips canonicalHash's sorting, which costs more on the hot path.
 */
export function arrivalHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url");
}
