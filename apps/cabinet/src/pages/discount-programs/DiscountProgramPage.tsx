import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api } from "../../api/client.ts";
import type { DiscountProgram, DiscountProgramVersions } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { bodyOf, draftOf, fieldErrors, type ProgramDraft } from "./draft.ts";
import { ItemsEditor } from "./ItemsEditor.tsx";
import { CardRangesEditor, LimitsEditor } from "./LimitsEditor.tsx";

/** A manufacturer's discount program: its whole definition, saved as a new version, and its versions. */
export default function DiscountProgramPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  const user = useUser();
  const { programCode = "" } = useParams();
  const path = `${partner.path}/discount-programs/${encodeURIComponent(programCode)}`;
  const program = useQuery({
    queryKey: ["discount-program", partner.code, programCode],
    queryFn: () => api<DiscountProgram>("GET", path),
  });
  const readOnly =
    !can(user, partner.code, "programs.write") ||
    (program.data !== undefined && program.data.ownerPartnerCode !== partner.code);
  return (
    <>
      <Anchor component={Link} to={`/p/${encodeURIComponent(partner.code)}/discount-programs`} size="sm">
        ← {t("discountPrograms.title")}
      </Anchor>
      <PageHeader
        title={program.data ? `${program.data.name} (${program.data.code})` : programCode}
        actions={
          program.data && (
            <Group>
              <Badge variant="outline" color="indigo.9">
                {t("discountPrograms.versionN", { version: program.data.version })}
              </Badge>
              <StatusBadge on={program.data.active} />
            </Group>
          )
        }
      />
      <ErrorAlert error={program.error} />
      {program.data && (
        <Stack>
          {readOnly && (
            <Text size="sm" c="gray.8">
              {program.data.ownerPartnerCode !== partner.code
                ? t("discountPrograms.participantReadOnly", { owner: program.data.ownerPartnerCode })
                : t("discountPrograms.readOnly")}
            </Text>
          )}
          <ProgramEditor key={program.data.version} path={path} program={program.data} readOnly={readOnly} />
          <Versions path={path} programCode={programCode} />
        </Stack>
      )}
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

function ProgramEditor({
  path,
  program,
  readOnly,
}: {
  path: string;
  program: DiscountProgram;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ProgramDraft>(() => draftOf(program));
  const set = <K extends keyof ProgramDraft>(key: K, value: ProgramDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const save = useMutation({
    mutationFn: (d: ProgramDraft) => api<DiscountProgram>("PUT", path, bodyOf(d)),
    onSuccess: (saved) => {
      notify(t("discountPrograms.saved", { version: saved.version }));
      queryClient.setQueryData(["discount-program", partner.code, program.code], saved);
      void queryClient.invalidateQueries({
        queryKey: ["discount-program-versions", partner.code, program.code],
      });
      void queryClient.invalidateQueries({ queryKey: ["discount-programs", partner.code] });
    },
  });
  const errors = fieldErrors(save.error, (code, vars) =>
    code === "duplicate" && vars.row !== undefined
      ? t("discountPrograms.issues.duplicateRow", { row: vars.row })
      : code === "range" && vars.field === "validTo"
        ? t("discountPrograms.issues.validToBeforeFrom")
        : code === "range" && vars.field.includes(".lengths")
          ? t("discountPrograms.issues.lengthNotAbovePrefix")
          : t(`discountPrograms.issues.${code}`, { defaultValue: vars.message }),
  );
  const text = (
    key: "name" | "description" | "priceCeiling" | "confirmWindowMinutes" | "validFrom" | "validTo",
  ) => ({
    value: draft[key],
    onChange: (e: { currentTarget: { value: string } }) => set(key, e.currentTarget.value),
    error: errors[key],
    readOnly,
  });
  return (
    <form
      noValidate
      aria-label={t("discountPrograms.editor")}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(draft);
      }}
    >
      <Stack>
        <Section title={t("discountPrograms.termsTitle")}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <TextInput label={t("discountPrograms.name")} required {...text("name")} />
              <Checkbox
                mt={{ md: 30 }}
                label={t("discountPrograms.active")}
                checked={draft.active}
                onChange={(e) => set("active", e.currentTarget.checked)}
                disabled={readOnly}
              />
              <TextInput
                type="datetime-local"
                label={t("discountPrograms.validFrom")}
                description={t("discountPrograms.validHint")}
                {...text("validFrom")}
              />
              <TextInput
                type="datetime-local"
                label={t("discountPrograms.validTo")}
                description={t("discountPrograms.validHint")}
                {...text("validTo")}
              />
              <TextInput
                label={t("discountPrograms.priceCeilingRubles")}
                description={t("discountPrograms.priceCeilingHint")}
                inputMode="decimal"
                rightSection="₽"
                {...text("priceCeiling")}
              />
              <TextInput
                label={t("discountPrograms.confirmWindowMinutes")}
                description={t("discountPrograms.confirmWindowHint")}
                inputMode="numeric"
                {...text("confirmWindowMinutes")}
              />
              <TagsInput
                label={t("discountPrograms.partners")}
                description={t("discountPrograms.partnersHint")}
                placeholder={draft.partners.length ? undefined : t("discountPrograms.everyPartner")}
                value={draft.partners}
                onChange={(v) => set("partners", v)}
                error={
                  errors.partners ?? Object.entries(errors).find(([f]) => f.startsWith("partners["))?.[1]
                }
                readOnly={readOnly}
              />
              <TagsInput
                label={t("discountPrograms.stores")}
                description={t("discountPrograms.storesHint")}
                placeholder={draft.stores.length ? undefined : t("discountPrograms.everyStore")}
                value={draft.stores}
                onChange={(v) => set("stores", v)}
                error={errors.stores ?? Object.entries(errors).find(([f]) => f.startsWith("stores["))?.[1]}
                readOnly={readOnly}
              />
            </SimpleGrid>
            <Checkbox
              label={t("discountPrograms.confirmAllTogether")}
              description={t("discountPrograms.confirmAllTogetherHint")}
              checked={draft.confirmAllTogether}
              onChange={(e) => set("confirmAllTogether", e.currentTarget.checked)}
              disabled={readOnly}
            />
            <Checkbox
              label={t("discountPrograms.registration")}
              description={t("discountPrograms.registrationHint")}
              checked={draft.registration}
              onChange={(e) => set("registration", e.currentTarget.checked)}
              disabled={readOnly}
            />
            <Textarea
              label={t("discountPrograms.description")}
              autosize
              minRows={2}
              {...text("description")}
            />
            <Text size="sm" c="gray.8">
              {t("discountPrograms.wholePacks")}
            </Text>
          </Stack>
        </Section>
        <Section title={t("discountPrograms.productsTitle")}>
          <ItemsEditor
            items={draft.items}
            onChange={(items) => set("items", items)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <Section title={t("discountPrograms.limitsTitle")}>
          <LimitsEditor
            rows={draft.limits}
            onChange={(limits) => set("limits", limits)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <Section title={t("discountPrograms.rangesTitle")}>
          <CardRangesEditor
            rows={draft.cardRanges}
            onChange={(cardRanges) => set("cardRanges", cardRanges)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <ErrorAlert error={save.error} />
        {!readOnly && (
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDraft(draftOf(program))} disabled={save.isPending}>
              {t("discountPrograms.discard")}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t("discountPrograms.save")}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

function Versions({ path, programCode }: { path: string; programCode: string }) {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const versions = useQuery({
    queryKey: ["discount-program-versions", partner.code, programCode],
    queryFn: () => api<DiscountProgramVersions>("GET", `${path}/versions`),
  });
  type Version = DiscountProgramVersions["items"][number];
  return (
    <Section title={t("discountPrograms.versionsTitle")}>
      <ErrorAlert error={versions.error} />
      <DataTable<Version, never>
        caption={t("discountPrograms.versionsTitle")}
        columns={[
          { key: "version", label: t("discountPrograms.version"), nowrap: true, render: (v) => v.version },
          {
            key: "createdAt",
            label: t("discountPrograms.savedAt"),
            nowrap: true,
            render: (v) => formatDateTime(v.createdAt, i18n.language),
          },
          {
            key: "userId",
            label: t("discountPrograms.savedBy"),
            render: (v) =>
              v.userId === null
                ? t("discountPrograms.bySystem")
                : t("discountPrograms.byUser", { id: v.userId }),
          },
        ]}
        rows={versions.data?.items}
        rowKey={(v) => String(v.version)}
        loading={versions.isPending}
      />
    </Section>
  );
}
