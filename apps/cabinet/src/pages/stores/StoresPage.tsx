import { Button, Group, Select, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Page, Store } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";
import { StoreForm } from "./StoreForm.tsx";

const FILTERS = ["q", "active"] as const;

export default function StoresPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "code");
  const [editing, setEditing] = useState<Store | "new" | null>(null);
  const mayWrite = can(user, partner.code, "stores.write");

  const stores = useQuery({
    queryKey: ["stores", partner.code, list.query],
    queryFn: () => api<Page<Store>>("GET", `${partner.path}/stores`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const toggle = useMutation({
    mutationFn: (store: Store) =>
      api<Store>(
        "POST",
        `${partner.path}/stores/${encodeURIComponent(store.code)}/${store.active ? "disable" : "enable"}`,
      ),
    onSuccess: (store) => {
      notifications.show({
        message: t(store.active ? "stores.enabledNote" : "stores.disabledNote", { code: store.code }),
      });
      void queryClient.invalidateQueries({ queryKey: ["stores", partner.code] });
    },
  });

  const columns: Column<Store>[] = [
    {
      key: "code",
      label: t("stores.code"),
      nowrap: true,
      sortKey: "code",
      render: (s) => <strong>{s.code}</strong>,
    },
    { key: "name", label: t("stores.name"), sortKey: "name", render: (s) => s.name },
    { key: "timezone", label: t("stores.timezone"), nowrap: true, render: (s) => s.timezone },
    { key: "address", label: t("stores.address"), render: (s) => s.address ?? "—" },
    { key: "active", label: t("common.status"), nowrap: true, render: (s) => <StatusBadge on={s.active} /> },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (s) => formatDateTime(s.createdAt, i18n.language),
    },
  ];
  if (mayWrite) {
    columns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (s) => (
        <Group gap="xs" wrap="nowrap">
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setEditing(s)}
            aria-label={t("stores.editOne", { code: s.code })}
          >
            {t("common.edit")}
          </Button>
          <Button
            size="compact-sm"
            variant="outline"
            color={s.active ? "red.9" : "teal.9"}
            loading={toggle.isPending && toggle.variables?.code === s.code}
            onClick={() => toggle.mutate(s)}
            aria-label={t(s.active ? "stores.disableOne" : "stores.enableOne", { code: s.code })}
          >
            {s.active ? t("common.disable") : t("common.enable")}
          </Button>
        </Group>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("nav.stores")}
        actions={mayWrite && <Button onClick={() => setEditing("new")}>{t("stores.create")}</Button>}
      />
      <Group mb="sm" align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("stores.searchHint")}
          defaultValue={list.filters.q}
          onKeyDown={(e) => {
            if (e.key === "Enter") list.setFilters({ q: e.currentTarget.value.trim() });
          }}
          onBlur={(e) => {
            if (e.currentTarget.value.trim() !== list.filters.q)
              list.setFilters({ q: e.currentTarget.value.trim() });
          }}
        />
        <Select
          label={t("common.status")}
          value={list.filters.active || "all"}
          allowDeselect={false}
          data={[
            { value: "all", label: t("common.all") },
            { value: "true", label: t("common.enabledMany") },
            { value: "false", label: t("common.disabledMany") },
          ]}
          onChange={(v) => list.setFilters({ active: v === "all" ? null : v })}
        />
      </Group>
      <ErrorAlert error={stores.error ?? toggle.error} />
      <DataTable
        caption={t("nav.stores")}
        columns={columns}
        rows={stores.data?.items}
        rowKey={(s) => s.code}
        loading={stores.isPending}
        list={list}
        nextCursor={stores.data?.nextCursor ?? null}
      />
      {editing !== null && (
        <StoreForm
          store={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ["stores", partner.code] });
          }}
        />
      )}
    </>
  );
}
