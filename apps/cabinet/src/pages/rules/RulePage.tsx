import { Anchor, Button, Group, Select, Stack, Tabs, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api } from "../../api/client.ts";
import type {
  ProgramDetail,
  RuleDefinition,
  RuleDiff,
  RuleTypes,
  RuleVersion,
  RuleView,
} from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { DiffView } from "../../components/DiffView.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatScaled, type JsonSchema, scaleOf, schemaBelow, unitOf } from "../../components/SchemaForm.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { RuleEditor } from "./RuleEditor.tsx";

/** A rule of a program (or a new one, at `rules/new`): its editor, its versions and what changed. */
export default function RulePage() {
  const { t } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { programCode = "", ruleId = "new" } = useParams();
  const programPath = `${partner.path}/programs/${encodeURIComponent(programCode)}`;
  const programUrl = `/p/${encodeURIComponent(partner.code)}/programs/${encodeURIComponent(programCode)}`;
  const isNew = ruleId === "new";

  const program = useQuery({
    queryKey: ["program", partner.code, programCode],
    queryFn: () => api<ProgramDetail>("GET", programPath),
  });
  const types = useQuery({
    queryKey: ["rule-types", partner.code],
    queryFn: () => api<RuleTypes>("GET", `${partner.path}/rule-types`),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const rule = useQuery({
    queryKey: ["rule", partner.code, programCode, ruleId],
    queryFn: () => api<RuleView>("GET", `${programPath}/rules/${ruleId}`),
    enabled: !isNew,
  });
  const mayWrite = can(user, partner.code, "rules.write") && program.data?.relation === "owner";
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["rule", partner.code, programCode] });
  const toggle = useMutation({
    mutationFn: (r: RuleView) =>
      api<RuleView>("POST", `${programPath}/rules/${r.id}/${r.active ? "disable" : "enable"}`),
    onSuccess: (r) => {
      notify(t(r.active ? "rules.enabledNote" : "rules.disabledNote", { name: r.definition.name }));
      void refresh();
      void queryClient.invalidateQueries({ queryKey: ["rules", partner.code, programCode] });
    },
  });

  const title = isNew ? t("rules.newTitle") : (rule.data?.definition.name ?? t("common.loading"));
  const loading = types.isPending || program.isPending || (!isNew && rule.isPending);
  return (
    <>
      <Anchor component={Link} to={`${programUrl}?tab=rules`} size="sm">
        ← {program.data?.name ?? programCode}
      </Anchor>
      <PageHeader
        title={title}
        showTimeZone={!isNew}
        actions={
          rule.data && (
            <Group>
              <Text size="sm">{t("rules.versionN", { n: rule.data.version })}</Text>
              <StatusBadge on={rule.data.active} />
              {mayWrite && (
                <Button
                  variant="outline"
                  color={rule.data.active ? "red.9" : "teal.9"}
                  loading={toggle.isPending}
                  onClick={() => toggle.mutate(rule.data)}
                >
                  {rule.data.active ? t("rules.disable") : t("rules.enable")}
                </Button>
              )}
            </Group>
          )
        }
      />
      <ErrorAlert error={types.error ?? program.error ?? rule.error ?? toggle.error} />
      {loading && <PageLoader />}
      {!loading && types.data && (isNew || rule.data) && (
        <Tabs defaultValue="editor" keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="editor">{t("rules.editorTab")}</Tabs.Tab>
            {!isNew && <Tabs.Tab value="versions">{t("rules.versionsTab")}</Tabs.Tab>}
          </Tabs.List>
          <Tabs.Panel value="editor">
            <RuleEditor
              key={`${ruleId}-${rule.data?.version ?? 0}`}
              programPath={programPath}
              rule={rule.data ?? null}
              types={types.data}
              readOnly={!mayWrite}
              onSaved={(saved) => {
                notify(t("rules.savedNote", { version: saved.version }));
                void queryClient.invalidateQueries({ queryKey: ["rules", partner.code, programCode] });
                queryClient.setQueryData(["rule", partner.code, programCode, String(saved.id)], saved);
                void queryClient.invalidateQueries({
                  queryKey: ["rule-versions", partner.code, programCode],
                });
                if (isNew) navigate(`${programUrl}/rules/${saved.id}`, { replace: true });
              }}
            />
          </Tabs.Panel>
          {rule.data && (
            <Tabs.Panel value="versions">
              <Versions
                programPath={programPath}
                programCode={programCode}
                rule={rule.data}
                types={types.data}
              />
            </Tabs.Panel>
          )}
        </Tabs>
      )}
    </>
  );
}

/**
 * The parameter schema of a rule field named by its path (`effects[0].params.percentBp`), found through
 * the condition or effect type the definition has there.
 */
function schemaOfPath(
  definition: RuleDefinition | undefined,
  types: RuleTypes,
  path: string,
): JsonSchema | null {
  const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  let node: unknown = definition;
  let registry: "conditions" | "effects" | null = null;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if ((key === "conditions" || key === "effects") && /^\d+$/.test(parts[i + 1] ?? "")) {
      registry = key;
      node = (node as Record<string, unknown[]> | undefined)?.[key]?.[Number(parts[i + 1])];
      i++;
    } else if (key === "params" && registry && node) {
      const params = types[registry][(node as { type: string }).type]?.params as JsonSchema | undefined;
      return schemaBelow(params, parts.slice(i + 1));
    } else {
      return null;
    }
  }
  return null;
}

function Versions({
  programPath,
  programCode,
  rule,
  types,
}: {
  programPath: string;
  programCode: string;
  rule: RuleView;
  types: RuleTypes;
}) {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const versions = useQuery({
    queryKey: ["rule-versions", partner.code, programCode, rule.id, rule.version],
    queryFn: () => api<{ items: RuleVersion[] }>("GET", `${programPath}/rules/${rule.id}/versions`),
  });
  const [from, setFrom] = useState<string | null>(rule.version > 1 ? String(rule.version - 1) : null);
  const [to, setTo] = useState<string | null>(String(rule.version));
  const diff = useQuery({
    queryKey: ["rule-diff", partner.code, programCode, rule.id, from, to],
    queryFn: () => api<RuleDiff>("GET", `${programPath}/rules/${rule.id}/diff`, undefined, { from, to }),
    enabled: from !== null && to !== null,
  });
  const options = (versions.data?.items ?? []).map((v) => ({
    value: String(v.version),
    label: t("rules.versionN", { n: v.version }),
  }));
  const columns: Column<RuleVersion>[] = [
    { key: "version", label: t("rules.version"), nowrap: true, render: (v) => <strong>{v.version}</strong> },
    { key: "name", label: t("rules.name"), render: (v) => v.definition.name },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      render: (v) => formatDateTime(v.createdAt, i18n.language),
    },
    {
      key: "userId",
      label: t("rules.author"),
      nowrap: true,
      render: (v) => (v.userId === null ? "—" : `#${v.userId}`),
    },
  ];
  const changes = diff.data?.changes ?? [];
  const definitionOf = (version: string | null) =>
    versions.data?.items.find((v) => String(v.version) === version)?.definition;
  // Values in the units people read them in (20 %, 150,00 ₽), like the editor shows them.
  const shown = (value: unknown, definition: RuleDefinition | undefined, path: string) => {
    const schema = schemaOfPath(definition, types, path);
    const unit = schema ? unitOf(schema) : null;
    return unit && typeof value === "number"
      ? `${formatScaled(value, scaleOf(unit))} ${t(`schema.units.${unit}`)}`
      : value;
  };
  const side = (pick: "before" | "after") => {
    const definition = definitionOf(pick === "before" ? from : to);
    return Object.fromEntries(
      changes.filter((c) => c[pick] !== undefined).map((c) => [c.path, shown(c[pick], definition, c.path)]),
    );
  };
  return (
    <Stack>
      <ErrorAlert error={versions.error ?? diff.error} />
      <DataTable
        caption={t("rules.versionsTab")}
        columns={columns}
        rows={versions.data?.items}
        rowKey={(v) => String(v.version)}
        loading={versions.isPending}
      />
      {options.length > 1 ? (
        <>
          <Group align="flex-end">
            <Select label={t("rules.diffFrom")} data={options} value={from} onChange={setFrom} w={180} />
            <Select label={t("rules.diffTo")} data={options} value={to} onChange={setTo} w={180} />
          </Group>
          <section aria-label={t("rules.diffTitle")} data-testid="rule-diff">
            {diff.data && <DiffView before={side("before")} after={side("after")} />}
          </section>
        </>
      ) : (
        <Text size="sm">{t("rules.oneVersion")}</Text>
      )}
    </Stack>
  );
}
