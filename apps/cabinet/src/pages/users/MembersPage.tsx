import { Button, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type {
  Member,
  MemberCreate,
  MemberCreated,
  MemberUpdate,
  Page,
  PartnerRole,
} from "../../api/types.ts";
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
import { ROLES } from "./roles.ts";

const FILTERS = ["q", "role", "enabled"] as const;

/** The partner's users and their roles (owners change them; analysts read). */
export default function MembersPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const list = useListParams(FILTERS, "email");
  const [adding, setAdding] = useState(false);
  const [oneTime, setOneTime] = useState<MemberCreated | null>(null);
  const mayWrite = can(user, partner.code, "users.write");
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));

  const members = useQuery({
    queryKey: ["members", partner.code, list.query],
    queryFn: () => api<Page<Member>>("GET", `${partner.path}/users`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["members", partner.code] });
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: PartnerRole }) =>
      api<Member>("PATCH", `${partner.path}/users/${member.userId}`, { role } satisfies MemberUpdate),
    onSuccess: (m) => {
      notifications.show({ message: t("users.roleChanged", { email: m.email, role: t(`roles.${m.role}`) }) });
      void refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (m: Member) =>
      api<Member>("POST", `${partner.path}/users/${m.userId}/${m.enabled ? "disable" : "enable"}`),
    onSuccess: () => void refresh(),
  });

  const columns: Column<Member>[] = [
    { key: "email", label: t("users.email"), sortKey: "email", render: (m) => m.email },
    {
      key: "role",
      label: t("users.role"),
      render: (m) =>
        mayWrite ? (
          <Select
            size="xs"
            w={160}
            aria-label={t("users.roleOf", { email: m.email })}
            value={m.role}
            allowDeselect={false}
            data={roleOptions}
            onChange={(role) =>
              role && role !== m.role && changeRole.mutate({ member: m, role: role as PartnerRole })
            }
          />
        ) : (
          t(`roles.${m.role}`)
        ),
    },
    {
      key: "enabled",
      label: t("users.membership"),
      nowrap: true,
      render: (m) => <StatusBadge on={m.enabled} />,
    },
    {
      key: "account",
      label: t("users.account"),
      nowrap: true,
      render: (m) => <StatusBadge on={m.accountEnabled} />,
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (m) => formatDateTime(m.createdAt, i18n.language),
    },
  ];
  if (mayWrite) {
    columns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (m) => (
        <Button
          size="compact-sm"
          variant="outline"
          color={m.enabled ? "red.9" : "teal.9"}
          onClick={() => toggle.mutate(m)}
          loading={toggle.isPending && toggle.variables?.userId === m.userId}
          aria-label={t(m.enabled ? "users.disableOne" : "users.enableOne", { email: m.email })}
        >
          {m.enabled ? t("common.disable") : t("common.enable")}
        </Button>
      ),
    });
  }

  return (
    <>
      <PageHeader
        title={t("nav.users")}
        actions={mayWrite && <Button onClick={() => setAdding(true)}>{t("users.add")}</Button>}
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
          label={t("users.role")}
          placeholder={t("common.all")}
          clearable
          value={list.filters.role || null}
          data={roleOptions}
          onChange={(v) => list.setFilters({ role: v })}
        />
        <Select
          label={t("users.membership")}
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
      <ErrorAlert error={members.error ?? changeRole.error ?? toggle.error} />
      <DataTable
        caption={t("nav.users")}
        columns={columns}
        rows={members.data?.items}
        rowKey={(m) => String(m.userId)}
        loading={members.isPending}
        list={list}
        nextCursor={members.data?.nextCursor ?? null}
      />
      {adding && (
        <AddMember
          roleOptions={roleOptions}
          onClose={() => setAdding(false)}
          onAdded={(answer) => {
            setAdding(false);
            if (answer.oneTimePassword) setOneTime(answer);
            else notifications.show({ message: t("users.addedExisting", { email: answer.member.email }) });
            void refresh();
          }}
        />
      )}
      <SecretModal
        title={t("users.oneTimeTitle", { email: oneTime?.member.email ?? "" })}
        label={t("users.oneTimePassword")}
        secret={oneTime?.oneTimePassword ?? null}
        onClose={() => setOneTime(null)}
      />
    </>
  );
}

function AddMember({
  roleOptions,
  onClose,
  onAdded,
}: {
  roleOptions: { value: string; label: string }[];
  onClose(): void;
  onAdded(answer: MemberCreated): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const form = useForm<MemberCreate>({
    mode: "controlled",
    initialValues: { email: "", role: "analyst" },
    validate: { email: (v) => (v.includes("@") ? null : t("form.email")) },
  });
  const add = useMutation({
    mutationFn: (v: MemberCreate) =>
      api<MemberCreated>("POST", `${partner.path}/users`, { ...v, email: v.email.trim() }),
    onSuccess: onAdded,
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal opened onClose={onClose} title={t("users.add")}>
      <form onSubmit={form.onSubmit((v) => add.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t("users.email")} type="email" required {...form.getInputProps("email")} />
          <Select
            label={t("users.role")}
            allowDeselect={false}
            data={roleOptions}
            {...form.getInputProps("role")}
          />
          {add.error && Object.keys(form.errors).length === 0 && <ErrorAlert error={add.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={add.isPending}>
              {t("users.add")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
