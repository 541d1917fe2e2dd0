import { Anchor, Box, Button, Group, Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { API_BASE, api, withQuery } from "../../api/client.ts";
import type { Page, Report, ReportTable, Store } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatPoints, formatRubles, userTimeZone } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { formatQuantity } from "../purchases/labels.tsx";

type Kind = Report["kind"];
type Cell = ReportTable["rows"][number][string];
type ColumnKind = ReportTable["columns"][number]["kind"];

/** The chain's own reports first; typed by the contract, so a kind it drops fails the build. */
const KINDS: readonly Kind[] = ["sales", "points", "reconciliation", "sellout", "stock"];
const DAY = "YYYY-MM-DD";
/** A table this long is read in Excel, not on the page. */
const SHOWN_ROWS = 200;

function formatCell(kind: ColumnKind, value: Cell | undefined, language: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (kind === "kopecks") return formatRubles(value);
  if (kind === "points") return formatPoints(value);
  if (kind === "thousandths") return formatQuantity(value, language);
  return String(value);
}

const numeric = (kind: ColumnKind) => kind !== "text";
/** Numbers, and short texts (dates, times, codes), read badly when broken across lines. */
const keepOnOneLine = (kind: ColumnKind, value: Cell | undefined) =>
  numeric(kind) || (typeof value === "string" && value.length <= 13);

function ReportSection({ table }: { table: ReportTable }) {
  const { t, i18n } = useTranslation();
  const titleId = `report-${table.name}`;
  const shown = table.rows.slice(0, SHOWN_ROWS);
  const align = (kind: ColumnKind) => (numeric(kind) ? ("right" as const) : undefined);
  return (
    <section aria-labelledby={titleId}>
      <Title order={3} id={titleId} mb="xs">
        {table.title}
      </Title>
      {table.rows.length === 0 ? (
        <Text c="gray.8">{t("reports.empty")}</Text>
      ) : (
        // Wide sections scroll sideways; the keyboard must be able to scroll them too.
        <Box style={{ overflowX: "auto" }} tabIndex={0} role="group" aria-labelledby={titleId}>
          <Table striped withTableBorder verticalSpacing={6} data-testid={`report-table-${table.name}`}>
            <Table.Thead>
              <Table.Tr>
                {table.columns.map((c) => (
                  <Table.Th key={c.key} ta={align(c.kind)}>
                    {c.header}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((row, i) => (
                // Report rows have no id of their own; their order is the report's.
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                <Table.Tr key={i}>
                  {table.columns.map((c) => (
                    <Table.Td
                      key={c.key}
                      ta={align(c.kind)}
                      style={keepOnOneLine(c.kind, row[c.key]) ? { whiteSpace: "nowrap" } : undefined}
                    >
                      {formatCell(c.kind, row[c.key], i18n.language)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
            {table.totals && (
              <Table.Tfoot>
                <Table.Tr data-testid={`report-totals-${table.name}`}>
                  {table.columns.map((c) => (
                    <Table.Th key={c.key} ta={align(c.kind)} style={{ whiteSpace: "nowrap" }}>
                      {formatCell(c.kind, table.totals?.[c.key], i18n.language)}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Tfoot>
            )}
          </Table>
        </Box>
      )}
      {table.rows.length > SHOWN_ROWS && (
        <Text size="sm" c="gray.8" mt={4}>
          {t("reports.truncated", { shown: SHOWN_ROWS, total: table.rows.length })}
        </Text>
      )}
    </section>
  );
}

/**
 * Reports: a kind, a period of whole days in the user's zone and maybe a store, all in the URL; the
 * server's JSON shown as tables, and the same report as the server's Excel workbook or CSV.
 */
export default function ReportsPage() {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const [params, setParams] = useSearchParams();
  const kind = (KINDS as readonly string[]).includes(params.get("kind") ?? "")
    ? (params.get("kind") as Kind)
    : "sales";
  const from = params.get("from") ?? dayjs().subtract(6, "day").format(DAY);
  const to = params.get("to") ?? dayjs().format(DAY);
  const storeCode = params.get("storeCode") ?? "";
  const csvTable = params.get("table") ?? "";
  const timezone = userTimeZone();
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const stores = useQuery({
    queryKey: ["stores", partner.code, "all-for-select"],
    queryFn: () => api<Page<Store>>("GET", `${partner.path}/stores`, undefined, { limit: 200, sort: "code" }),
    staleTime: 60_000,
  });
  const query = { from, to, timezone, ...(storeCode ? { storeCode } : {}) };
  const path = `${partner.path}/reports/${kind}`;
  const report = useQuery({
    queryKey: ["report", partner.code, kind, query],
    queryFn: () => api<Report>("GET", path, undefined, query),
    placeholderData: (previous) => (previous?.kind === kind ? previous : undefined),
  });
  const tables = report.data?.tables ?? [];
  const csvName = tables.some((x) => x.name === csvTable) ? csvTable : (tables.at(-1)?.name ?? "");
  const fileUrl = (format: "xlsx" | "csv") =>
    withQuery(`${API_BASE}${path}`, { ...query, format, ...(format === "csv" ? { table: csvName } : {}) });

  return (
    <>
      <PageHeader title={t("nav.reports")} />
      <Paper withBorder p="md" mb="lg">
        <Group align="flex-end">
          <Select
            label={t("reports.kind")}
            w={440}
            allowDeselect={false}
            value={kind}
            data={KINDS.map((k) => ({ value: k, label: t(`reports.kinds.${k}`) }))}
            onChange={(v) => set({ kind: v, table: null })}
          />
          <DatePickerInput
            type="range"
            label={t("reports.period")}
            allowSingleDateInRange
            valueFormat="DD.MM.YYYY"
            w={240}
            value={[from, to]}
            onChange={([start, end]) => {
              if (start && end) set({ from: dayjs(start).format(DAY), to: dayjs(end).format(DAY) });
            }}
          />
          <Select
            label={t("reports.store")}
            w={220}
            clearable
            placeholder={t("reports.allStores")}
            value={storeCode || null}
            data={(stores.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` }))}
            onChange={(v) => set({ storeCode: v })}
          />
        </Group>
        <Text size="sm" c="gray.8" mt="xs">
          {t("reports.periodNote", { zone: timezone })}
        </Text>
        <Group mt="md" align="flex-end">
          <Button component="a" href={fileUrl("xlsx")} download disabled={!report.data}>
            {t("reports.downloadXlsx")}
          </Button>
          {tables.length > 1 && (
            <Select
              label={t("reports.csvTable")}
              w={220}
              allowDeselect={false}
              value={csvName}
              data={tables.map((x) => ({ value: x.name, label: x.title }))}
              onChange={(v) => set({ table: v })}
            />
          )}
          <Anchor href={fileUrl("csv")} download pb={6}>
            {t("reports.downloadCsv")}
          </Anchor>
        </Group>
      </Paper>
      <ErrorAlert error={report.error} />
      {report.isPending && <PageLoader />}
      {report.data && (
        <Stack gap="xl" aria-busy={report.isFetching}>
          <Title order={2} size="h3">
            {report.data.title}: {report.data.period.from} — {report.data.period.to}
          </Title>
          {i18n.language !== "ru" && (
            <Text size="sm" c="gray.8" mt={-12}>
              {t("reports.russianContent")}
            </Text>
          )}
          {report.data.tables.map((table) => (
            <ReportSection key={table.name} table={table} />
          ))}
        </Stack>
      )}
    </>
  );
}
