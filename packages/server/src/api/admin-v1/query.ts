/** Turns a list's query strings (validated by the schema) into typed filters and a page request. */

import type { PageQuery } from "../../infra/db/keyset.js";
import { DomainError } from "../../kernel/errors.js";

const MAX_LIMIT = 200;

export function pageQuery(
  query: { limit?: string; cursor?: string; sort?: string },
  defaultSort: string,
): PageQuery {
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new DomainError("VALIDATION_FAILED", `limit must be from 1 to ${MAX_LIMIT}`, {
      field: "limit",
      reason: `from 1 to ${MAX_LIMIT}`,
    });
  }
  return { limit, sort: query.sort ?? defaultSort, cursor: query.cursor };
}

export function flag(value: "true" | "false" | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "true";
}

export function epochMs(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new DomainError("VALIDATION_FAILED", `${field} is not a date-time`, { field, reason: "date-time" });
  return ms;
}
