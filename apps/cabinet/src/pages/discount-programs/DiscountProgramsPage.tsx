import { Anchor, Badge, Button } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../../api/client.ts";
import type { DiscountProgram, DiscountProgramList } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { formatDateTime, formatRubles } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { NEW_PROGRAM } from "./draft.ts";

/** Manufacturers' discount programs the partner runs or takes part in. */
export default function DiscountProgramsPage() {
  const { t, i18n } = useTranslation();
  const partner = usePartner();
  const user = useUser();
  const programs = useQuery({
    queryKey: ["discount-programs", partner.code],
    queryFn: () => api<DiscountProgramList>("GET", `${partner.path}/discount-programs`),
  });
  const columns: Column<DiscountProgram>[] = [
    {
      key: "code",
      label: t("discountPrograms.code"),
      nowrap: true,
      render: (p) => (
        <Anchor component={Link} to={encodeURIComponent(p.code)} fw={700}>
          {p.code}
        </Anchor>
      ),
    },
    { key: "name", label: t("discountPrograms.name"), render: (p) => p.name },
    {
      key: "owner",
      label: t("discountPrograms.owner"),
      render: (p) =>
        p.ownerPartnerCode === partner.code ? (
          <Badge variant="outline" color="indigo.9">
            {t("discountPrograms.own")}
          </Badge>
        ) : (
          <Badge variant="outline" color="gray.8">
            {t("discountPrograms.participantOf", { owner: p.ownerPartnerCode })}
          </Badge>
        ),
    },
    { key: "items", label: t("discountPrograms.products"), nowrap: true, render: (p) => p.items.length },
    {
      key: "ceiling",
      label: t("discountPrograms.priceCeiling"),
      nowrap: true,
      render: (p) => (p.priceCeiling === null ? "—" : formatRubles(p.priceCeiling)),
    },
    { key: "version", label: t("discountPrograms.version"), nowrap: true, render: (p) => p.version },
    { key: "active", label: t("common.status"), nowrap: true, render: (p) => <StatusBadge on={p.active} /> },
    {
      key: "updatedAt",
      label: t("discountPrograms.updatedAt"),
      nowrap: true,
      render: (p) => formatDateTime(p.updatedAt, i18n.language),
    },
  ];
  return (
    <>
      <PageHeader
        title={t("discountPrograms.title")}
        actions={
          can(user, partner.code, "programs.write") && (
            <Button component={Link} to={NEW_PROGRAM}>
              {t("discountPrograms.create")}
            </Button>
          )
        }
      />
      <ErrorAlert error={programs.error} />
      <DataTable
        caption={t("discountPrograms.title")}
        columns={columns}
        rows={programs.data?.items}
        rowKey={(p) => p.code}
        loading={programs.isPending}
      />
    </>
  );
}
