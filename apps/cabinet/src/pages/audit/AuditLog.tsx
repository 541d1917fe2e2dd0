import { Button, Group, TextInput } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { AuditEntry, Page } from "../../api/types.ts";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { DiffView } from "../../components/DiffView.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";

const FILTERS = ["userId", "entityType", "entityId", "from", "to"] as const;
const DAY = "YYYY-MM-DD";

/**
 * The audit log, newest first: who, when, from where, what, and what changed. The period is chosen in
 * days of the user's time zone and sent as instants (from inclusive, to exclusive: the day after).
 */
export function AuditLog({ title, apiPath, queryKey }: { title: string; apiPath: string; queryKey: string }) {
  const { t, i18n } = useTranslation();
  const list = useListParams(FILTERS, "-id");
  const { from, to } = list.filters;
  const query = { ...list.query };
  if (from) query.from = dayjs(from).startOf("day").toISOString();
  if (to) query.to = dayjs(to).add(1, "day").startOf("day").toISOString();
  const entries = useQuery({
    queryKey: ["audit", queryKey, query],
    queryFn: () => api<Page<AuditEntry>>("GET", apiPath, undefined, query),
    placeholderData: (previous) => previous,
  });
  const text = (name: "userId" | "entityType" | "entityId", label: string, hint: string) => (
    <TextInput
      label={label}
      placeholder={hint}
      defaultValue={list.filters[name]}
      key={`${name}-${list.filters[name]}`}
      onKeyDown={(e) => {
        if (e.key === "Enter") list.setFilters({ [name]: e.currentTarget.value.trim() });
      }}
      onBlur={(e) => {
        if (e.currentTarget.value.trim() !== list.filters[name])
          list.setFilters({ [name]: e.currentTarget.value.trim() });
      }}
    />
  );
  const columns: Column<AuditEntry>[] = [
    {
      key: "at",
      label: t("audit.at"),
      nowrap: true,
      sortKey: "id",
      render: (e) => formatDateTime(e.at, i18n.language),
    },
    {
      key: "user",
      label: t("audit.user"),
      render: (e) => (e.userId === null ? t("audit.commandLine") : `#${e.userId}`),
    },
    { key: "address", label: t("audit.address"), render: (e) => e.address ?? "—" },
    { key: "partner", label: t("audit.partner"), render: (e) => e.partnerCode ?? "—" },
    { key: "entity", label: t("audit.entity"), render: (e) => `${e.entityType} ${e.entityId}` },
    { key: "action", label: t("audit.action"), render: (e) => e.action },
    {
      key: "changes",
      label: t("audit.changes"),
      render: (e) => <DiffView before={e.before} after={e.after} />,
    },
  ];
  return (
    <>
      <PageHeader title={title} />
      <Group mb="sm" align="flex-end">
        {text("userId", t("audit.userId"), "42")}
        {text("entityType", t("audit.entityType"), "store")}
        {text("entityId", t("audit.entityId"), "MSK-01")}
        <DatePickerInput
          type="range"
          label={t("audit.period")}
          placeholder={t("audit.anyPeriod")}
          clearable
          allowSingleDateInRange
          valueFormat="DD.MM.YYYY"
          w={260}
          value={[from || null, to || null]}
          onChange={([start, end]) => {
            if ((start && end) || (!start && !end)) {
              list.setFilters({
                from: start ? dayjs(start).format(DAY) : null,
                to: end ? dayjs(end).format(DAY) : null,
              });
            }
          }}
        />
        {(list.filters.userId || list.filters.entityType || list.filters.entityId || from || to) && (
          <Button
            variant="subtle"
            onClick={() =>
              list.setFilters({ userId: null, entityType: null, entityId: null, from: null, to: null })
            }
          >
            {t("common.resetFilters")}
          </Button>
        )}
      </Group>
      <ErrorAlert error={entries.error} />
      <DataTable
        caption={title}
        columns={columns}
        rows={entries.data?.items}
        rowKey={(e) => String(e.id)}
        loading={entries.isPending}
        list={list}
        nextCursor={entries.data?.nextCursor ?? null}
      />
    </>
  );
}
