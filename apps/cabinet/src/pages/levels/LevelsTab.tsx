import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  Stack,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Level, LevelList, LevelSettings, ProgramDetail } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { formatScaled, parseScaled } from "../../components/SchemaForm.tsx";
import { formatPoints, formatRubles } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";

/** A program's card levels by threshold and how the program counts them. */
export function LevelsTab({ programPath, program }: { programPath: string; program: ProgramDetail }) {
  const { t } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Level | "new" | null>(null);
  const mayWrite = can(user, partner.code, "levels.write") && program.relation === "owner";
  const levels = useQuery({
    queryKey: ["levels", partner.code, program.code],
    queryFn: () => api<LevelList>("GET", `${programPath}/levels`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["levels", partner.code, program.code] });
  const remove = useMutation({
    mutationFn: (l: Level) => api("DELETE", `${programPath}/levels/${encodeURIComponent(l.code)}`),
    onSuccess: () => void refresh(),
  });
  const basis = levels.data?.settings.basis ?? "purchase_amount";
  const threshold = (v: number) =>
    basis === "purchase_amount" ? formatRubles(v) : t("simulate.points", { value: formatPoints(v) });

  const columns: Column<Level>[] = [
    { key: "rank", label: t("levels.rank"), nowrap: true, render: (l) => l.rank },
    { key: "code", label: t("levels.code"), nowrap: true, render: (l) => <strong>{l.code}</strong> },
    { key: "name", label: t("levels.name"), render: (l) => l.name },
    { key: "threshold", label: t("levels.threshold"), nowrap: true, render: (l) => threshold(l.threshold) },
  ];
  if (mayWrite) {
    columns.push({
      key: "actions",
      label: t("common.actions"),
      nowrap: true,
      render: (l) => (
        <Group gap="xs" wrap="nowrap">
          <Button
            size="compact-sm"
            variant="light"
            onClick={() => setEditing(l)}
            aria-label={t("levels.editOne", { code: l.code })}
          >
            {t("common.edit")}
          </Button>
          <Button
            size="compact-sm"
            variant="outline"
            color="red.9"
            loading={remove.isPending && remove.variables?.code === l.code}
            onClick={() => {
              if (window.confirm(t("levels.removeConfirm", { code: l.code }))) remove.mutate(l);
            }}
            aria-label={t("levels.removeOne", { code: l.code })}
          >
            {t("levels.remove")}
          </Button>
        </Group>
      ),
    });
  }
  return (
    <Stack>
      {mayWrite && (
        <Group>
          <Button onClick={() => setEditing("new")}>{t("levels.create")}</Button>
        </Group>
      )}
      <ErrorAlert error={levels.error ?? remove.error} />
      <DataTable
        caption={t("levels.tab")}
        columns={columns}
        rows={levels.data?.items}
        rowKey={(l) => l.code}
        loading={levels.isPending}
      />
      {levels.data && (
        <SettingsForm
          key={JSON.stringify(levels.data.settings)}
          programPath={programPath}
          settings={levels.data.settings}
          readOnly={!mayWrite}
          onSaved={() => void refresh()}
        />
      )}
      {editing && (
        <LevelForm
          programPath={programPath}
          level={editing === "new" ? null : editing}
          basis={basis}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void refresh();
          }}
        />
      )}
    </Stack>
  );
}

function LevelForm({
  programPath,
  level,
  basis,
  onClose,
  onSaved,
}: {
  programPath: string;
  level: Level | null;
  basis: LevelSettings["basis"];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  // Thresholds are kopecks or hundredths of a point: both typed with two decimals.
  const form = useForm({
    mode: "controlled",
    initialValues: {
      code: level?.code ?? "",
      name: level?.name ?? "",
      threshold: level ? formatScaled(level.threshold, 2) : "",
    },
  });
  const save = useMutation({
    mutationFn: (v: { code: string; name: string; threshold: string }) => {
      const threshold = parseScaled(v.threshold, 2);
      const body = { name: v.name.trim(), threshold: threshold ?? v.threshold };
      return level
        ? api<Level>("PATCH", `${programPath}/levels/${encodeURIComponent(level.code)}`, body)
        : api<Level>("POST", `${programPath}/levels`, { code: v.code.trim(), ...body });
    },
    onSuccess: (l) => {
      notify(t("levels.savedNote", { code: l.code }));
      onSaved();
    },
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal
      opened
      onClose={onClose}
      title={level ? t("levels.editTitle", { code: level.code }) : t("levels.create")}
    >
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput
            label={t("levels.code")}
            required
            disabled={level !== null}
            {...form.getInputProps("code")}
          />
          <TextInput label={t("levels.name")} required {...form.getInputProps("name")} />
          <TextInput
            label={basis === "purchase_amount" ? t("levels.thresholdRubles") : t("levels.thresholdPoints")}
            required
            inputMode="decimal"
            {...form.getInputProps("threshold")}
          />
          {save.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t("common.save")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SettingsForm({
  programPath,
  settings,
  readOnly,
  onSaved,
}: {
  programPath: string;
  settings: LevelSettings;
  readOnly: boolean;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const form = useForm<LevelSettings>({ mode: "controlled", initialValues: settings });
  const save = useMutation({
    mutationFn: (v: LevelSettings) => api<LevelSettings>("PUT", `${programPath}/levels-settings`, v),
    onSuccess: () => {
      notify(t("levels.settingsSaved"));
      onSaved();
    },
    onError: (error) => applyApiError(form, error),
  });
  const options = (name: string, values: string[]) =>
    values.map((v) => ({ value: v, label: t(`levels.${name}.${v}`, { defaultValue: v }) }));
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("levels.settings")}
      </Title>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack gap="sm">
            <Group align="flex-start">
              <Select
                label={t("levels.basisLabel")}
                data={options("basis", ["purchase_amount", "points_earned"])}
                allowDeselect={false}
                {...form.getInputProps("basis")}
              />
              <Select
                label={t("levels.periodLabel")}
                data={options("period", ["rolling_days", "calendar_year"])}
                allowDeselect={false}
                {...form.getInputProps("period")}
              />
              <NumberInput
                label={t("levels.periodDays")}
                min={1}
                max={3660}
                allowDecimal={false}
                w={140}
                disabled={form.getValues().period !== "rolling_days"}
                {...form.getInputProps("periodDays")}
              />
              <Select
                label={t("levels.downgradeLabel")}
                data={options("downgrade", ["none", "period_end"])}
                allowDeselect={false}
                {...form.getInputProps("downgrade")}
              />
            </Group>
            <Checkbox
              label={t("levels.upgradeAtConfirm")}
              {...form.getInputProps("upgradeAtConfirm", { type: "checkbox" })}
            />
            {save.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={save.error} />}
            {!readOnly && (
              <Group>
                <Button type="submit" loading={save.isPending}>
                  {t("levels.saveSettings")}
                </Button>
              </Group>
            )}
          </Stack>
        </fieldset>
      </form>
    </Paper>
  );
}
