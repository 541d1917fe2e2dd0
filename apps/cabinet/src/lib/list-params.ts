/**
 * A list's state lives in the URL (filters, sort, cursor), so a link shows the same page to a colleague.
 * Changing a filter or the sort starts again from the first page. The cursors of the pages before this
 * one travel in the history state, so "previous" works without the server going backwards.
 *
 * A change starts from the address bar as it is when the change is made, not as it was at the last
 * render: a second click that comes before React has drawn the first one's result (a quick hand, a busy
 * laptop) would otherwise undo the first, e.g. bring back a search just cleared.
 */
import { useCallback, useMemo } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";

export interface ListParams<F extends string> {
  filters: Record<F, string>;
  sort: string;
  cursor: string | null;
  hasPrevious: boolean;
  setFilters(patch: Partial<Record<F, string | null>>): void;
  /** A sort key, or how to get it from the sort in force (to toggle a column without a stale read). */
  setSort(sort: string | ((current: string) => string)): void;
  next(cursor: string): void;
  previous(): void;
  /** The query for the API: filters, sort, cursor and the page size. */
  query: Record<string, string>;
}

export const PAGE_SIZE = 25;

/** The address bar's query now (the router keeps it in step: BrowserRouter). */
const currentParams = () => new URLSearchParams(window.location.search);

export function useListParams<F extends string>(
  filterNames: readonly F[],
  defaultSort: string,
): ListParams<F> {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const trail: string[] = (location.state as { trail?: string[] } | null)?.trail ?? [];

  const go = useCallback(
    (next: URLSearchParams, nextTrail: string[]) => {
      const qs = next.toString();
      navigate({ pathname: location.pathname, search: qs ? `?${qs}` : "" }, { state: { trail: nextTrail } });
    },
    [navigate, location.pathname],
  );

  return useMemo(() => {
    const filters = Object.fromEntries(filterNames.map((f) => [f, params.get(f) ?? ""])) as Record<F, string>;
    const sort = params.get("sort") ?? defaultSort;
    const cursor = params.get("cursor");
    const query: Record<string, string> = { limit: String(PAGE_SIZE), sort };
    for (const f of filterNames) if (filters[f]) query[f] = filters[f];
    if (cursor) query.cursor = cursor;
    return {
      filters,
      sort,
      cursor,
      hasPrevious: cursor !== null,
      query,
      setFilters(patch) {
        const next = currentParams();
        for (const [k, v] of Object.entries(patch) as [string, string | null | undefined][]) {
          if (v) next.set(k, v);
          else next.delete(k);
        }
        next.delete("cursor");
        go(next, []);
      },
      setSort(change) {
        const next = currentParams();
        const value = typeof change === "function" ? change(next.get("sort") ?? defaultSort) : change;
        if (value === defaultSort) next.delete("sort");
        else next.set("sort", value);
        next.delete("cursor");
        go(next, []);
      },
      next(nextCursor) {
        const next = currentParams();
        next.set("cursor", nextCursor);
        go(next, [...trail, cursor ?? ""]);
      },
      previous() {
        const next = currentParams();
        const before = trail.at(-1);
        if (before) next.set("cursor", before);
        else next.delete("cursor");
        go(next, trail.slice(0, -1));
      },
    };
  }, [params, filterNames, defaultSort, trail, go]);
}
