import { Anchor, Button, Group, Select, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api } from "../../api/client.ts";
import type { Card, Page, Program } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDate, formatPoints } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";
import { CardStatusBadge } from "./CardStatusBadge.tsx";
import { GenerateCardsForm } from "./GenerateCardsForm.tsx";

const FILTERS = ["number", "phone", "email", "status", "programCode"] as const;
/** What the search box looks for: the API finds a card by its number or, exactly, by its holder's contact. */
const SEARCH_BY = ["number", "phone", "email"] as const;
type SearchBy = (typeof SEARCH_BY)[number];
const STATUSES = ["active", "blocked", "accrual_only"] as const;

/** The partner's cards: found by number or by the holder's phone or e-mail; batches are generated here. */
export default function CardsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const list = useListParams(FILTERS, "number");
  const navigate = useNavigate();
  const mayWrite = can(user, partner.code, "cards.write");
  const [generating, setGenerating] = useState(false);
  const searchedBy: SearchBy = SEARCH_BY.find((f) => list.filters[f]) ?? "number";
  const [searchBy, setSearchBy] = useState<SearchBy>(searchedBy);
  const searchText = list.filters[searchedBy];
  const [text, setText] = useState(searchText);
  // The URL is the truth: going back or following a link shows its search in the box.
  useEffect(() => {
    setText(searchText);
    setSearchBy(searchedBy);
  }, [searchText, searchedBy]);

  const cards = useQuery({
    queryKey: ["cards", partner.code, list.query],
    queryFn: () => api<Page<Card>>("GET", `${partner.path}/cards`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const programs = useQuery({
    queryKey: ["programs", partner.code],
    queryFn: () => api<{ items: Program[] }>("GET", `${partner.path}/programs`),
  });

  const search = (by: SearchBy, text: string) => {
    const value = text.trim();
    if (value === list.filters[by] && SEARCH_BY.every((f) => f === by || !list.filters[f])) return;
    list.setFilters({ number: null, phone: null, email: null, [by]: value || null });
  };

  const columns: Column<Card>[] = [
    {
      key: "number",
      label: t("cards.number"),
      nowrap: true,
      sortKey: "number",
      render: (c) => (
        <>
          <Anchor
            component={Link}
            to={`/p/${partner.code}/cards/${encodeURIComponent(c.number)}`}
            fw={700}
            size="sm"
          >
            {c.number}
          </Anchor>
          {c.virtual && (
            <Text span size="xs" c="gray.8" ml={6}>
              {t("cards.virtualShort")}
            </Text>
          )}
        </>
      ),
    },
    { key: "program", label: t("cards.program"), nowrap: true, render: (c) => c.programCode },
    {
      key: "status",
      label: t("common.status"),
      nowrap: true,
      render: (c) => <CardStatusBadge status={c.status} />,
    },
    { key: "level", label: t("cards.level"), nowrap: true, render: (c) => c.level ?? "—" },
    {
      key: "holder",
      label: t("cards.holder"),
      nowrap: true,
      render: (c) =>
        c.clientId === null ? (
          "—"
        ) : can(user, partner.code, "clients.read") ? (
          <Anchor component={Link} to={`/p/${partner.code}/clients/${c.clientId}`} size="sm">
            {t("cards.clientNo", { id: c.clientId })}
          </Anchor>
        ) : (
          t("cards.clientNo", { id: c.clientId })
        ),
    },
    {
      key: "active",
      label: t("cards.balanceActive"),
      nowrap: true,
      render: (c) => formatPoints(c.balance.active),
    },
    {
      key: "available",
      label: t("cards.balanceAvailable"),
      nowrap: true,
      render: (c) => formatPoints(c.balance.available),
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (c) => formatDate(c.createdAt, i18n.language),
    },
  ];

  return (
    <>
      <PageHeader
        title={t("nav.cards")}
        actions={mayWrite && <Button onClick={() => setGenerating(true)}>{t("cards.generate")}</Button>}
      />
      <Group mb="sm" align="flex-end">
        <Select
          label={t("cards.searchBy")}
          w={170}
          value={searchBy}
          allowDeselect={false}
          data={SEARCH_BY.map((f) => ({ value: f, label: t(`cards.searchByOptions.${f}`) }))}
          onChange={(v) => setSearchBy((v ?? "number") as SearchBy)}
        />
        <TextInput
          label={t("common.search")}
          placeholder={t(`cards.searchHints.${searchBy}`)}
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
            ...STATUSES.map((s) => ({ value: s, label: t(`cards.statuses.${s}`) })),
          ]}
          onChange={(v) => list.setFilters({ status: v === "all" ? null : v })}
        />
        <Select
          label={t("cards.program")}
          w={220}
          value={list.filters.programCode || "all"}
          allowDeselect={false}
          data={[
            { value: "all", label: t("cards.allPrograms") },
            ...(programs.data?.items ?? []).map((p) => ({ value: p.code, label: `${p.name} (${p.code})` })),
          ]}
          onChange={(v) => list.setFilters({ programCode: v === "all" ? null : v })}
        />
      </Group>
      <ErrorAlert error={cards.error} />
      <DataTable
        caption={t("nav.cards")}
        columns={columns}
        rows={cards.data?.items}
        rowKey={(c) => c.number}
        loading={cards.isPending}
        list={list}
        nextCursor={cards.data?.nextCursor ?? null}
      />
      {generating && (
        <GenerateCardsForm
          programs={programs.data?.items ?? []}
          onClose={() => setGenerating(false)}
          onGenerated={(batch) => {
            setGenerating(false);
            // The new batch is the newest: show the program's cards newest first, the batch on top.
            navigate({
              search: `?${new URLSearchParams({ programCode: batch.programCode, sort: "-createdAt" })}`,
            });
          }}
        />
      )}
    </>
  );
}
