import { Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { Page, Partner, PartnerCreate } from "../../api/types.ts";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { useListParams } from "../../lib/list-params.ts";

const FILTERS = ["q"] as const;

/** Partners: retail chains and manufacturers (platform administrators). */
export default function PartnersPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "code");
  const [editing, setEditing] = useState<Partner | "new" | null>(null);
  const partners = useQuery({
    queryKey: ["partners", list.query],
    queryFn: () => api<Page<Partner>>("GET", "/partners", undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const columns: Column<Partner>[] = [
    {
      key: "code",
      label: t("partners.code"),
      nowrap: true,
      sortKey: "code",
      render: (p) => (
        <Link to={`/p/${encodeURIComponent(p.code)}`} aria-label={t("partners.open", { name: p.name })}>
          {p.code}
        </Link>
      ),
    },
    { key: "name", label: t("partners.name"), sortKey: "name", render: (p) => p.name },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (p) => formatDateTime(p.createdAt, i18n.language),
    },
    {
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (p) => (
        <Button
          size="compact-sm"
          variant="light"
          onClick={() => setEditing(p)}
          aria-label={t("partners.renameOne", { code: p.code })}
        >
          {t("partners.rename")}
        </Button>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t("nav.partners")}
        actions={<Button onClick={() => setEditing("new")}>{t("partners.create")}</Button>}
      />
      <Group mb="sm" align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("partners.searchHint")}
          defaultValue={list.filters.q}
          onKeyDown={(e) => {
            if (e.key === "Enter") list.setFilters({ q: e.currentTarget.value.trim() });
          }}
          onBlur={(e) => {
            if (e.currentTarget.value.trim() !== list.filters.q)
              list.setFilters({ q: e.currentTarget.value.trim() });
          }}
        />
      </Group>
      <ErrorAlert error={partners.error} />
      <DataTable
        caption={t("nav.partners")}
        columns={columns}
        rows={partners.data?.items}
        rowKey={(p) => p.code}
        loading={partners.isPending}
        list={list}
        nextCursor={partners.data?.nextCursor ?? null}
      />
      {editing !== null && (
        <PartnerForm
          partner={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void queryClient.invalidateQueries({ queryKey: ["partners"] });
          }}
        />
      )}
    </>
  );
}

function PartnerForm({
  partner,
  onClose,
  onSaved,
}: {
  partner: Partner | null;
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const form = useForm<PartnerCreate>({
    mode: "controlled",
    initialValues: { code: partner?.code ?? "", name: partner?.name ?? "" },
    validate: {
      code: (v) => (v.trim() ? null : t("form.required")),
      name: (v) => (v.trim() ? null : t("form.required")),
    },
  });
  const save = useMutation({
    mutationFn: (v: PartnerCreate) =>
      partner
        ? api<Partner>("PATCH", `/partners/${encodeURIComponent(partner.code)}`, { name: v.name.trim() })
        : api<Partner>("POST", "/partners", { code: v.code.trim(), name: v.name.trim() }),
    onSuccess: onSaved,
    onError: (error) => applyApiError(form, error, { partnerCode: "code" }),
  });
  return (
    <Modal
      opened
      onClose={onClose}
      title={partner ? t("partners.renameTitle", { code: partner.code }) : t("partners.create")}
    >
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput
            label={t("partners.code")}
            required
            disabled={partner !== null}
            {...form.getInputProps("code")}
          />
          <TextInput label={t("partners.name")} required {...form.getInputProps("name")} />
          {save.error && Object.keys(form.errors).length === 0 && <ErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
