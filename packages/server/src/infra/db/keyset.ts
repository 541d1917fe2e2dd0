/**
 * Keyset pagination for the admin lists: a page is ordered by one sortable column and then by id, and the
 * cursor carries the last row's (value, id), so the next page is one index range however deep it is and
 * rows inserted meanwhile neither repeat nor vanish. The cursor is opaque to clients (base64url JSON) and
 * is bound to the sort it was made for.
 */
import { type SelectQueryBuilder, sql } from "kysely";
import { DomainError } from "../../kernel/errors.js";

export interface PageQuery {
  limit: number;
  /** A sort key, `-` first for descending: `code`, `-createdAt`. */
  sort: string;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Sortable keys of one list: the SQL column and how to read its value from a fetched row. */
export type SortSpec<R> = Record<string, { column: string; value: (row: R) => string | number }>;

interface Cursor {
  s: string;
  v: string | number;
  i: number;
}

function parseSort<R>(sorts: SortSpec<R>, sort: string) {
  const descending = sort.startsWith("-");
  const key = descending ? sort.slice(1) : sort;
  const spec = sorts[key];
  if (!spec) {
    throw new DomainError("VALIDATION_FAILED", `sort must be one of ${Object.keys(sorts).join(", ")}`, {
      field: "sort",
      reason: `one of ${Object.keys(sorts)
        .flatMap((k) => [k, `-${k}`])
        .join(", ")}`,
    });
  }
  return { descending, spec };
}

function decodeCursor(cursor: string, sort: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Cursor;
    if (
      c.s === sort &&
      Number.isSafeInteger(c.i) &&
      (typeof c.v === "string" || (typeof c.v === "number" && Number.isFinite(c.v)))
    ) {
      return c;
    }
  } catch {
    // falls through to the refusal below
  }
  throw new DomainError("VALIDATION_FAILED", "cursor is not one this list issued for this sort", {
    field: "cursor",
    reason: "not a cursor of this list and sort",
  });
}

/** Applies the order, the cursor's range and limit+1 (the extra row tells whether a next page exists). */
// biome-ignore lint/suspicious/noExplicitAny: the helper serves every table's list query
export function keysetQuery<Q extends SelectQueryBuilder<any, any, any>, R>(
  query: Q,
  sorts: SortSpec<R>,
  idColumn: string,
  page: PageQuery,
): Q {
  const { descending, spec } = parseSort(sorts, page.sort);
  let q = query;
  if (page.cursor) {
    const c = decodeCursor(page.cursor, page.sort);
    q = q.where(
      sql<boolean>`(${sql.ref(spec.column)}, ${sql.ref(idColumn)}) ${sql.raw(descending ? "<" : ">")} (${c.v}, ${c.i})`,
    ) as Q;
  }
  const direction = descending ? "desc" : "asc";
  return q
    .orderBy(sql.ref(spec.column), direction)
    .orderBy(sql.ref(idColumn), direction)
    .limit(page.limit + 1) as Q;
}

/** Cuts the extra row and makes the cursor of the next page from the last row kept. */
export function keysetPage<R, T>(
  rows: R[],
  sorts: SortSpec<R>,
  idOf: (row: R) => number,
  page: PageQuery,
  map: (row: R) => T,
): Page<T> {
  const { spec } = parseSort(sorts, page.sort);
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept.at(-1);
  const nextCursor =
    more && last
      ? Buffer.from(
          JSON.stringify({ s: page.sort, v: spec.value(last), i: idOf(last) } satisfies Cursor),
        ).toString("base64url")
      : null;
  return { items: kept.map(map), nextCursor };
}

/**
 * A case-insensitive substring filter on a column, with LIKE's wildcards in the text taken literally
 * (SQLite has no default escape character, so it is named).
 */
export function containsText(column: string, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
