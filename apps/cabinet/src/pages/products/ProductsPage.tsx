import { Button, Group, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { AdminProduct, Page } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDateTime, formatRubles } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";
import { ImportProducts } from "./ImportProducts.tsx";

const FILTERS = ["q"] as const;

/** The partner's product catalogue: searched by a prefix, topped up from a CSV file. */
export default function ProductsPage() {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const user = useUser();
  const [importing, setImporting] = useState(false);
  const list = useListParams(FILTERS, "sku");
  const [text, setText] = useState(list.filters.q);
  // The URL is the truth: going back or following a link shows its search in the box.
  useEffect(() => setText(list.filters.q), [list.filters.q]);
  const products = useQuery({
    queryKey: ["products", partner.code, list.query],
    queryFn: () => api<Page<AdminProduct>>("GET", `${partner.path}/products`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const search = (value: string) => {
    const q = value.trim();
    if (q !== list.filters.q) list.setFilters({ q: q || null });
  };
  const columns: Column<AdminProduct>[] = [
    {
      key: "sku",
      label: t("products.sku"),
      nowrap: true,
      sortKey: "sku",
      render: (p) => <strong>{p.sku}</strong>,
    },
    { key: "barcode", label: t("products.barcode"), nowrap: true, render: (p) => p.barcode ?? "—" },
    { key: "name", label: t("products.name"), sortKey: "name", render: (p) => p.name },
    {
      key: "category",
      label: t("products.category"),
      render: (p) => [p.category, p.brand].filter(Boolean).join(" · ") || "—",
    },
    { key: "manufacturer", label: t("products.manufacturer"), render: (p) => p.manufacturer ?? "—" },
    {
      key: "minPrice",
      label: t("products.minPrice"),
      nowrap: true,
      render: (p) => (p.minPrice > 0 ? formatRubles(p.minPrice) : "—"),
    },
    {
      key: "flags",
      label: t("products.flags"),
      render: (p) =>
        [
          p.excludedFromAccrual ? t("products.noAccrual") : null,
          p.excludedFromPointsPayment ? t("products.noPointsPayment") : null,
        ]
          .filter(Boolean)
          .join(", ") || "—",
    },
    {
      key: "updatedAt",
      label: t("products.updatedAt"),
      nowrap: true,
      sortKey: "updatedAt",
      render: (p) => formatDateTime(p.updatedAt, i18n.language),
    },
  ];
  return (
    <>
      <PageHeader
        title={t("products.title")}
        actions={
          can(user, partner.code, "programs.write") && (
            <Button onClick={() => setImporting(true)}>{t("products.import")}</Button>
          )
        }
      />
      {importing && <ImportProducts onClose={() => setImporting(false)} />}
      <Group mb="sm" align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("products.searchHint")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          w={320}
          onKeyDown={(e) => {
            if (e.key === "Enter") search(e.currentTarget.value);
          }}
          onBlur={(e) => search(e.currentTarget.value)}
        />
        <Text size="sm" c="gray.8" maw={520}>
          {t("products.uploadedBy")}
        </Text>
      </Group>
      <ErrorAlert error={products.error} />
      <DataTable
        caption={t("products.title")}
        columns={columns}
        rows={products.data?.items}
        rowKey={(p) => p.sku}
        loading={products.isPending}
        list={list}
        nextCursor={products.data?.nextCursor ?? null}
      />
    </>
  );
}
