/**
 * Keyset paging kept in the component rather than in the URL: for the second and third lists of a page
 * (a card's ledger and purchases), whose cursors would otherwise fight over the page's one `cursor`
 * parameter. It has the shape of `useListParams`, so `DataTable` pages and sorts it the same way.
 */
import { useMemo, useState } from "react";
import { type ListParams, PAGE_SIZE } from "../../lib/list-params.ts";

export function useLocalList(defaultSort: string): ListParams<never> {
  const [sort, setSortState] = useState(defaultSort);
  const [cursor, setCursor] = useState<string | null>(null);
  const [trail, setTrail] = useState<(string | null)[]>([]);
  return useMemo(() => {
    const query: Record<string, string> = { limit: String(PAGE_SIZE), sort };
    if (cursor) query.cursor = cursor;
    return {
      filters: {} as Record<never, string>,
      sort,
      cursor,
      hasPrevious: cursor !== null,
      query,
      setFilters() {},
      setSort(value) {
        setSortState(value);
        setCursor(null);
        setTrail([]);
      },
      next(nextCursor) {
        setTrail([...trail, cursor]);
        setCursor(nextCursor);
      },
      previous() {
        setCursor(trail.at(-1) ?? null);
        setTrail(trail.slice(0, -1));
      },
    };
  }, [sort, cursor, trail]);
}
