import { Button, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Credential, CredentialCreate, CredentialWithSecret, Page, Store } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { SecretModal } from "../../components/SecretModal.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";

const FILTERS = ["q", "enabled", "storeCode"] as const;
const WHOLE_PARTNER = "__partner__";

function useStores(partnerPath: string, partnerCode: string) {
  return useQuery({
    queryKey: ["stores", partnerCode, "all-for-select"],
    queryFn: () => api<Page<Store>>("GET", `${partnerPath}/stores`, undefined, { limit: 200, sort: "code" }),
    staleTime: 60_000,
  });
}

export default function CredentialsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "login");
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<CredentialWithSecret | null>(null);
  const mayWrite = can(user, partner.code, "credentials.write");
  const stores = useStores(partner.path, partner.code);
  const storeOptions = (stores.data?.items ?? []).map((s) => ({
    value: s.code,
    label: `${s.code} — ${s.name}`,
  }));

  const credentials = useQuery({
    queryKey: ["credentials", partner.code, list.query],
    queryFn: () => api<Page<Credential>>("GET", `${partner.path}/credentials`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["credentials", partner.code] });
  const path = (c: Credential, action: string) =>
    `${partner.path}/credentials/${encodeURIComponent(c.login)}/${action}`;
  const toggle = useMutation({
    mutationFn: (c: Credential) => api<Credential>("POST", path(c, c.enabled ? "disable" : "enable")),
    onSuccess: (c) => {
      notifications.show({
        message: t(c.enabled ? "credentials.enabledNote" : "credentials.disabledNote", { login: c.login }),
      });
      void refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: (c: Credential) => api<CredentialWithSecret>("POST", path(c, "rotate-secret")),
    onSuccess: (answer) => {
      setSecret(answer);
      void refresh();
    },
  });

  const columns: Column<Credential>[] = [
    {
      key: "login",
      label: t("credentials.login"),
      nowrap: true,
      sortKey: "login",
      render: (c) => <strong>{c.login}</strong>,
    },
    {
      key: "store",
      label: t("credentials.store"),
      render: (c) => c.storeCode ?? t("credentials.wholePartner"),
    },
    { key: "description", label: t("credentials.description"), render: (c) => c.description ?? "—" },
    {
      key: "enabled",
      label: t("common.status"),
      nowrap: true,
      render: (c) => <StatusBadge on={c.enabled} />,
    },
    {
      key: "rotated",
      label: t("credentials.secretRotatedAt"),
      nowrap: true,
      render: (c) => (c.secretRotatedAt ? formatDateTime(c.secretRotatedAt, i18n.language) : "—"),
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (c) => formatDateTime(c.createdAt, i18n.language),
    },
  ];
  if (mayWrite) {
    columns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (c) => (
        <Group gap="xs" wrap="nowrap">
          <Button
            size="compact-sm"
            variant="light"
            loading={rotate.isPending && rotate.variables?.login === c.login}
            onClick={() => {
              if (window.confirm(t("credentials.rotateConfirm", { login: c.login }))) rotate.mutate(c);
            }}
            aria-label={t("credentials.rotateOne", { login: c.login })}
          >
            {t("credentials.rotate")}
          </Button>
          <Button
            size="compact-sm"
            variant="outline"
            color={c.enabled ? "red.9" : "teal.9"}
            loading={toggle.isPending && toggle.variables?.login === c.login}
            onClick={() => toggle.mutate(c)}
            aria-label={t(c.enabled ? "credentials.disableOne" : "credentials.enableOne", { login: c.login })}
          >
            {c.enabled ? t("common.disable") : t("common.enable")}
          </Button>
        </Group>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("nav.credentials")}
        actions={mayWrite && <Button onClick={() => setCreating(true)}>{t("credentials.create")}</Button>}
      />
      <Group mb="sm" align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("credentials.searchHint")}
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
          label={t("credentials.store")}
          value={list.filters.storeCode || null}
          placeholder={t("common.all")}
          clearable
          data={storeOptions}
          onChange={(v) => list.setFilters({ storeCode: v })}
        />
        <Select
          label={t("common.status")}
          value={list.filters.enabled || "all"}
          allowDeselect={false}
          data={[
            { value: "all", label: t("common.all") },
            { value: "true", label: t("common.enabledMany") },
            { value: "false", label: t("common.disabledMany") },
          ]}
          onChange={(v) => list.setFilters({ enabled: v === "all" ? null : v })}
        />
      </Group>
      <ErrorAlert error={credentials.error ?? toggle.error ?? rotate.error} />
      <DataTable
        caption={t("nav.credentials")}
        columns={columns}
        rows={credentials.data?.items}
        rowKey={(c) => c.login}
        loading={credentials.isPending}
        list={list}
        nextCursor={credentials.data?.nextCursor ?? null}
      />
      {creating && (
        <CreateCredential
          storeOptions={storeOptions}
          onClose={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            setSecret(answer);
            void refresh();
          }}
        />
      )}
      <SecretModal
        title={t("credentials.secretTitle", { login: secret?.credential.login ?? "" })}
        label={t("credentials.secret")}
        secret={secret?.secret ?? null}
        onClose={() => setSecret(null)}
      />
    </>
  );
}

type CreateValues = {
  login: string;
  storeCode: string;
  description: string;
};

function CreateCredential({
  storeOptions,
  onClose,
  onCreated,
}: {
  storeOptions: { value: string; label: string }[];
  onClose(): void;
  onCreated(answer: CredentialWithSecret): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const form = useForm<CreateValues>({
    mode: "controlled",
    initialValues: { login: "", storeCode: WHOLE_PARTNER, description: "" },
    validate: { login: (v) => (v.trim() ? null : t("form.required")) },
  });
  const create = useMutation({
    mutationFn: (v: CreateValues) => {
      const body: CredentialCreate = {
        login: v.login.trim(),
        storeCode: v.storeCode === WHOLE_PARTNER ? null : v.storeCode,
        description: v.description.trim() || null,
      };
      return api<CredentialWithSecret>("POST", `${partner.path}/credentials`, body);
    },
    onSuccess: onCreated,
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal opened onClose={onClose} title={t("credentials.create")}>
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <TextInput
            label={t("credentials.login")}
            description={t("credentials.loginHint")}
            required
            {...form.getInputProps("login")}
          />
          <Select
            label={t("credentials.store")}
            allowDeselect={false}
            data={[{ value: WHOLE_PARTNER, label: t("credentials.wholePartner") }, ...storeOptions]}
            {...form.getInputProps("storeCode")}
          />
          <TextInput label={t("credentials.description")} {...form.getInputProps("description")} />
          {create.error && Object.keys(form.errors).length === 0 && <ErrorAlert error={create.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t("common.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
