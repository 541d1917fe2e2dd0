import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api } from "../../api/client.ts";
import type { Client, ClientDetail, ClientExport, ClientMerge, ClientMergeResult } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatDateTime, formatPoints } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { CardStatusBadge } from "../cards/CardStatusBadge.tsx";
import { ClientForm } from "./ClientForm.tsx";
import { ClientStatusBadge } from "./ClientStatusBadge.tsx";

type HeldCard = ClientDetail["cards"][number];

/** Saves what the server answered as a file, as it answered it. */
function download(fileName: string, payload: unknown) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(payload, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One client: who they are, their cards, and what the desk may do (edit, merge, export, erase). */
export default function ClientPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const clientId = useParams().clientId ?? "";
  const clientPath = `${partner.path}/clients/${encodeURIComponent(clientId)}`;
  const mayWrite = can(user, partner.code, "clients.write");
  const [dialog, setDialog] = useState<"edit" | "merge" | "erase" | null>(null);

  const client = useQuery({
    queryKey: ["client", partner.code, clientId],
    queryFn: () => api<ClientDetail>("GET", clientPath),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["client", partner.code] });
    void queryClient.invalidateQueries({ queryKey: ["clients", partner.code] });
  };
  const exportData = useMutation({
    mutationFn: () => api<ClientExport>("POST", `${clientPath}/export`),
    onSuccess: (data) => {
      download(`client-${clientId}-personal-data.json`, data);
      notify(t("clients.exported", { id: clientId }));
    },
  });

  if (client.isPending) return <PageLoader />;
  if (client.error || !client.data) {
    return (
      <>
        <PageHeader title={t("clients.clientNo", { id: clientId })} showTimeZone={false} />
        <ErrorAlert error={client.error} />
        <BackToClients />
      </>
    );
  }
  const c = client.data;
  const erased = c.status === "anonymised";
  const merged = c.status === "merged";
  const consent = (v: boolean | undefined) => (v ? t("clients.yes") : t("clients.no"));
  const facts: { key: string; label: string; value: ReactNode }[] = [
    { key: "name", label: t("clients.name"), value: c.name ?? "—" },
    { key: "phone", label: t("clients.phone"), value: c.phone ?? "—" },
    { key: "email", label: t("clients.email"), value: c.email ?? "—" },
    { key: "birthDate", label: t("clients.birthDate"), value: c.birthDate ?? "—" },
    { key: "status", label: t("common.status"), value: <ClientStatusBadge status={c.status} /> },
    { key: "confirmed", label: t("clients.confirmed"), value: consent(c.confirmed) },
    {
      key: "personalData",
      label: t("clients.consentPersonalData"),
      value: consent(c.consents?.personalData),
    },
    { key: "sms", label: t("clients.consentSms"), value: consent(c.consents?.sms) },
    { key: "emailConsent", label: t("clients.consentEmail"), value: consent(c.consents?.email) },
    { key: "externalId", label: t("clients.externalId"), value: c.externalId ?? "—" },
    { key: "createdAt", label: t("common.createdAt"), value: formatDateTime(c.createdAt, i18n.language) },
    {
      key: "updatedAt",
      label: t("clients.updatedAt"),
      value: c.updatedAt ? formatDateTime(c.updatedAt, i18n.language) : "—",
    },
  ];
  const cardColumns: Column<HeldCard>[] = [
    {
      key: "number",
      label: t("cards.number"),
      nowrap: true,
      render: (card) =>
        can(user, partner.code, "cards.read") ? (
          <Anchor
            component={Link}
            to={`/p/${partner.code}/cards/${encodeURIComponent(card.number)}`}
            fw={700}
          >
            {card.number}
          </Anchor>
        ) : (
          card.number
        ),
    },
    { key: "program", label: t("cards.program"), nowrap: true, render: (card) => card.programCode },
    {
      key: "status",
      label: t("common.status"),
      nowrap: true,
      render: (card) => <CardStatusBadge status={card.status} />,
    },
    { key: "level", label: t("cards.level"), nowrap: true, render: (card) => card.level ?? "—" },
    {
      key: "active",
      label: t("cards.balanceActive"),
      nowrap: true,
      render: (card) => formatPoints(card.balance.active),
    },
    {
      key: "available",
      label: t("cards.balanceAvailable"),
      nowrap: true,
      render: (card) => formatPoints(card.balance.available),
    },
  ];

  return (
    <>
      <PageHeader
        title={
          c.name ? `${c.name} · ${t("clients.clientNo", { id: c.id })}` : t("clients.clientNo", { id: c.id })
        }
        actions={
          mayWrite &&
          !erased &&
          !merged && (
            <>
              <Button onClick={() => setDialog("edit")}>{t("common.edit")}</Button>
              <Button variant="default" onClick={() => setDialog("merge")}>
                {t("clients.merge")}
              </Button>
              <Button variant="default" loading={exportData.isPending} onClick={() => exportData.mutate()}>
                {t("clients.export")}
              </Button>
              <Button variant="outline" color="red.9" onClick={() => setDialog("erase")}>
                {t("clients.erase")}
              </Button>
            </>
          )
        }
      />
      <BackToClients />
      {merged && c.mergedInto !== null && (
        <Alert color="gray" my="md">
          {t("clients.mergedInto")}{" "}
          <Anchor component={Link} to={`/p/${partner.code}/clients/${c.mergedInto}`}>
            {t("clients.clientNo", { id: c.mergedInto })}
          </Anchor>
        </Alert>
      )}
      {erased && (
        <Alert color="gray" my="md">
          {t("clients.erasedNote")}
        </Alert>
      )}
      <ErrorAlert error={exportData.error} />
      <Paper withBorder p="md" radius="md" my="md">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" component="dl" m={0}>
          {facts.map((f) => (
            <div key={f.key} data-testid={`client-${f.key}`}>
              <Text component="dt" size="sm" c="gray.8">
                {f.label}
              </Text>
              <Text component="dd" m={0}>
                {f.value}
              </Text>
            </div>
          ))}
        </SimpleGrid>
      </Paper>
      <Stack gap="xs" component="section" aria-labelledby="client-cards">
        <Title order={3} id="client-cards">
          {t("clients.cards")}
        </Title>
        <DataTable
          caption={t("clients.cards")}
          columns={cardColumns}
          rows={c.cards}
          rowKey={(card) => card.number}
          loading={false}
        />
      </Stack>
      {dialog === "edit" && (
        <ClientForm
          client={c}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
      {dialog === "merge" && (
        <MergeForm
          client={c}
          onClose={() => setDialog(null)}
          onMerged={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
      {dialog === "erase" && (
        <EraseConfirm
          client={c}
          onClose={() => setDialog(null)}
          onErased={() => {
            setDialog(null);
            refresh();
          }}
        />
      )}
    </>
  );
}

function BackToClients() {
  const { t } = useTranslation();
  const partner = usePartner();
  return (
    <Anchor component={Link} to={`/p/${partner.code}/clients`} size="sm">
      {t("clients.backToList")}
    </Anchor>
  );
}

/** The duplicate's cards and history move here; this client survives. */
function MergeForm({
  client,
  onClose,
  onMerged,
}: {
  client: ClientDetail;
  onClose(): void;
  onMerged(): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const [duplicateId, setDuplicateId] = useState<number | string>("");
  const valid = typeof duplicateId === "number" && Number.isInteger(duplicateId) && duplicateId >= 1;
  const sameClient = duplicateId === client.id;
  const merge = useMutation({
    mutationFn: (id: number) =>
      api<ClientMergeResult>("POST", `${partner.path}/clients/${client.id}/merge`, {
        duplicateId: id,
      } satisfies ClientMerge),
    onSuccess: (r) => {
      notify(
        t("clients.merged", { duplicate: r.mergedClientId, id: r.client.id, count: r.cardsMoved }),
        "teal",
      );
      onMerged();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("clients.mergeTitle", { id: client.id })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (valid && !sameClient) merge.mutate(duplicateId);
        }}
        noValidate
      >
        <Stack>
          <Text size="sm">{t("clients.mergeExplained", { id: client.id })}</Text>
          <NumberInput
            label={t("clients.duplicateId")}
            required
            min={1}
            allowDecimal={false}
            allowNegative={false}
            value={duplicateId}
            onChange={setDuplicateId}
            error={sameClient ? t("clients.mergeSelf") : undefined}
          />
          <ErrorAlert error={merge.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" color="red.9" disabled={!valid || sameClient} loading={merge.isPending}>
              {t("clients.mergeSubmit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Erasing cannot be undone: the dialog says what goes and what stays before anything happens. */
function EraseConfirm({
  client,
  onClose,
  onErased,
}: {
  client: ClientDetail;
  onClose(): void;
  onErased(): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const erase = useMutation({
    mutationFn: () => api<Client>("POST", `${partner.path}/clients/${client.id}/erase`),
    onSuccess: (erased) => {
      notify(t("clients.erased", { id: erased.id }));
      onErased();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t("clients.eraseTitle", { id: client.id })}>
      <Stack>
        <Text>{t("clients.eraseConsequence")}</Text>
        <Text size="sm" c="gray.8">
          {t("clients.eraseKept")}
        </Text>
        <ErrorAlert error={erase.error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t("common.cancel")}
          </Button>
          <Button color="red.9" loading={erase.isPending} onClick={() => erase.mutate()}>
            {t("clients.eraseSubmit")}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
