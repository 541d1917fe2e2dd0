import { Card, Group, Select, SimpleGrid, Text } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import type { Page, Program, Store } from "../../api/types.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import type { MessageKey } from "../../i18n/ru.ts";
import { usePartner } from "../../lib/partner.ts";

const DAY = "YYYY-MM-DD";

/** The figures the dashboard will show; each card waits for its aggregate on the server. */
const FIGURES: MessageKey[] = [
  "dashboard.salesWithCard",
  "dashboard.salesWithoutCard",
  "dashboard.discount",
  "dashboard.pointsAccrued",
  "dashboard.pointsSpent",
  "dashboard.pointsExpired",
  "dashboard.activeCards",
  "dashboard.newClients",
  "dashboard.averageWithCard",
  "dashboard.averageWithoutCard",
  "dashboard.hanging",
];

/**
 * The dashboard's frame: period, store and program live in the URL; the figures come once the server
 * keeps their aggregates (they are never computed here from raw purchases).
 */
export default function DashboardPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  const [params, setParams] = useSearchParams();
  const from = params.get("from") ?? dayjs().subtract(6, "day").format(DAY);
  const to = params.get("to") ?? dayjs().format(DAY);
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
  return (
    <>
      <PageHeader title={t("nav.dashboard")} />
      <Group mb="md" align="flex-end">
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
          clearable
          value={params.get("store")}
          data={(stores.data?.items ?? []).map((s) => ({ value: s.code, label: `${s.code} — ${s.name}` }))}
          onChange={(v) => set({ store: v })}
        />
        <Select
          label={t("dashboard.program")}
          placeholder={t("dashboard.allPrograms")}
          clearable
          value={params.get("program")}
          data={(programs.data?.items ?? []).map((p) => ({ value: p.code, label: p.name }))}
          onChange={(v) => set({ program: v })}
        />
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        {FIGURES.map((key) => (
          <Card key={key} withBorder padding="md" component="section" aria-label={t(key)}>
            <Text size="sm" c="gray.8">
              {t(key)}
            </Text>
            <Text size="xl" fw={700} mt={4}>
              —
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Text size="sm" c="gray.8" mt="md">
        {t("dashboard.pending")}
      </Text>
    </>
  );
}
