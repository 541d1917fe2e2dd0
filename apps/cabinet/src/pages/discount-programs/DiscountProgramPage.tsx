import { Anchor, Badge, Button, Group, Stack, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
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
import { bodyOf, draftOf, NEW_PROGRAM, type ProgramDraft } from "./draft.ts";
import { NewDiscountProgram } from "./NewDiscountProgram.tsx";
import { ProgramForm, Section, useProgramErrors } from "./ProgramForm.tsx";

/**
 * A manufacturer's discount program: its whole definition, saved as a new version, and its versions; at
 * `discount-programs/new`, the same form for a program not yet created.
 */
export default function DiscountProgramPage() {
  const { t } = useTranslation();
  const partner = usePartner();
  const { programCode = "" } = useParams();
  return (
    <>
      <Anchor component={Link} to={`/p/${encodeURIComponent(partner.code)}/discount-programs`} size="sm">
        ← {t("discountPrograms.title")}
      </Anchor>
      {programCode === NEW_PROGRAM ? <NewDiscountProgram /> : <ExistingProgram programCode={programCode} />}
    </>
  );
}

function ExistingProgram({ programCode }: { programCode: string }) {
  const { t } = useTranslation();
  const partner = usePartner();
  const user = useUser();
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
  const errors = useProgramErrors(save.error);
  return (
    <ProgramForm
      label={t("discountPrograms.editor")}
      draft={draft}
      setDraft={setDraft}
      errors={errors}
      error={save.error}
      readOnly={readOnly}
      onSubmit={() => save.mutate(draft)}
      actions={
        <>
          <Button variant="default" onClick={() => setDraft(draftOf(program))} disabled={save.isPending}>
            {t("discountPrograms.discard")}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {t("discountPrograms.save")}
          </Button>
        </>
      }
    />
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
