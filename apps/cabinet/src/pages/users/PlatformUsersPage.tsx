import { Badge, Button, Checkbox, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Page, User, UserCreate, UserWithPassword } from "../../api/types.ts";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { SecretModal } from "../../components/SecretModal.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { useListParams } from "../../lib/list-params.ts";

const FILTERS = ["q", "enabled", "platformAdmin"] as const;

/** Every cabinet user of the platform (platform administrators). */
export default function PlatformUsersPage() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "email");
  const [creating, setCreating] = useState(false);
  const [oneTime, setOneTime] = useState<UserWithPassword | null>(null);
  const users = useQuery({
    queryKey: ["users", list.query],
    queryFn: () => api<Page<User>>("GET", "/users", undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["users"] });
  const toggle = useMutation({
    mutationFn: (u: User) => api<User>("POST", `/users/${u.id}/${u.enabled ? "disable" : "enable"}`),
    onSuccess: () => void refresh(),
  });
  const reset = useMutation({
    mutationFn: (u: User) => api<UserWithPassword>("POST", `/users/${u.id}/reset-password`),
    onSuccess: (answer) => {
      setOneTime(answer);
      void refresh();
    },
  });
  const columns: Column<User>[] = [
    { key: "email", label: t("users.email"), sortKey: "email", render: (u) => u.email },
    {
      key: "roles",
      label: t("users.roles"),
      render: (u) => (
        <Group gap={4}>
          {u.platformAdmin && <Badge color="grape.9">{t("roles.platformAdmin")}</Badge>}
          {u.memberships.map((m) => (
            <Badge key={m.partnerCode} variant="outline" color={m.enabled ? "indigo.9" : "gray.7"}>
              {m.partnerCode}: {t(`roles.${m.role}`)}
            </Badge>
          ))}
        </Group>
      ),
    },
    {
      key: "enabled",
      label: t("users.account"),
      nowrap: true,
      render: (u) => <StatusBadge on={u.enabled} />,
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (u) => formatDateTime(u.createdAt, i18n.language),
    },
    {
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (u) => (
        <Group gap="xs" wrap="nowrap">
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => window.confirm(t("users.resetConfirm", { email: u.email })) && reset.mutate(u)}
            aria-label={t("users.resetOne", { email: u.email })}
          >
            {t("users.reset")}
          </Button>
          <Button
            size="compact-sm"
            variant="outline"
            color={u.enabled ? "red.9" : "teal.9"}
            onClick={() => toggle.mutate(u)}
            aria-label={t(u.enabled ? "users.disableOne" : "users.enableOne", { email: u.email })}
          >
            {u.enabled ? t("common.disable") : t("common.enable")}
          </Button>
        </Group>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title={t("nav.platformUsers")}
        actions={<Button onClick={() => setCreating(true)}>{t("users.create")}</Button>}
      />
      <Group mb="sm" align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("users.searchHint")}
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
          label={t("users.account")}
          value={list.filters.enabled || "all"}
          allowDeselect={false}
          data={[
            { value: "all", label: t("common.all") },
            { value: "true", label: t("common.enabledMany") },
            { value: "false", label: t("common.disabledMany") },
          ]}
          onChange={(v) => list.setFilters({ enabled: v === "all" ? null : v })}
        />
        <Checkbox
          label={t("users.onlyPlatformAdmins")}
          checked={list.filters.platformAdmin === "true"}
          onChange={(e) => list.setFilters({ platformAdmin: e.currentTarget.checked ? "true" : null })}
          mb={8}
        />
      </Group>
      <ErrorAlert error={users.error ?? toggle.error ?? reset.error} />
      <DataTable
        caption={t("nav.platformUsers")}
        columns={columns}
        rows={users.data?.items}
        rowKey={(u) => String(u.id)}
        loading={users.isPending}
        list={list}
        nextCursor={users.data?.nextCursor ?? null}
      />
      {creating && (
        <CreateUser
          onClose={() => setCreating(false)}
          onCreated={(answer) => {
            setCreating(false);
            setOneTime(answer);
            void refresh();
          }}
        />
      )}
      <SecretModal
        title={t("users.oneTimeTitle", { email: oneTime?.user.email ?? "" })}
        label={t("users.oneTimePassword")}
        secret={oneTime?.oneTimePassword ?? null}
        onClose={() => setOneTime(null)}
      />
    </>
  );
}

function CreateUser({ onClose, onCreated }: { onClose(): void; onCreated(answer: UserWithPassword): void }) {
  const { t } = useTranslation();
  const form = useForm<Required<UserCreate>>({
    mode: "controlled",
    initialValues: { email: "", platformAdmin: false },
    validate: { email: (v) => (v.includes("@") ? null : t("form.email")) },
  });
  const create = useMutation({
    mutationFn: (v: Required<UserCreate>) =>
      api<UserWithPassword>("POST", "/users", { ...v, email: v.email.trim() }),
    onSuccess: onCreated,
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal opened onClose={onClose} title={t("users.create")}>
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t("users.email")} type="email" required {...form.getInputProps("email")} />
          <Checkbox
            label={t("roles.platformAdmin")}
            {...form.getInputProps("platformAdmin", { type: "checkbox" })}
          />
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
