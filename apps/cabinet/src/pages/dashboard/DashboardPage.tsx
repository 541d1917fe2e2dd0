import { Card, Group, Select, SimpleGrid, Skeleton, Text, Title } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import type { Dashboard, Page, Program, Store } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import type { MessageKey } from "../../i18n/ru.ts";
import { formatDateTime, formatPoints, formatRubles, userTimeZone } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { BarChart, RankedBars } from "./BarChart.tsx";

const DAY = "YYYY-MM-DD";
/** The roll-up runs every few seconds; a dashboard left open follows it. */
const REFRESH_MS = 30_000;

function Figure({
  label,
  value,
  hint,
  tone,
}: {
  label: MessageKey;
  value: ReactNode;
  hint?: ReactNode;
  tone?: "alert";
}) {
  const { t } = useTranslation();
  return (
    <Card withBorder padding="md" component="section" aria-label={t(label)}>
      <Text size="sm" c="gray.8">
        {t(label)}
      </Text>
      <Text size="xl" fw={700} mt={4} c={tone === "alert" ? "red.9" : undefined}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="gray.8" mt={2}>
          {hint}
        </Text>
      )}
    </Card>
  );
}

/**
 * Figures of a period, store and program, all in the URL (`from`, `to`, `store`, `program`), read from the
 * server's hourly roll-up: the page never asks for purchases. Days and hours are the user's time zone.
 */
export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const [params, setParams] = useSearchParams();
  const from = params.get("from") ?? dayjs().subtract(6, "day").format(DAY);
  const to = params.get("to") ?? dayjs().format(DAY);
  const store = params.get("store");
  const program = params.get("program");
  const timezone = userTimeZone();
  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  const stores = useQuery({
    queryKey: ["stores", partner.code, "all-for-select"],
    queryFn: () => api<Page<Store>>("GET", `${partner.path}/stores`, undefined, { limit: 200, sort: "code" }),
    staleTime: 60_000,
  });
  const programs = useQuery({
    queryKey: ["programs", partner.code],
    queryFn: () => api<{ items: Program[] }>("GET", `${partner.path}/programs`),
  });
  const figures = useQuery({
    queryKey: ["dashboard", partner.code, from, to, timezone, store, program],
    queryFn: () =>
      api<Dashboard>("GET", `${partner.path}/dashboard`, undefined, {
        from,
        to,
        timezone,
        storeCode: store,
        programCode: program,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
  const presets = [
    { value: [dayjs().format(DAY), dayjs().format(DAY)] as [string, string], label: t("dashboard.today") },
    {
      value: [dayjs().subtract(6, "day").format(DAY), dayjs().format(DAY)] as [string, string],
      label: t("dashboard.last7"),
    },
    {
      value: [dayjs().subtract(29, "day").format(DAY), dayjs().format(DAY)] as [string, string],
      label: t("dashboard.last30"),
    },
  ];
  const d = figures.data;
  const rubles = (kopecks: number | undefined) =>
    d ? formatRubles(kopecks ?? 0) : <Skeleton h={28} w={120} />;
  const count = (n: number | undefined) =>
    d ? new Intl.NumberFormat("ru-RU").format(n ?? 0) : <Skeleton h={28} w={60} />;
  const points = (hundredths: number | null | undefined) =>
    d ? (
      hundredths === null ? (
        "—"
      ) : (
        t("dashboard.points", { points: formatPoints(hundredths ?? 0) })
      )
    ) : (
      <Skeleton h={28} w={100} />
    );
  const barTitle = (label: string, purchases: number, sales: number) =>
    t("dashboard.barTitle", { label, count: purchases, sales: formatRubles(sales) });
  const dayLabel = (date: string) => dayjs(date).format(i18n.language === "en" ? "DD/MM" : "DD.MM");

  return (
    <>
      <PageHeader title={t("nav.dashboard")} />
      <Group mb="xs" align="flex-end">
        <DatePickerInput
          type="range"
          label={t("dashboard.period")}
          valueFormat="DD.MM.YYYY"
          w={260}
          presets={presets}
          value={[from, to]}
          onChange={([start, end]) => {
            if (start && end) set({ from: dayjs(start).format(DAY), to: dayjs(end).format(DAY) });
          }}
        />
        <Select
          label={t("dashboard.store")}
          placeholder={t("dashboard.allStores")}
          w={320}
          clearable
          value={store}
          data={(stores.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` }))}
          onChange={(v) => set({ store: v })}
        />
        <Select
          label={t("dashboard.program")}
          placeholder={t("dashboard.allPrograms")}
          clearable
          value={program}
          data={(programs.data?.items ?? []).map((p) => ({ value: p.code, label: p.name }))}
          onChange={(v) => set({ program: v })}
        />
      </Group>
      <Text size="sm" c="gray.8" mb="md">
        {d &&
          (d.updatedAt
            ? t("dashboard.updatedAt", { time: formatDateTime(d.updatedAt, i18n.language, timezone) })
            : t("dashboard.notRolledUp"))}
      </Text>
      <ErrorAlert error={figures.error} />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Figure
          label="dashboard.salesWithCard"
          value={rubles(d?.withCard.sales)}
          hint={d && t("dashboard.purchasesCount", { count: d.withCard.purchases })}
        />
        <Figure
          label="dashboard.salesWithoutCard"
          value={rubles(d?.withoutCard.sales)}
          hint={d && t("dashboard.purchasesCount", { count: d.withoutCard.purchases })}
        />
        <Figure
          label="dashboard.discount"
          value={rubles(d ? d.withCard.discount + d.withoutCard.discount : undefined)}
          hint={
            d &&
            t("dashboard.refunded", {
              amount: formatRubles(d.withCard.refunded + d.withoutCard.refunded),
              count: d.withCard.refunds + d.withoutCard.refunds,
            })
          }
        />
        <Figure
          label="dashboard.hanging"
          value={count(d?.hangingNow)}
          tone={d && d.hangingNow > 0 ? "alert" : undefined}
        />
        <Figure label="dashboard.averageWithCard" value={rubles(d?.withCard.averageReceipt)} />
        <Figure label="dashboard.averageWithoutCard" value={rubles(d?.withoutCard.averageReceipt)} />
        <Figure label="dashboard.pointsAccrued" value={points(d?.points.accrued)} />
        <Figure label="dashboard.pointsSpent" value={points(d?.points.spent)} />
        <Figure
          label="dashboard.pointsExpired"
          value={points(d?.points.expired)}
          hint={d?.points.expired === null ? t("dashboard.notPerStore") : undefined}
        />
        <Figure
          label="dashboard.activeCards"
          value={count(d?.activeCards)}
          hint={t("dashboard.activeCardsHint")}
        />
        <Figure
          label="dashboard.newClients"
          value={d?.newClients === null ? "—" : count(d?.newClients)}
          hint={d?.newClients === null ? t("dashboard.notPerStore") : undefined}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }} mt="lg">
        <Card withBorder padding="md" component="section" aria-labelledby="dashboard-per-day">
          <Title order={3} size="h4" id="dashboard-per-day" mb="sm">
            {t("dashboard.perDay")}
          </Title>
          {d ? (
            <BarChart
              label={t("dashboard.perDayChart", {
                count: d.perDay.reduce((s, x) => s + x.purchases, 0),
                days: d.perDay.length,
              })}
              empty={t("dashboard.noPurchases")}
              bars={d.perDay.map((x) => ({
                key: x.date,
                label: dayLabel(x.date),
                value: x.purchases,
                title: barTitle(dayLabel(x.date), x.purchases, x.sales),
              }))}
            />
          ) : (
            <Skeleton h={178} />
          )}
        </Card>
        <Card withBorder padding="md" component="section" aria-labelledby="dashboard-per-hour">
          <Title order={3} size="h4" id="dashboard-per-hour" mb="sm">
            {t("dashboard.perHour")}
          </Title>
          {d ? (
            <BarChart
              label={t("dashboard.perHourChart", {
                busiest: String(
                  d.perHour.reduce((best, x) => (x.purchases > best.purchases ? x : best), d.perHour[0]!)
                    .hour,
                ),
              })}
              empty={t("dashboard.noPurchases")}
              bars={d.perHour.map((x) => ({
                key: String(x.hour),
                label: String(x.hour),
                value: x.purchases,
                title: barTitle(`${String(x.hour).padStart(2, "0")}:00`, x.purchases, x.sales),
              }))}
            />
          ) : (
            <Skeleton h={178} />
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder padding="md" mt="lg" component="section" aria-labelledby="dashboard-top-rules">
        <Title order={3} size="h4" id="dashboard-top-rules" mb="sm">
          {t("dashboard.topRules")}
        </Title>
        {d ? (
          <RankedBars
            label={t("dashboard.topRules")}
            empty={t("dashboard.noRules")}
            items={d.topRules.map((r) => ({
              key: String(r.ruleId),
              name: r.name,
              value: r.discount,
              text: t("dashboard.ruleFigure", { amount: formatRubles(r.discount), count: r.lines }),
            }))}
          />
        ) : (
          <Skeleton h={120} />
        )}
      </Card>
    </>
  );
}
