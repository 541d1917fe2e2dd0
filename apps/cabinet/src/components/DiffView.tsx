import { Table, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { diffEntities } from "../lib/diff.ts";

const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** Before and after of an audit entry: only what changed, removed struck through, added underlined. */
export function DiffView({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const rows = diffEntities(before, after);
  if (rows.length === 0) return <Text size="sm">{t("audit.noChanges")}</Text>;
  return (
    <Table withTableBorder withColumnBorders fz="xs" verticalSpacing={2} horizontalSpacing={6} w="auto">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t("audit.field")}</Table.Th>
          <Table.Th>{t("audit.before")}</Table.Th>
          <Table.Th>{t("audit.after")}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.path} data-kind={r.kind}>
            <Table.Td ff="monospace">{r.path}</Table.Td>
            <Table.Td bg={r.kind === "added" ? undefined : "red.0"}>
              {r.kind !== "added" && <del>{show(r.before)}</del>}
            </Table.Td>
            <Table.Td bg={r.kind === "removed" ? undefined : "green.0"}>
              {r.kind !== "removed" && <ins>{show(r.after)}</ins>}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
