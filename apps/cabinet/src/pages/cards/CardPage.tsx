import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../../api/client.ts";
import type { Card, CardDetail, CardStatus, LedgerEntry, ListedPurchase, Page } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatDate, formatDateTime, formatPoints, formatRubles } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { AdjustPointsForm } from "./AdjustPointsForm.tsx";
import { CardStatusBadge } from "./CardStatusBadge.tsx";
import { useLocalList } from "./local-list.ts";
import { ReplaceCardForm } from "./ReplaceCardForm.tsx";

/** The status changes the API offers, by the route that makes them. */
const STATUS_ACTIONS: { action: "block" | "unblock" | "accrual-only"; status: CardStatus }[] = [
  { action: "block", status: "blocked" },
  { action: "unblock", status: "active" },
  { action: "accrual-only", status: "accrual_only" },
];

/** One card: its balance broken down, what may be done to it, its ledger and its purchases. */
export default function CardPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const number = useParams().number ?? "";
  const cardPath = `${partner.path}/cards/${encodeURIComponent(number)}`;
  const mayWrite = can(user, partner.code, "cards.write");
  const mayAdjust = can(user, partner.code, "points.adjust");
  const [dialog, setDialog] = useState<"adjust" | "replace" | null>(null);

  const card = useQuery({
    queryKey: ["card", partner.code, number],
    queryFn: () => api<CardDetail>("GET", cardPath),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["card", partner.code, number] });
  const changeStatus = useMutation({
    mutationFn: (action: (typeof STATUS_ACTIONS)[number]["action"]) =>
      api<Card>("POST", `${cardPath}/${action}`),
    onSuccess: (changed) => {
      notify(
        t("cards.statusChanged", {
          number: changed.number,
          status: t(`cards.statuses.${changed.status}`, { defaultValue: changed.status }),
        }),
      );
      void refresh();
      void queryClient.invalidateQueries({ queryKey: ["cards", partner.code] });
    },
  });

  if (card.isPending) return <PageLoader />;
  if (card.error || !card.data) {
    return (
      <>
        <PageHeader title={t("cards.cardTitle", { number })} showTimeZone={false} />
        <ErrorAlert error={card.error} />
        <BackToCards />
      </>
    );
  }
  const c = card.data;
  const figures = [
    {
      key: "active",
      label: t("cards.balanceActive"),
      hint: t("cards.balanceActiveHint"),
      value: c.balance.active,
    },
    {
      key: "pending",
      label: t("cards.balancePending"),
      hint: t("cards.balancePendingHint"),
      value: c.balance.pending,
    },
    { key: "held", label: t("cards.balanceHeld"), hint: t("cards.balanceHeldHint"), value: c.balance.held },
    {
      key: "available",
      label: t("cards.balanceAvailable"),
      hint: t("cards.balanceAvailableHint"),
      value: c.balance.available,
    },
    {
      key: "expiring",
      label: t("cards.expiringSoon"),
      hint: t("cards.expiringUntil", { date: formatDate(c.expiringSoon.until, i18n.language) }),
      value: c.expiringSoon.amount,
    },
  ];

  return (
    <>
      <PageHeader
        title={t("cards.cardTitle", { number: c.number })}
        actions={
          <>
            {mayAdjust && <Button onClick={() => setDialog("adjust")}>{t("cards.adjust")}</Button>}
            {mayWrite && c.replacedBy === null && (
              <Button variant="default" onClick={() => setDialog("replace")}>
                {t("cards.replace")}
              </Button>
            )}
          </>
        }
      />
      <BackToCards />
      <Group gap="lg" my="md" wrap="wrap">
        <Group gap={6}>
          <Text c="gray.8">{t("common.status")}:</Text>
          <CardStatusBadge status={c.status} />
        </Group>
        <Text>
          <Text span c="gray.8">
            {t("cards.program")}:
          </Text>{" "}
          {c.programCode}
        </Text>
        <Text>
          <Text span c="gray.8">
            {t("cards.level")}:
          </Text>{" "}
          {c.level ?? "—"}
        </Text>
        <Text>{c.virtual ? t("cards.virtual") : t("cards.physical")}</Text>
        <Text>
          <Text span c="gray.8">
            {t("cards.holder")}:
          </Text>{" "}
          {c.clientId === null ? (
            t("cards.noHolder")
          ) : can(user, partner.code, "clients.read") ? (
            <Anchor component={Link} to={`/p/${partner.code}/clients/${c.clientId}`}>
              {t("cards.clientNo", { id: c.clientId })}
            </Anchor>
          ) : (
            t("cards.clientNo", { id: c.clientId })
          )}
        </Text>
        {c.replacedBy && (
          <Text>
            <Text span c="gray.8">
              {t("cards.replacedBy")}:
            </Text>{" "}
            <Anchor component={Link} to={`/p/${partner.code}/cards/${encodeURIComponent(c.replacedBy)}`}>
              {c.replacedBy}
            </Anchor>
          </Text>
        )}
      </Group>
      <SimpleGrid
        cols={{ base: 2, sm: 3, lg: 5 }}
        mb="md"
        aria-label={t("cards.balance")}
        component="section"
      >
        {figures.map((f) => (
          <Paper key={f.key} withBorder p="sm" radius="md" data-testid={`balance-${f.key}`}>
            <Text size="sm" c="gray.8">
              {f.label}
            </Text>
            <Text size="xl" fw={700} data-testid="figure">
              {t("cards.points", { value: formatPoints(f.value) })}
            </Text>
            <Text size="xs" c="gray.8">
              {f.hint}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      {mayWrite && (
        <Group mb="md" gap="xs">
          {STATUS_ACTIONS.filter((a) => a.status !== c.status).map((a) => (
            <Button
              key={a.action}
              variant={a.action === "accrual-only" ? "default" : "outline"}
              color={a.action === "block" ? "red.9" : "teal.9"}
              loading={changeStatus.isPending && changeStatus.variables === a.action}
              onClick={() => changeStatus.mutate(a.action)}
            >
              {t(`cards.actions.${a.action}`)}
            </Button>
          ))}
        </Group>
      )}
      <ErrorAlert error={changeStatus.error} />
      {/* Keyed by the card: after a replacement the new card's lists start on their first page. */}
      <Ledger key={`ledger:${number}`} cardPath={cardPath} cardKey={[partner.code, number]} />
      <Purchases key={`purchases:${number}`} cardPath={cardPath} cardKey={[partner.code, number]} />
      {dialog === "adjust" && (
        <AdjustPointsForm
          card={c}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            void refresh();
            void queryClient.invalidateQueries({ queryKey: ["card-ledger", partner.code, number] });
          }}
        />
      )}
      {dialog === "replace" && (
        <ReplaceCardForm
          card={c}
          onClose={() => setDialog(null)}
          onReplaced={(newNumber) => {
            setDialog(null);
            void refresh();
            void queryClient.invalidateQueries({ queryKey: ["cards", partner.code] });
            navigate(`/p/${partner.code}/cards/${encodeURIComponent(newNumber)}`);
          }}
        />
      )}
    </>
  );
}

function BackToCards() {
  const { t } = useTranslation();
  const partner = usePartner();
  return (
    <Anchor component={Link} to={`/p/${partner.code}/cards`} size="sm">
      {t("cards.backToList")}
    </Anchor>
  );
}

function Ledger({ cardPath, cardKey }: { cardPath: string; cardKey: string[] }) {
  const { t, i18n } = useTranslation();
  const list = useLocalList("-id");
  const ledger = useQuery({
    queryKey: ["card-ledger", ...cardKey, list.query],
    queryFn: () => api<Page<LedgerEntry>>("GET", `${cardPath}/ledger`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const delta = (v: number) => (v === 0 ? "—" : `${v > 0 ? "+" : ""}${formatPoints(v)}`);
  const columns: Column<LedgerEntry>[] = [
    {
      key: "at",
      label: t("cards.at"),
      nowrap: true,
      sortKey: "id",
      render: (e) => formatDateTime(e.at, i18n.language),
    },
    {
      key: "kind",
      label: t("cards.entryKind"),
      nowrap: true,
      render: (e) => t(`cards.entryKinds.${e.kind}`, { defaultValue: e.kind }),
    },
    { key: "active", label: t("cards.activeDelta"), nowrap: true, render: (e) => delta(e.activeDelta) },
    { key: "pending", label: t("cards.pendingDelta"), nowrap: true, render: (e) => delta(e.pendingDelta) },
    { key: "purchase", label: t("cards.purchase"), nowrap: true, render: (e) => e.purchaseId ?? "—" },
    { key: "note", label: t("cards.note"), render: (e) => e.note ?? "—" },
  ];
  return (
    <Stack gap="xs" mb="lg" component="section" aria-labelledby="card-ledger">
      <Title order={3} id="card-ledger">
        {t("cards.ledger")}
      </Title>
      <ErrorAlert error={ledger.error} />
      <DataTable
        caption={t("cards.ledger")}
        columns={columns}
        rows={ledger.data?.items}
        rowKey={(e) => String(e.id)}
        loading={ledger.isPending}
        list={list}
        nextCursor={ledger.data?.nextCursor ?? null}
      />
    </Stack>
  );
}

function Purchases({ cardPath, cardKey }: { cardPath: string; cardKey: string[] }) {
  const { t, i18n } = useTranslation();
  const list = useLocalList("-createdAt");
  const purchases = useQuery({
    queryKey: ["card-purchases", ...cardKey, list.query],
    queryFn: () => api<Page<ListedPurchase>>("GET", `${cardPath}/purchases`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const columns: Column<ListedPurchase>[] = [
    {
      key: "createdAt",
      label: t("cards.at"),
      nowrap: true,
      sortKey: "createdAt",
      render: (p) => formatDateTime(p.createdAt, i18n.language),
    },
    { key: "id", label: t("cards.purchase"), nowrap: true, render: (p) => p.purchaseId },
    { key: "store", label: t("cards.store"), nowrap: true, render: (p) => `${p.storeCode} / ${p.posCode}` },
    {
      key: "state",
      label: t("common.status"),
      nowrap: true,
      render: (p) => t(`cards.purchaseStates.${p.state}`, { defaultValue: p.state }),
    },
    {
      key: "total",
      label: t("cards.total"),
      nowrap: true,
      sortKey: "total",
      render: (p) => formatRubles(p.total),
    },
    { key: "discount", label: t("cards.discount"), nowrap: true, render: (p) => formatRubles(p.discount) },
    { key: "spent", label: t("cards.pointsSpent"), nowrap: true, render: (p) => formatPoints(p.pointsSpent) },
    {
      key: "accrued",
      label: t("cards.pointsAccrued"),
      nowrap: true,
      render: (p) => formatPoints(p.pointsAccrued),
    },
  ];
  return (
    <Stack gap="xs" component="section" aria-labelledby="card-purchases">
      <Title order={3} id="card-purchases">
        {t("cards.purchases")}
      </Title>
      <ErrorAlert error={purchases.error} />
      <DataTable
        caption={t("cards.purchases")}
        columns={columns}
        rows={purchases.data?.items}
        rowKey={(p) => p.purchaseId}
        loading={purchases.isPending}
        list={list}
        nextCursor={purchases.data?.nextCursor ?? null}
      />
    </Stack>
  );
}
