import { Anchor, Button, Group, Paper, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { HangingPurchases, ListedPurchase, Page, Store } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDateTime, formatPoints, formatRubles } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";
import { PURCHASE_STATES, StateBadge, useHangingReason } from "./labels.tsx";
import { ResolveModal } from "./ResolveModal.tsx";

const FILTERS = ["from", "to", "storeCode", "posCode", "state", "cardNumber"] as const;
const DAY = "YYYY-MM-DD";

type Hanging = HangingPurchases["items"][number];

/** Where a purchase's page is: another partner's sale (under a program this one owns) names its seller. */
export function purchaseLink(partnerCode: string, purchaseId: string, seller?: string): string {
  const base = `/p/${encodeURIComponent(partnerCode)}/purchases/${encodeURIComponent(purchaseId)}`;
  return seller && seller !== partnerCode ? `${base}?partner=${encodeURIComponent(seller)}` : base;
}

/**
 * Purchases: the hanging ones first (what waits for an operator, oldest first), then every purchase with
 * its filters in the URL. The period is picked in days of the user's zone and sent as instants.
 */
export default function PurchasesPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "-createdAt");
  const mayResolve = can(user, partner.code, "purchases.write");
  const reasonOf = useHangingReason();
  const [resolving, setResolving] = useState<string | null>(null);
  const { from, to } = list.filters;
  const query = { ...list.query };
  if (from) query.from = dayjs(from).startOf("day").toISOString();
  if (to) query.to = dayjs(to).add(1, "day").startOf("day").toISOString();

  const stores = useQuery({
    queryKey: ["stores", partner.code, "all-for-select"],
    queryFn: () => api<Page<Store>>("GET", `${partner.path}/stores`, undefined, { limit: 200, sort: "code" }),
    staleTime: 60_000,
  });
  const hanging = useQuery({
    queryKey: ["purchases", partner.code, "hanging"],
    queryFn: () => api<HangingPurchases>("GET", `${partner.path}/purchases/hanging`),
  });
  const purchases = useQuery({
    queryKey: ["purchases", partner.code, "list", query],
    queryFn: () => api<Page<ListedPurchase>>("GET", `${partner.path}/purchases`, undefined, query),
    placeholderData: (previous) => previous,
  });

  const idLink = (purchaseId: string, seller?: string) => (
    <Anchor component={Link} to={purchaseLink(partner.code, purchaseId, seller)} fw={600}>
      {purchaseId}
    </Anchor>
  );

  const hangingColumns: Column<Hanging>[] = [
    { key: "id", label: t("purchases.purchaseId"), nowrap: true, render: (h) => idLink(h.purchaseId) },
    { key: "store", label: t("purchases.store"), nowrap: true, render: (h) => h.storeCode },
    { key: "pos", label: t("purchases.pos"), nowrap: true, render: (h) => h.posCode },
    { key: "reason", label: t("purchases.reason"), render: (h) => reasonOf(h.reason) },
    { key: "total", label: t("purchases.total"), nowrap: true, render: (h) => formatRubles(h.total) },
    {
      key: "since",
      label: t("purchases.since"),
      nowrap: true,
      render: (h) => formatDateTime(h.since, i18n.language),
    },
  ];
  if (mayResolve) {
    hangingColumns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (h) => (
        <Button
          size="compact-sm"
          color="red.9"
          variant="outline"
          onClick={() => setResolving(h.purchaseId)}
          aria-label={t("purchases.resolveOne", { id: h.purchaseId })}
        >
          {t("purchases.resolve")}
        </Button>
      ),
    });
  }

  const columns: Column<ListedPurchase>[] = [
    {
      key: "createdAt",
      label: t("purchases.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (p) => formatDateTime(p.createdAt, i18n.language),
    },
    {
      key: "id",
      label: t("purchases.purchaseId"),
      nowrap: true,
      render: (p) => idLink(p.purchaseId, p.partnerCode),
    },
    {
      key: "storePos",
      label: t("purchases.storePos"),
      // Store above its POS: each code stays whole, and the column stays narrow.
      render: (p) => (
        <>
          <Text size="sm" style={{ whiteSpace: "nowrap" }}>
            {p.storeCode}
          </Text>
          <Text size="xs" c="gray.8" style={{ whiteSpace: "nowrap" }}>
            {p.posCode}
          </Text>
        </>
      ),
    },
    {
      key: "card",
      label: t("purchases.card"),
      nowrap: true,
      render: (p) => p.cardNumber ?? t("purchases.noCard"),
    },
    {
      key: "state",
      label: t("purchases.state"),
      render: (p) => <StateBadge state={p.state} />,
    },
    {
      key: "discount",
      label: t("purchases.discount"),
      nowrap: true,
      render: (p) => formatRubles(p.discount),
    },
    {
      key: "total",
      label: t("purchases.total"),
      nowrap: true,
      sortKey: "total",
      render: (p) => formatRubles(p.total),
    },
    {
      key: "points",
      label: t("purchases.pointsColumn"),
      nowrap: true,
      render: (p) => `${formatPoints(p.pointsSpent)} / ${formatPoints(p.pointsAccrued)}`,
    },
    {
      key: "refunded",
      label: t("purchases.refundedShort"),
      nowrap: true,
      render: (p) => (p.refundedAmount > 0 ? formatRubles(p.refundedAmount) : "—"),
    },
  ];

  const text = (name: "posCode" | "cardNumber", label: string, hint: string) => (
    <TextInput
      label={label}
      placeholder={hint}
      w={170}
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
  const anyFilter = FILTERS.some((f) => list.filters[f]);
  const hangingItems = hanging.data?.items ?? [];

  return (
    <>
      <PageHeader title={t("nav.purchases")} />
      <Paper
        withBorder
        p="md"
        mb="lg"
        component="section"
        aria-labelledby="hanging-title"
        style={hangingItems.length > 0 ? { borderColor: "var(--mantine-color-red-7)" } : undefined}
      >
        <Stack gap={4} mb="xs">
          <Group gap="xs">
            <Title order={3} id="hanging-title">
              {t("purchases.hangingTitle")}
            </Title>
            {hangingItems.length > 0 && (
              <Text fw={700} c="red.9">
                {t("purchases.hangingCount", { count: hangingItems.length })}
              </Text>
            )}
          </Group>
          <Text size="sm" c="gray.8">
            {t("purchases.hangingHint")}
          </Text>
        </Stack>
        <ErrorAlert error={hanging.error} />
        {hanging.isSuccess && hangingItems.length === 0 ? (
          <Text c="gray.8">{t("purchases.noHanging")}</Text>
        ) : (
          <DataTable
            caption={t("purchases.hangingTitle")}
            columns={hangingColumns}
            rows={hanging.data?.items}
            rowKey={(h) => h.purchaseId}
            loading={hanging.isPending}
          />
        )}
      </Paper>

      <Title order={3} mb="xs">
        {t("purchases.listTitle")}
      </Title>
      <Group mb="sm" align="flex-end">
        <DatePickerInput
          type="range"
          label={t("purchases.period")}
          placeholder={t("purchases.anyPeriod")}
          clearable
          allowSingleDateInRange
          valueFormat="DD.MM.YYYY"
          w={240}
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
        <Select
          label={t("purchases.store")}
          w={200}
          value={list.filters.storeCode || null}
          placeholder={t("purchases.allStores")}
          clearable
          data={(stores.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` }))}
          onChange={(v) => list.setFilters({ storeCode: v })}
        />
        {text("posCode", t("purchases.pos"), t("purchases.posHint"))}
        <Select
          label={t("purchases.state")}
          w={190}
          value={list.filters.state || null}
          placeholder={t("purchases.anyState")}
          clearable
          data={PURCHASE_STATES.map((s) => ({ value: s, label: t(`purchases.states.${s}`) }))}
          onChange={(v) => list.setFilters({ state: v })}
        />
        {text("cardNumber", t("purchases.card"), t("purchases.cardHint"))}
        {anyFilter && (
          <Button
            variant="subtle"
            onClick={() =>
              list.setFilters({
                from: null,
                to: null,
                storeCode: null,
                posCode: null,
                state: null,
                cardNumber: null,
              })
            }
          >
            {t("common.resetFilters")}
          </Button>
        )}
      </Group>
      <ErrorAlert error={purchases.error} />
      <DataTable
        caption={t("purchases.listTitle")}
        columns={columns}
        rows={purchases.data?.items}
        rowKey={(p) => `${p.partnerCode}/${p.purchaseId}`}
        loading={purchases.isPending}
        list={list}
        nextCursor={purchases.data?.nextCursor ?? null}
      />
      {resolving !== null && (
        <ResolveModal
          partnerPath={partner.path}
          purchaseId={resolving}
          onClose={() => setResolving(null)}
          onResolved={() => {
            setResolving(null);
            void queryClient.invalidateQueries({ queryKey: ["purchases", partner.code] });
            void queryClient.invalidateQueries({ queryKey: ["purchase", partner.path] });
          }}
        />
      )}
    </>
  );
}
