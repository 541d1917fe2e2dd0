import { Anchor, Badge, Button, Group, Tabs, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import type { ProgramDetail, RuleView } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { LevelsTab } from "../levels/LevelsTab.tsx";
import { PromoCodesTab } from "../promo-codes/PromoCodesTab.tsx";
import { SimulatePanel } from "../rules/SimulatePanel.tsx";
import { SettingsTab } from "./settings/SettingsTab.tsx";

const TABS = ["rules", "simulate", "promo-codes", "levels", "settings"] as const;
type Tab = (typeof TABS)[number];

/** A program: its rules, a receipt priced against them, its promo codes, its card levels and its settings. */
export default function ProgramPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  const { programCode = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const tab: Tab = (TABS as readonly string[]).includes(params.get("tab") ?? "")
    ? (params.get("tab") as Tab)
    : "rules";
  const programPath = `${partner.path}/programs/${encodeURIComponent(programCode)}`;
  const program = useQuery({
    queryKey: ["program", partner.code, programCode],
    queryFn: () => api<ProgramDetail>("GET", programPath),
  });
  const owner = program.data?.relation === "owner";
  return (
    <>
      <Anchor component={Link} to={`/p/${encodeURIComponent(partner.code)}/programs`} size="sm">
        ← {t("nav.programs")}
      </Anchor>
      <PageHeader
        title={program.data ? `${program.data.name} (${program.data.code})` : programCode}
        actions={
          program.data && (
            <Group>
              <StatusBadge on={program.data.active} />
              {!owner && (
                <Badge variant="outline" color="gray.8">
                  {t("programs.participantOf", { owner: program.data.ownerPartnerCode })}
                </Badge>
              )}
            </Group>
          )
        }
      />
      <ErrorAlert error={program.error} />
      {program.data && (
        <Tabs
          value={tab}
          keepMounted={false}
          onChange={(value) => {
            if (!value) return;
            const next = new URLSearchParams();
            if (value !== "rules") next.set("tab", value);
            setParams(next);
          }}
        >
          <Tabs.List mb="md">
            <Tabs.Tab value="rules">{t("rules.tab")}</Tabs.Tab>
            <Tabs.Tab value="simulate">{t("simulate.tab")}</Tabs.Tab>
            <Tabs.Tab value="promo-codes">{t("promo.tab")}</Tabs.Tab>
            <Tabs.Tab value="levels">{t("levels.tab")}</Tabs.Tab>
            <Tabs.Tab value="settings">{t("settings.tab")}</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="rules">
            <RulesTab programPath={programPath} program={program.data} />
          </Tabs.Panel>
          <Tabs.Panel value="simulate">
            <SimulatePanel programCode={programCode} />
          </Tabs.Panel>
          <Tabs.Panel value="promo-codes">
            <PromoCodesTab programPath={programPath} program={program.data} />
          </Tabs.Panel>
          <Tabs.Panel value="levels">
            <LevelsTab programPath={programPath} program={program.data} />
          </Tabs.Panel>
          <Tabs.Panel value="settings">
            <SettingsTab programPath={programPath} program={program.data} />
          </Tabs.Panel>
        </Tabs>
      )}
    </>
  );
}

function RulesTab({ programPath, program }: { programPath: string; program: ProgramDetail }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const mayWrite = can(user, partner.code, "rules.write") && program.relation === "owner";
  const ruleUrl = (id: number | "new") =>
    `/p/${encodeURIComponent(partner.code)}/programs/${encodeURIComponent(program.code)}/rules/${id}`;
  const rules = useQuery({
    queryKey: ["rules", partner.code, program.code],
    queryFn: () => api<{ items: RuleView[] }>("GET", `${programPath}/rules`),
  });
  const toggle = useMutation({
    mutationFn: (r: RuleView) =>
      api<RuleView>("POST", `${programPath}/rules/${r.id}/${r.active ? "disable" : "enable"}`),
    onSuccess: (r) => {
      notify(t(r.active ? "rules.enabledNote" : "rules.disabledNote", { name: r.definition.name }));
      void queryClient.invalidateQueries({ queryKey: ["rules", partner.code, program.code] });
      void queryClient.invalidateQueries({ queryKey: ["rule", partner.code, program.code] });
    },
  });
  const columns: Column<RuleView>[] = [
    { key: "id", label: "ID", nowrap: true, render: (r) => r.id },
    {
      key: "name",
      label: t("rules.name"),
      render: (r) => (
        <Anchor component={Link} to={ruleUrl(r.id)} fw={600}>
          {r.definition.name}
        </Anchor>
      ),
    },
    { key: "version", label: t("rules.version"), nowrap: true, render: (r) => r.version },
    {
      key: "priority",
      label: t("schema.fields.priority"),
      nowrap: true,
      render: (r) => r.definition.priority,
    },
    {
      key: "stacking",
      label: t("rules.stacking"),
      render: (r) =>
        r.definition.stacking.mode === "exclusive"
          ? t("rules.exclusiveIn", { group: r.definition.stacking.group ?? "" })
          : t("schema.values.stackable"),
    },
    { key: "active", label: t("common.status"), nowrap: true, render: (r) => <StatusBadge on={r.active} /> },
    {
      key: "updatedAt",
      label: t("rules.updatedAt"),
      nowrap: true,
      render: (r) => formatDateTime(r.updatedAt, i18n.language),
    },
  ];
  if (mayWrite) {
    columns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (r) => (
        <Button
          size="compact-sm"
          variant="outline"
          color={r.active ? "red.9" : "teal.9"}
          loading={toggle.isPending && toggle.variables?.id === r.id}
          onClick={() => toggle.mutate(r)}
          aria-label={t(r.active ? "rules.disableOne" : "rules.enableOne", { name: r.definition.name })}
        >
          {r.active ? t("common.disable") : t("common.enable")}
        </Button>
      ),
    });
  }
  return (
    <>
      <Group justify="space-between" mb="sm">
        <Text size="sm" c="gray.8">
          {t("rules.rulesVersion", { version: program.rulesVersion })}
        </Text>
        {mayWrite && (
          <Button component={Link} to={ruleUrl("new")}>
            {t("rules.new")}
          </Button>
        )}
      </Group>
      <ErrorAlert error={rules.error ?? toggle.error} />
      <DataTable
        caption={t("rules.tab")}
        columns={columns}
        rows={rules.data?.items}
        rowKey={(r) => String(r.id)}
        loading={rules.isPending}
      />
    </>
  );
}
