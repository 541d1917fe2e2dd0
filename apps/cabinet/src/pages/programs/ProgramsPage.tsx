import { Anchor, Badge, Button, Group, Modal, Stack, Table, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { Participant, Program } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";

/** Programs the partner owns or takes part in; owners see and change who takes part. */
export default function ProgramsPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  const [participantsOf, setParticipantsOf] = useState<Program | null>(null);
  const programs = useQuery({
    queryKey: ["programs", partner.code],
    queryFn: () => api<{ items: Program[] }>("GET", `${partner.path}/programs`),
  });
  const columns: Column<Program>[] = [
    {
      key: "code",
      label: t("programs.code"),
      nowrap: true,
      render: (p) => (
        <Anchor component={Link} to={encodeURIComponent(p.code)} fw={700}>
          {p.code}
        </Anchor>
      ),
    },
    { key: "name", label: t("programs.name"), render: (p) => p.name },
    {
      key: "kind",
      label: t("programs.kind"),
      render: (p) => t(`programs.kinds.${p.kind}`, { defaultValue: p.kind }),
    },
    { key: "active", label: t("common.status"), nowrap: true, render: (p) => <StatusBadge on={p.active} /> },
    {
      key: "relation",
      label: t("programs.relation"),
      render: (p) => (
        <Badge variant="outline" color={p.relation === "owner" ? "indigo.9" : "gray.8"}>
          {p.relation === "owner"
            ? t("programs.owner")
            : t("programs.participantOf", { owner: p.ownerPartnerCode })}
        </Badge>
      ),
    },
    {
      key: "participants",
      label: t("programs.participants"),
      render: (p) =>
        p.relation === "owner" ? (
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setParticipantsOf(p)}
            aria-label={t("programs.participantsOf", { code: p.code })}
          >
            {t("programs.showParticipants")}
          </Button>
        ) : (
          "—"
        ),
    },
  ];
  return (
    <>
      <PageHeader title={t("nav.programs")} showTimeZone={false} />
      <ErrorAlert error={programs.error} />
      <DataTable
        caption={t("nav.programs")}
        columns={columns}
        rows={programs.data?.items}
        rowKey={(p) => p.code}
        loading={programs.isPending}
      />
      {participantsOf && <Participants program={participantsOf} onClose={() => setParticipantsOf(null)} />}
    </>
  );
}

function Participants({ program, onClose }: { program: Program; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const mayWrite = can(user, partner.code, "participants.write");
  const path = `${partner.path}/programs/${encodeURIComponent(program.code)}/participants`;
  const participants = useQuery({
    queryKey: ["participants", partner.code, program.code],
    queryFn: () => api<{ items: Participant[] }>("GET", path),
  });
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: ["participants", partner.code, program.code] });
  const form = useForm({ mode: "controlled", initialValues: { partnerCode: "" } });
  const add = useMutation({
    mutationFn: (v: { partnerCode: string }) =>
      api<Participant>("POST", path, { partnerCode: v.partnerCode.trim() }),
    onSuccess: () => {
      form.reset();
      void refresh();
    },
    onError: (error) => applyApiError(form, error),
  });
  const remove = useMutation({
    mutationFn: (p: Participant) => api("DELETE", `${path}/${encodeURIComponent(p.partnerCode)}`),
    onSuccess: () => void refresh(),
  });
  return (
    <Modal opened onClose={onClose} size="lg" title={t("programs.participantsTitle", { name: program.name })}>
      <Stack>
        <ErrorAlert error={participants.error ?? remove.error} />
        {participants.data?.items.length === 0 && <Text>{t("programs.noParticipants")}</Text>}
        {participants.data && participants.data.items.length > 0 && (
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("partners.code")}</Table.Th>
                <Table.Th>{t("partners.name")}</Table.Th>
                <Table.Th>{t("programs.since")}</Table.Th>
                {mayWrite && <Table.Th>{t("common.actions")}</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {participants.data.items.map((p) => (
                <Table.Tr key={p.partnerCode}>
                  <Table.Td>{p.partnerCode}</Table.Td>
                  <Table.Td>{p.partnerName}</Table.Td>
                  <Table.Td>{formatDateTime(p.since, i18n.language)}</Table.Td>
                  {mayWrite && (
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="light"
                        color="red.9"
                        onClick={() => remove.mutate(p)}
                      >
                        {t("programs.removeParticipant")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {mayWrite && (
          <form onSubmit={form.onSubmit((v) => add.mutate(v))} noValidate>
            <Group align="flex-end">
              <TextInput
                label={t("programs.addParticipantCode")}
                required
                {...form.getInputProps("partnerCode")}
              />
              <Button type="submit" loading={add.isPending}>
                {t("programs.addParticipant")}
              </Button>
            </Group>
            {add.error && !form.errors.partnerCode && <ErrorAlert error={add.error} />}
          </form>
        )}
      </Stack>
    </Modal>
  );
}
