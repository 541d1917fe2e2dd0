import { Anchor, Group, Select, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { Client, Page } from "../../api/types.ts";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";
import { ClientStatusBadge } from "./ClientStatusBadge.tsx";

const FILTERS = ["q", "phone", "email", "status"] as const;
/** A part of the name finds clients; contacts only exactly (the server keeps them as a keyed hash). */
const SEARCH_BY = ["q", "phone", "email"] as const;
type SearchBy = (typeof SEARCH_BY)[number];
export const CLIENT_STATUSES = ["registered", "confirmed", "merged", "anonymised"] as const;

/** The partner's clients (contacts as the server shows them to the role: masked for analysts). */
export default function ClientsPage() {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const list = useListParams(FILTERS, "id");
  const searchedBy: SearchBy = SEARCH_BY.find((f) => list.filters[f]) ?? "q";
  const [searchBy, setSearchBy] = useState<SearchBy>(searchedBy);
  const searchText = list.filters[searchedBy];
  const [text, setText] = useState(searchText);
  // The URL is the truth: going back or following a link shows its search in the box.
  useEffect(() => {
    setText(searchText);
    setSearchBy(searchedBy);
  }, [searchText, searchedBy]);

  const clients = useQuery({
    queryKey: ["clients", partner.code, list.query],
    queryFn: () => api<Page<Client>>("GET", `${partner.path}/clients`, undefined, list.query),
    placeholderData: (previous) => previous,
  });

  const search = (by: SearchBy, text: string) => {
    const value = text.trim();
    if (value === list.filters[by] && SEARCH_BY.every((f) => f === by || !list.filters[f])) return;
    list.setFilters({ q: null, phone: null, email: null, [by]: value || null });
  };

  const columns: Column<Client>[] = [
    {
      key: "id",
      label: t("clients.id"),
      nowrap: true,
      sortKey: "id",
      render: (c) => (
        <Anchor component={Link} to={`/p/${partner.code}/clients/${c.id}`} fw={700} size="sm">
          {t("clients.clientNo", { id: c.id })}
        </Anchor>
      ),
    },
    { key: "name", label: t("clients.name"), render: (c) => c.name ?? "—" },
    { key: "phone", label: t("clients.phone"), nowrap: true, render: (c) => c.phone ?? "—" },
    { key: "email", label: t("clients.email"), render: (c) => c.email ?? "—" },
    {
      key: "status",
      label: t("common.status"),
      nowrap: true,
      render: (c) => <ClientStatusBadge status={c.status} />,
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (c) => formatDateTime(c.createdAt, i18n.language),
    },
  ];

  return (
    <>
      <PageHeader title={t("nav.clients")} />
      <Group mb="sm" align="flex-end">
        <Select
          label={t("clients.searchBy")}
          w={170}
          value={searchBy}
          allowDeselect={false}
          data={SEARCH_BY.map((f) => ({ value: f, label: t(`clients.searchByOptions.${f}`) }))}
          onChange={(v) => setSearchBy((v ?? "q") as SearchBy)}
        />
        <TextInput
          label={t("common.search")}
          placeholder={t(`clients.searchHints.${searchBy}`)}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          w={260}
          onKeyDown={(e) => {
            if (e.key === "Enter") search(searchBy, e.currentTarget.value);
          }}
          onBlur={(e) => search(searchBy, e.currentTarget.value)}
        />
        <Select
          label={t("common.status")}
          w={190}
          value={list.filters.status || "all"}
          allowDeselect={false}
          data={[
            { value: "all", label: t("common.all") },
            ...CLIENT_STATUSES.map((s) => ({ value: s, label: t(`clients.statuses.${s}`) })),
          ]}
          onChange={(v) => list.setFilters({ status: v === "all" ? null : v })}
        />
      </Group>
      <ErrorAlert error={clients.error} />
      <DataTable
        caption={t("nav.clients")}
        columns={columns}
        rows={clients.data?.items}
        rowKey={(c) => String(c.id)}
        loading={clients.isPending}
        list={list}
        nextCursor={clients.data?.nextCursor ?? null}
      />
    </>
  );
}
