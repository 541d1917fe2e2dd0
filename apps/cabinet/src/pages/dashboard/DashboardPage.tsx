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
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatPoints,
  formatRubles,
  userTimeZone,
} from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { ActivityCard, type ActivityPoint, TopRulesChart } from "./charts.tsx";

const DAY = "YYYY-MM-DD";
/** The roll-up runs every few seconds; a dashboard left open follows it. */
const REFRESH_MS = 30_000;

const hh = (hour: number) => String(hour).padStart(2, "0");

/** The day or hour with the most purchases (the first of equals), or none for no points. */
function busiestOf(points: ActivityPoint[]): ActivityPoint | undefined {
  return points.reduce<ActivityPoint | undefined>(
    (best, p) => (!best || p.purchases > best.purchases ? p : best),
    undefined,
  );
}

const sum = (points: ActivityPoint[], field: "purchases" | "sales" | "purchasesWithCard") =>
  points.reduce((s, p) => s + p[field], 0);

/** The whole percent of the period's purchases made with a card, for a chart's summary. */
function shareWithCard(points: ActivityPoint[]): number {
  const total = sum(points, "purchases");
  return total > 0 ? Math.round((sum(points, "purchasesWithCard") * 100) / total) : 0;
}

/** A day's or an hour's figures from the API, the part without a card being the rest of the total. */
const activity = (
  x: Pick<Dashboard["perDay"][number], "purchases" | "sales" | "purchasesWithCard" | "salesWithCard">,
) => ({
  purchases: x.purchases,
  sales: x.sales,
  purchasesWithCard: x.purchasesWithCard,
  purchasesWithoutCard: x.purchases - x.purchasesWithCard,
  salesWithCard: x.salesWithCard,
  salesWithoutCard: x.sales - x.salesWithCard,
});

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
  const count = (n: number | undefined) => (d ? formatCount(n ?? 0) : <Skeleton h={28} w={60} />);
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
  const perDay: ActivityPoint[] = (d?.perDay ?? []).map((x) => ({
    key: x.date,
    tick: dayjs(x.date).format(i18n.language === "en" ? "DD/MM" : "DD.MM"),
    // A calendar day, not an instant: noon UTC read in UTC is that day wherever the browser is.
    title: formatDate(`${x.date}T12:00:00Z`, i18n.language, "UTC"),
    ...activity(x),
  }));
  const perHour: ActivityPoint[] = (d?.perHour ?? []).map((x) => ({
    key: String(x.hour),
    tick: hh(x.hour),
    title: `${hh(x.hour)}:00–${hh(x.hour + 1)}:00`,
    ...activity(x),
  }));
  const busiestDay = busiestOf(perDay);
  const busiestHour = busiestOf(perHour);

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
        <ActivityCard
          id="dashboard-per-day"
          title={t("dashboard.perDay")}
          points={d && perDay}
          label={t("dashboard.perDayChart", {
            total: formatCount(sum(perDay, "purchases")),
            days: perDay.length,
            sales: formatRubles(sum(perDay, "sales")),
            day: busiestDay?.title,
            most: formatCount(busiestDay?.purchases ?? 0),
            share: shareWithCard(perDay),
          })}
          periodColumn={t("dashboard.dayColumn")}
          // About ten dates under the axis whatever the period.
          tickEvery={Math.ceil(perDay.length / 10)}
          empty={t("dashboard.noPurchases")}
        />
        <ActivityCard
          id="dashboard-per-hour"
          title={t("dashboard.perHour")}
          points={d && perHour}
          label={t("dashboard.perHourChart", {
            total: formatCount(sum(perHour, "purchases")),
            from: `${hh(Number(busiestHour?.key ?? 0))}:00`,
            to: `${hh(Number(busiestHour?.key ?? 0) + 1)}:00`,
            most: formatCount(busiestHour?.purchases ?? 0),
            share: shareWithCard(perHour),
          })}
          periodColumn={t("dashboard.hourColumn")}
          tickEvery={3}
          empty={t("dashboard.noPurchases")}
        />
      </SimpleGrid>
      <Card withBorder padding="md" mt="lg" component="section" aria-labelledby="dashboard-top-rules">
        <Title order={3} size="h4" id="dashboard-top-rules" mb="sm">
          {t("dashboard.topRules")}
        </Title>
        {d ? (
          <TopRulesChart
            rules={d.topRules.map((r) => ({
              key: String(r.ruleId),
              name: r.name,
              discount: r.discount,
              lines: r.lines,
            }))}
            label={t("dashboard.topRulesChart", {
              total: d.topRules.length,
              name: d.topRules[0]?.name,
              amount: formatRubles(d.topRules[0]?.discount ?? 0),
            })}
            caption={t("dashboard.topRules")}
            empty={t("dashboard.noRules")}
          />
        ) : (
          <Skeleton h={120} />
        )}
      </Card>
    </>
  );
}
