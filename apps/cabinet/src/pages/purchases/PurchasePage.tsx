import {
  Anchor,
  Box,
  Button,
  Code,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../../api/client.ts";
import type { Program, PurchaseDetail, RuleList } from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { PageLoader } from "../../components/PageLoader.tsx";
import { formatDateTime, formatPoints, formatRubles } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";
import { formatQuantity, StateBadge, useHangingReason } from "./labels.tsx";
import { ResolveModal } from "./ResolveModal.tsx";

/** Names of the partner's rules by id, for "which rule gave this": the programs' current rule lists. */
function useRuleNames(partnerPath: string, partnerCode: string): Map<number, string> {
  const programs = useQuery({
    queryKey: ["programs", partnerCode],
    queryFn: () => api<{ items: Program[] }>("GET", `${partnerPath}/programs`),
    staleTime: 60_000,
  });
  const rules = useQueries({
    queries: (programs.data?.items ?? []).map((p) => ({
      queryKey: ["rules", partnerCode, p.code],
      queryFn: () => api<RuleList>("GET", `${partnerPath}/programs/${encodeURIComponent(p.code)}/rules`),
      staleTime: 60_000,
    })),
  });
  const names = new Map<number, string>();
  for (const r of rules) for (const rule of r.data?.items ?? []) names.set(rule.id, rule.definition.name);
  return names;
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text size="sm" c="gray.8">
        {label}
      </Text>
      <Text fw={600}>{value}</Text>
    </Stack>
  );
}

/** One purchase: its figures, lines with the rules that gave each discount and accrual, history and refunds. */
export default function PurchasePage() {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const { purchaseId = "" } = useParams();
  const [params] = useSearchParams();
  const seller = params.get("partner");
  const [resolving, setResolving] = useState(false);
  const ruleNames = useRuleNames(partner.path, partner.code);
  const reasonOf = useHangingReason();
  const detail = useQuery({
    queryKey: ["purchase", partner.path, purchaseId, seller],
    queryFn: () =>
      api<PurchaseDetail>(
        "GET",
        `${partner.path}/purchases/${encodeURIComponent(purchaseId)}`,
        undefined,
        seller ? { partner: seller } : undefined,
      ),
  });
  const p = detail.data;
  const mayResolve = can(user, partner.code, "purchases.write") && p?.state === "hanging" && !seller;
  const money = (kopecks: number) => formatRubles(kopecks);
  const points = (hundredths: number) => t("purchases.points", { value: formatPoints(hundredths) });
  const ruleLabel = (id: number, version: number) =>
    `${ruleNames.get(id) ?? t("purchases.ruleUnknown", { id })} (${t("purchases.ruleVersion", { version })})`;
  const lineState = new Map((p?.lineStates ?? []).map((s) => [s.lineId, s.state]));

  return (
    <>
      <Anchor component={Link} to={`/p/${encodeURIComponent(partner.code)}/purchases`} size="sm">
        {t("purchases.back")}
      </Anchor>
      <PageHeader
        title={t("purchases.detailTitle", { id: purchaseId })}
        actions={
          mayResolve && (
            <Button color="red.9" onClick={() => setResolving(true)}>
              {t("purchases.resolve")}
            </Button>
          )
        }
      />
      <ErrorAlert error={detail.error} />
      {detail.isPending && <PageLoader />}
      {p && (
        <Stack gap="lg">
          <Paper withBorder p="md" component="section" aria-labelledby="summary-title">
            <Group gap="sm" mb="sm">
              <Title order={3} id="summary-title">
                {t("purchases.summary")}
              </Title>
              <StateBadge state={p.state} />
            </Group>
            {p.state === "hanging" && (
              <Text c="red.9" fw={600} mb="sm">
                {t("purchases.reason")}: {reasonOf(p.hangingReason)}
              </Text>
            )}
            <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md">
              <Figure label={t("purchases.store")} value={p.storeCode} />
              <Figure label={t("purchases.pos")} value={p.posCode} />
              <Figure label={t("purchases.card")} value={p.cardNumber ?? t("purchases.noCard")} />
              <Figure
                label={t("purchases.confirmedAt")}
                value={p.confirmedAt ? formatDateTime(p.confirmedAt, i18n.language) : "—"}
              />
              <Figure label={t("purchases.subtotal")} value={money(p.totals.subtotal)} />
              <Figure label={t("purchases.discount")} value={money(p.totals.discount)} />
              <Figure label={t("purchases.total")} value={money(p.totals.total)} />
              <Figure label={t("purchases.toPay")} value={money(p.totals.toPay)} />
              <Figure label={t("purchases.pointsSpent")} value={points(p.totals.pointsPaid)} />
              <Figure label={t("purchases.pointsAccrued")} value={points(p.totals.accrual)} />
              <Figure label={t("purchases.refunded")} value={money(p.refunded.amount)} />
              <Figure label={t("purchases.rulesVersion")} value={p.rulesVersion ?? "—"} />
            </SimpleGrid>
            {(p.promoCodes.applied.length > 0 || p.messages.length > 0) && (
              <Stack gap={4} mt="sm">
                {p.promoCodes.applied.length > 0 && (
                  <Text size="sm">
                    {t("purchases.promoCodes")}: {p.promoCodes.applied.join(", ")}
                  </Text>
                )}
                {p.messages.length > 0 && (
                  <Text size="sm">
                    {t("purchases.messages")}: {p.messages.map((m) => m.text).join("; ")}
                  </Text>
                )}
              </Stack>
            )}
          </Paper>

          <section aria-labelledby="lines-title">
            <Title order={3} id="lines-title" mb="xs">
              {t("purchases.lines")}
            </Title>
            {/* Wide receipts scroll sideways; the keyboard must be able to scroll them too. */}
            <Box style={{ overflowX: "auto" }} tabIndex={0} role="group" aria-labelledby="lines-title">
              <Table striped verticalSpacing="xs" miw={900}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("purchases.line")}</Table.Th>
                    <Table.Th>{t("purchases.product")}</Table.Th>
                    <Table.Th>{t("purchases.quantity")}</Table.Th>
                    <Table.Th>{t("purchases.price")}</Table.Th>
                    <Table.Th>{t("purchases.amount")}</Table.Th>
                    <Table.Th>{t("purchases.discount")}</Table.Th>
                    <Table.Th>{t("purchases.total")}</Table.Th>
                    <Table.Th>{t("purchases.pointsSpent")}</Table.Th>
                    <Table.Th>{t("purchases.accrual")}</Table.Th>
                    <Table.Th>{t("purchases.rules")}</Table.Th>
                    {lineState.size > 0 && <Table.Th>{t("purchases.lineState")}</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.lines.map((l) => {
                    const given = [
                      ...(l.discounts ?? []).map((d) => ({
                        key: `d${d.ruleId}`,
                        text: `${ruleLabel(d.ruleId, d.version)}: ${t("purchases.ruleDiscount", { amount: money(d.amount) })}`,
                      })),
                      ...(l.accruals ?? []).map((a) => ({
                        key: `a${a.ruleId}`,
                        text: `${ruleLabel(a.ruleId, a.version)}: ${t("purchases.ruleAccrual", { points: formatPoints(a.amount) })}`,
                      })),
                    ];
                    return (
                      <Table.Tr key={l.lineId}>
                        <Table.Td>{l.lineId}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{l.sku ?? l.barcode ?? "—"}</Table.Td>
                        <Table.Td>{formatQuantity(l.quantity, i18n.language)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{money(l.unitPrice)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{money(l.amount)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{money(l.discount)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{money(l.total)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{formatPoints(l.pointsPaid)}</Table.Td>
                        <Table.Td style={{ whiteSpace: "nowrap" }}>{formatPoints(l.accrual)}</Table.Td>
                        <Table.Td>
                          {given.length === 0
                            ? t("purchases.noRules")
                            : given.map((g) => (
                                <Text key={g.key} size="sm">
                                  {g.text}
                                </Text>
                              ))}
                        </Table.Td>
                        {lineState.size > 0 && (
                          <Table.Td>
                            <StateBadge state={lineState.get(l.lineId) ?? p.state} />
                          </Table.Td>
                        )}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Box>
          </section>

          <section aria-labelledby="refunds-title">
            <Title order={3} id="refunds-title" mb="xs">
              {t("purchases.refunds")}
            </Title>
            {p.refunds.length === 0 ? (
              <Text c="gray.8">{t("purchases.noRefunds")}</Text>
            ) : (
              <Table striped verticalSpacing="xs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("purchases.refundId")}</Table.Th>
                    <Table.Th>{t("purchases.at")}</Table.Th>
                    <Table.Th>{t("purchases.amount")}</Table.Th>
                    <Table.Th>{t("purchases.pointsReturned")}</Table.Th>
                    <Table.Th>{t("purchases.accrualReversed")}</Table.Th>
                    <Table.Th>{t("purchases.belowProportional")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.refunds.map((r) => (
                    <Table.Tr key={r.refundId}>
                      <Table.Td>{r.refundId}</Table.Td>
                      <Table.Td>{formatDateTime(r.at, i18n.language)}</Table.Td>
                      <Table.Td>{money(r.amount)}</Table.Td>
                      <Table.Td>{formatPoints(r.pointsReturned)}</Table.Td>
                      <Table.Td>{formatPoints(r.accrualReversed)}</Table.Td>
                      <Table.Td>{r.belowProportional ? t("purchases.yes") : t("purchases.no")}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </section>

          <section aria-labelledby="history-title">
            <Title order={3} id="history-title" mb="xs">
              {t("purchases.history")}
            </Title>
            <Table striped verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("purchases.at")}</Table.Th>
                  <Table.Th>{t("purchases.event")}</Table.Th>
                  <Table.Th>{t("purchases.details")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.history.map((e, i) => (
                  // History entries have no id; the list only grows at its end.
                  // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only
                  <Table.Tr key={i}>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>
                      {formatDateTime(e.at, i18n.language)}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>
                      {t(`purchases.events.${e.kind}`, { defaultValue: e.kind })}
                    </Table.Td>
                    <Table.Td>
                      {e.data === null || e.data === undefined ? (
                        "—"
                      ) : (
                        <Code
                          block
                          fz="xs"
                          // Long data scrolls; the keyboard must reach it too.
                          tabIndex={0}
                          style={{ maxHeight: 160, overflow: "auto" }}
                        >
                          {JSON.stringify(e.data, null, 1)}
                        </Code>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </section>
        </Stack>
      )}
      {resolving && (
        <ResolveModal
          partnerPath={partner.path}
          purchaseId={purchaseId}
          onClose={() => setResolving(false)}
          onResolved={() => {
            setResolving(false);
            void queryClient.invalidateQueries({ queryKey: ["purchase", partner.path] });
            void queryClient.invalidateQueries({ queryKey: ["purchases", partner.code] });
          }}
        />
      )}
    </>
  );
}
