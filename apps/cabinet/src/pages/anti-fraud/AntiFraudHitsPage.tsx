import { Anchor, Group, Paper, Text } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import type { AntiFraudHit, AntiFraudHits } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatCount, formatDate, formatDateTime } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { isKnownCap } from "./caps.ts";

const DAY = "YYYY-MM-DD";

/**
 * The cards and POS credentials that ran into the programs' anti-fraud caps on a day: refused bonus
 * payments, refunds and cancels, trimmed accruals, with how often. The day is in the URL.
 */
export default function AntiFraudHitsPage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const [params, setParams] = useSearchParams();
  const today = dayjs().format(DAY);
  const asked = params.get("day") ?? "";
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asked) && dayjs(asked).isValid() ? asked : today;
  const base = `/p/${encodeURIComponent(partner.code)}`;
  const mayReadCards = can(user, partner.code, "cards.read");
  const hits = useQuery({
    queryKey: ["anti-fraud-hits", partner.code, day],
    queryFn: () => api<AntiFraudHits>("GET", `${partner.path}/anti-fraud/hits`, undefined, { day }),
  });
  // The day in words, read from its parts so no time zone can move it.
  const dayInWords = formatDate(`${day}T12:00:00Z`, i18n.language, "UTC");

  const columns: Column<AntiFraudHit>[] = [
    {
      key: "cap",
      label: t("antiFraud.hits.cap"),
      render: (h) => (isKnownCap(h.cap) ? t(`antiFraud.caps.${h.cap}`) : h.cap),
    },
    {
      key: "subject",
      label: t("antiFraud.hits.subject"),
      nowrap: true,
      render: (h) =>
        h.subject === "card" ? (
          // A participant's cards are its own: the owner of the program has no page for them.
          h.cardNumber && mayReadCards && h.partnerCode === partner.code ? (
            <Anchor component={Link} size="sm" to={`${base}/cards/${encodeURIComponent(h.cardNumber)}`}>
              {t("antiFraud.hits.card", { number: h.cardNumber })}
            </Anchor>
          ) : (
            t("antiFraud.hits.card", { number: h.cardNumber ?? "—" })
          )
        ) : (
          t("antiFraud.hits.pos", { login: h.login ?? "—" })
        ),
    },
    { key: "hits", label: t("antiFraud.hits.count"), nowrap: true, render: (h) => formatCount(h.hits) },
    {
      key: "lastAt",
      label: t("antiFraud.hits.lastAt"),
      nowrap: true,
      render: (h) => formatDateTime(h.lastAt, i18n.language),
    },
    {
      key: "program",
      label: t("antiFraud.hits.program"),
      render: (h) =>
        // The caps are set by the program's owner; a participant only reads whose program it was.
        h.programOwnerCode === partner.code ? (
          <Anchor
            component={Link}
            size="sm"
            to={`${base}/programs/${encodeURIComponent(h.programCode)}?tab=settings`}
            aria-label={t("antiFraud.hits.programCaps", { program: h.programName })}
          >
            {h.programName}
          </Anchor>
        ) : (
          t("antiFraud.hits.offeredBy", { program: h.programName, owner: h.programOwnerCode })
        ),
    },
  ];
  const items = hits.data?.items;
  // Only a program offered to others brings their POS here: then whose POS it was is a column.
  if (items?.some((h) => h.partnerCode !== partner.code)) {
    columns.splice(2, 0, {
      key: "partner",
      label: t("antiFraud.hits.partner"),
      nowrap: true,
      render: (h) => h.partnerCode,
    });
  }
  const total = items?.reduce((sum, h) => sum + h.hits, 0) ?? 0;

  return (
    <>
      <PageHeader title={t("antiFraud.hits.title")} />
      <Paper withBorder p="md" mb="lg">
        <Group align="flex-end">
          <DatePickerInput
            label={t("antiFraud.hits.day")}
            valueFormat="DD.MM.YYYY"
            w={180}
            maxDate={today}
            value={day}
            onChange={(value) => {
              if (!value) return;
              const next = new URLSearchParams(params);
              const picked = dayjs(value).format(DAY);
              if (picked === today) next.delete("day");
              else next.set("day", picked);
              setParams(next, { replace: true });
            }}
          />
          {items && items.length > 0 && (
            <Text size="sm" pb={8} data-testid="anti-fraud-total">
              {t("antiFraud.hits.total", { total: formatCount(total) })}
            </Text>
          )}
        </Group>
        <Text size="sm" c="gray.8" mt="xs">
          {t("antiFraud.hits.dayNote")}
        </Text>
      </Paper>
      <ErrorAlert error={hits.error} />
      {hits.isPending && <PageLoader />}
      {items && items.length === 0 && (
        <Paper withBorder p="xl" ta="center">
          <Text fw={600}>{t("antiFraud.hits.empty", { day: dayInWords })}</Text>
          <Text size="sm" c="gray.8" mt={4}>
            {t("antiFraud.hits.emptyHint")}
          </Text>
        </Paper>
      )}
      {items && items.length > 0 && (
        <DataTable
          caption={t("antiFraud.hits.caption", { day: dayInWords })}
          columns={columns}
          rows={items}
          rowKey={(h) =>
            `${h.partnerCode}/${h.programOwnerCode}/${h.programCode}/${h.cap}/${h.subject}/${h.cardNumber ?? h.login}`
          }
          loading={false}
        />
      )}
    </>
  );
}
