import { Button, Group, Table, Text, UnstyledButton, VisuallyHidden } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ListParams } from "../lib/list-params.ts";
import { PageLoader } from "./PageLoader.tsx";

export interface Column<T> {
  key: string;
  label: string;
  /** The API's sort key, when the list can be sorted by this column. */
  sortKey?: string;
  /** Keep on one line (codes, dates, statuses, buttons). */
  nowrap?: boolean;
  render(row: T): ReactNode;
}

interface Props<T, F extends string> {
  caption: string;
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey(row: T): string;
  loading: boolean;
  /** Keyset paging: present for server-paginated lists. */
  list?: ListParams<F>;
  nextCursor?: string | null;
}

/** A server-paginated, sortable table: headers sort (aria-sort says how), buttons page by cursor. */
export function DataTable<T, F extends string>({
  caption,
  columns,
  rows,
  rowKey,
  loading,
  list,
  nextCursor,
}: Props<T, F>) {
  const { t } = useTranslation();
  const sortState = (key: string | undefined) => {
    if (!key || !list) return undefined;
    if (list.sort === key) return "ascending" as const;
    if (list.sort === `-${key}`) return "descending" as const;
    return "none" as const;
  };
  return (
    <>
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-busy={loading}>
          <VisuallyHidden component="caption">{caption}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => {
                const state = sortState(c.sortKey);
                return (
                  <Table.Th key={c.key} aria-sort={state}>
                    {c.sortKey && list ? (
                      <UnstyledButton
                        fw={700}
                        fz="sm"
                        onClick={() => {
                          const key = c.sortKey!;
                          list.setSort((current) => (current === key ? `-${key}` : key));
                        }}
                      >
                        {c.label} {state === "ascending" ? "▲" : state === "descending" ? "▼" : "↕"}
                        <VisuallyHidden>{t("table.sortBy", { column: c.label })}</VisuallyHidden>
                      </UnstyledButton>
                    ) : (
                      c.label
                    )}
                  </Table.Th>
                );
              })}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows?.map((row) => (
              <Table.Tr key={rowKey(row)}>
                {columns.map((c) => (
                  <Table.Td key={c.key} style={c.nowrap ? { whiteSpace: "nowrap" } : undefined}>
                    {c.render(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {loading && <PageLoader />}
      {!loading && rows?.length === 0 && (
        <Text c="gray.8" ta="center" py="lg">
          {t("table.empty")}
        </Text>
      )}
      {list && (list.hasPrevious || nextCursor) && (
        <Group justify="flex-end" mt="sm">
          <Button variant="default" size="xs" disabled={!list.hasPrevious} onClick={list.previous}>
            {t("table.previous")}
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={!nextCursor}
            onClick={() => nextCursor && list.next(nextCursor)}
          >
            {t("table.next")}
          </Button>
        </Group>
      )}
    </>
  );
}
