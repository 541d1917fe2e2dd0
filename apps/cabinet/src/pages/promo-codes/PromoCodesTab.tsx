import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { API_BASE, api } from "../../api/client.ts";
import type {
  Page,
  ProgramDetail,
  PromoBatch,
  PromoBatchCreate,
  PromoBatchCreated,
  PromoCode,
  PromoCodeCreate,
  PromoCodeDetail,
} from "../../api/types.ts";
import { can } from "../../auth/permissions.ts";
import { useUser } from "../../auth/session.tsx";
import { type Column, DataTable } from "../../components/DataTable.tsx";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { formatDateTime } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { useListParams } from "../../lib/list-params.ts";
import { usePartner } from "../../lib/partner.ts";

const FILTERS = ["q", "batch", "state"] as const;
const STATES = ["active", "disabled", "exhausted"] as const;

const optionalText = (v: string) => (v.trim() ? v.trim() : undefined);
const optionalInt = (v: number | string) => (typeof v === "number" ? v : undefined);

/** A program's promo codes: single codes and generated batches (downloadable as CSV), and their uses. */
export function PromoCodesTab({ programPath, program }: { programPath: string; program: ProgramDetail }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const list = useListParams(FILTERS, "code");
  const [creating, setCreating] = useState<"code" | "batch" | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const mayWrite = can(user, partner.code, "promo-codes.write") && program.relation === "owner";

  const codes = useQuery({
    queryKey: ["promo-codes", partner.code, program.code, list.query],
    queryFn: () => api<Page<PromoCode>>("GET", `${programPath}/promo-codes`, undefined, list.query),
    placeholderData: (previous) => previous,
  });
  const batches = useQuery({
    queryKey: ["promo-batches", partner.code, program.code],
    queryFn: () => api<{ items: PromoBatch[] }>("GET", `${programPath}/promo-code-batches`),
  });
  const csvUrl = (b: PromoBatch) =>
    `${API_BASE}${programPath}/promo-code-batches/${encodeURIComponent(b.code)}/codes.csv`;

  const uses = (c: PromoCode) =>
    c.maxUses === null
      ? t("promo.usesUnlimited", { used: c.usesConsumed })
      : t("promo.usesOf", { used: c.usesConsumed, max: c.maxUses });
  const columns: Column<PromoCode>[] = [
    {
      key: "code",
      label: t("promo.code"),
      nowrap: true,
      sortKey: "code",
      render: (c) => (
        <Anchor component="button" type="button" ff="monospace" fw={600} onClick={() => setShown(c.code)}>
          {c.code}
        </Anchor>
      ),
    },
    { key: "batch", label: t("promo.batch"), nowrap: true, render: (c) => c.batchCode ?? "—" },
    { key: "campaign", label: t("promo.campaign"), render: (c) => c.campaign ?? "—" },
    { key: "uses", label: t("promo.uses"), nowrap: true, render: uses },
    { key: "reserved", label: t("promo.reserved"), nowrap: true, render: (c) => c.usesReserved },
    {
      key: "state",
      label: t("common.status"),
      nowrap: true,
      render: (c) =>
        c.disabled ? (
          <Badge color="gray.8" variant="outline">
            {t("promo.states.disabled")}
          </Badge>
        ) : c.usesLeft === 0 ? (
          <Badge color="orange.9" variant="outline">
            {t("promo.states.exhausted")}
          </Badge>
        ) : (
          <Badge color="teal.9" variant="outline">
            {t("promo.states.active")}
          </Badge>
        ),
    },
    {
      key: "createdAt",
      label: t("common.createdAt"),
      nowrap: true,
      sortKey: "createdAt",
      render: (c) => formatDateTime(c.createdAt, i18n.language),
    },
  ];

  return (
    <Stack>
      {mayWrite && (
        <Group>
          <Button onClick={() => setCreating("code")}>{t("promo.createCode")}</Button>
          <Button variant="light" onClick={() => setCreating("batch")}>
            {t("promo.createBatch")}
          </Button>
        </Group>
      )}
      <Title order={3} size="h4">
        {t("promo.batches")}
      </Title>
      <ErrorAlert error={batches.error} />
      {batches.data?.items.length === 0 ? (
        <Text size="sm">{t("promo.noBatches")}</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped verticalSpacing="xs">
            <VisuallyHidden component="caption">{t("promo.batches")}</VisuallyHidden>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("promo.batch")}</Table.Th>
                <Table.Th>{t("promo.size")}</Table.Th>
                <Table.Th>{t("promo.prefix")}</Table.Th>
                <Table.Th>{t("promo.campaign")}</Table.Th>
                <Table.Th>{t("promo.maxUses")}</Table.Th>
                <Table.Th>{t("common.createdAt")}</Table.Th>
                <Table.Th>{t("common.actions")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {batches.data?.items.map((b) => (
                <Table.Tr key={b.code}>
                  <Table.Td fw={600}>{b.code}</Table.Td>
                  <Table.Td>{b.size.toLocaleString(i18n.language === "en" ? "en-GB" : "ru-RU")}</Table.Td>
                  <Table.Td ff="monospace">{b.prefix || "—"}</Table.Td>
                  <Table.Td>{b.campaign ?? "—"}</Table.Td>
                  <Table.Td>{b.maxUses ?? t("promo.unlimited")}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    {formatDateTime(b.createdAt, i18n.language)}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        component="a"
                        href={csvUrl(b)}
                        download
                        size="compact-sm"
                        variant="light"
                        aria-label={t("promo.downloadOne", { code: b.code })}
                      >
                        {t("promo.download")}
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        onClick={() => list.setFilters({ batch: b.code })}
                        aria-label={t("promo.showCodesOf", { code: b.code })}
                      >
                        {t("promo.showCodes")}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Title order={3} size="h4">
        {t("promo.codes")}
      </Title>
      <Group align="flex-end">
        <TextInput
          label={t("common.search")}
          placeholder={t("promo.searchHint")}
          defaultValue={list.filters.q}
          onKeyDown={(e) => {
            if (e.key === "Enter") list.setFilters({ q: e.currentTarget.value.trim() });
          }}
        />
        <Select
          label={t("promo.batch")}
          clearable
          data={(batches.data?.items ?? []).map((b) => b.code)}
          value={list.filters.batch || null}
          onChange={(v) => list.setFilters({ batch: v })}
        />
        <Select
          label={t("common.status")}
          clearable
          data={STATES.map((s) => ({ value: s, label: t(`promo.states.${s}`) }))}
          value={list.filters.state || null}
          onChange={(v) => list.setFilters({ state: v })}
        />
      </Group>
      <ErrorAlert error={codes.error} />
      <DataTable
        caption={t("promo.codes")}
        columns={columns}
        rows={codes.data?.items}
        rowKey={(c) => c.code}
        loading={codes.isPending}
        list={list}
        nextCursor={codes.data?.nextCursor ?? null}
      />
      {creating === "code" && <CodeForm programPath={programPath} onClose={() => setCreating(null)} />}
      {creating === "batch" && (
        <BatchForm programPath={programPath} onClose={() => setCreating(null)} csvUrl={csvUrl} />
      )}
      {shown && <CodeUses programPath={programPath} code={shown} onClose={() => setShown(null)} />}
    </Stack>
  );
}

function TermsFields({ form }: { form: ReturnType<typeof useForm<TermValues>> }) {
  const { t } = useTranslation();
  return (
    <>
      <TextInput
        label={t("promo.campaign")}
        description={t("promo.campaignHint")}
        {...form.getInputProps("campaign")}
      />
      <Group grow>
        <NumberInput
          label={t("promo.maxUses")}
          description={t("promo.maxUsesHint")}
          min={1}
          allowDecimal={false}
          {...form.getInputProps("maxUses")}
        />
        <NumberInput
          label={t("promo.maxUsesPerCard")}
          min={1}
          allowDecimal={false}
          {...form.getInputProps("maxUsesPerCard")}
        />
      </Group>
      <TextInput label={t("promo.description")} {...form.getInputProps("description")} />
    </>
  );
}

interface TermValues extends Record<string, unknown> {
  campaign: string;
  maxUses: number | string;
  maxUsesPerCard: number | string;
  description: string;
}
const termsOf = (v: TermValues) => ({
  ...(optionalText(v.campaign) ? { campaign: optionalText(v.campaign) } : {}),
  ...(optionalInt(v.maxUses) !== undefined ? { maxUses: optionalInt(v.maxUses) } : {}),
  ...(optionalInt(v.maxUsesPerCard) !== undefined ? { maxUsesPerCard: optionalInt(v.maxUsesPerCard) } : {}),
  ...(optionalText(v.description) ? { description: optionalText(v.description) } : {}),
});

function useInvalidateCodes() {
  const queryClient = useQueryClient();
  const partner = usePartner();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ["promo-codes", partner.code] });
    void queryClient.invalidateQueries({ queryKey: ["promo-batches", partner.code] });
  };
}

function CodeForm({ programPath, onClose }: { programPath: string; onClose(): void }) {
  const { t } = useTranslation();
  const invalidate = useInvalidateCodes();
  const form = useForm<TermValues & { code: string; cardNumber: string }>({
    mode: "controlled",
    initialValues: {
      code: "",
      cardNumber: "",
      campaign: "",
      maxUses: 1,
      maxUsesPerCard: "",
      description: "",
    },
  });
  const create = useMutation({
    mutationFn: (v: TermValues & { code: string; cardNumber: string }) =>
      api<PromoCode>("POST", `${programPath}/promo-codes`, {
        code: v.code,
        ...(optionalText(v.cardNumber) ? { cardNumber: optionalText(v.cardNumber) } : {}),
        ...termsOf(v),
      } satisfies PromoCodeCreate),
    onSuccess: (c) => {
      notify(t("promo.createdNote", { code: c.code }));
      invalidate();
      onClose();
    },
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal opened onClose={onClose} title={t("promo.createCode")} size="lg">
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <TextInput label={t("promo.code")} required {...form.getInputProps("code")} />
          <TextInput
            label={t("promo.cardNumber")}
            description={t("promo.cardNumberHint")}
            {...form.getInputProps("cardNumber")}
          />
          <TermsFields form={form as never} />
          {create.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={create.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t("common.create")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function BatchForm({
  programPath,
  onClose,
  csvUrl,
}: {
  programPath: string;
  onClose(): void;
  csvUrl(b: PromoBatch): string;
}) {
  const { t } = useTranslation();
  const invalidate = useInvalidateCodes();
  const [created, setCreated] = useState<PromoBatchCreated | null>(null);
  const form = useForm<
    TermValues & { code: string; size: number | string; prefix: string; length: number | string }
  >({
    mode: "controlled",
    initialValues: {
      code: "",
      size: 100,
      prefix: "",
      length: 10,
      campaign: "",
      maxUses: 1,
      maxUsesPerCard: "",
      description: "",
    },
  });
  const create = useMutation({
    mutationFn: (
      v: TermValues & { code: string; size: number | string; prefix: string; length: number | string },
    ) =>
      api<PromoBatchCreated>("POST", `${programPath}/promo-code-batches`, {
        code: v.code.trim(),
        size: v.size as number,
        ...(v.prefix.trim() ? { prefix: v.prefix.trim() } : {}),
        ...(optionalInt(v.length) !== undefined ? { length: optionalInt(v.length) } : {}),
        ...termsOf(v),
      } satisfies PromoBatchCreate),
    onSuccess: (b) => {
      setCreated(b);
      invalidate();
    },
    onError: (error) => applyApiError(form, error),
  });
  return (
    <Modal opened onClose={onClose} title={t("promo.createBatch")} size="lg">
      {created ? (
        <Stack>
          <Text>
            {t("promo.batchCreated", { code: created.code, size: created.size, ms: created.generatedInMs })}
          </Text>
          <Group justify="flex-end">
            <Button component="a" href={csvUrl(created)} download>
              {t("promo.downloadCsv")}
            </Button>
            <Button variant="default" onClick={onClose}>
              {t("common.close")}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
          <Stack>
            <TextInput label={t("promo.batchCode")} required {...form.getInputProps("code")} />
            <Group grow>
              <NumberInput
                label={t("promo.size")}
                required
                min={1}
                max={100_000}
                allowDecimal={false}
                {...form.getInputProps("size")}
              />
              <TextInput label={t("promo.prefix")} {...form.getInputProps("prefix")} />
              <NumberInput
                label={t("promo.length")}
                min={6}
                max={16}
                allowDecimal={false}
                {...form.getInputProps("length")}
              />
            </Group>
            <TermsFields form={form as never} />
            {create.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={create.error} />}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t("common.cancel")}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t("promo.generate")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function CodeUses({ programPath, code, onClose }: { programPath: string; code: string; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const user = useUser();
  const partner = usePartner();
  const invalidate = useInvalidateCodes();
  const queryClient = useQueryClient();
  const path = `${programPath}/promo-codes/${encodeURIComponent(code)}`;
  const detail = useQuery({
    queryKey: ["promo-code", partner.code, path],
    queryFn: () => api<PromoCodeDetail>("GET", path),
  });
  const disable = useMutation({
    mutationFn: () => api<PromoCode>("POST", `${path}/disable`),
    onSuccess: () => {
      invalidate();
      void queryClient.invalidateQueries({ queryKey: ["promo-code", partner.code, path] });
    },
  });
  const d = detail.data;
  return (
    <Modal opened onClose={onClose} title={t("promo.codeTitle", { code })} size="xl">
      <Stack>
        <ErrorAlert error={detail.error ?? disable.error} />
        {d && (
          <>
            <Group gap="xl">
              <Text size="sm">
                {t("promo.uses")}:{" "}
                {d.maxUses === null
                  ? t("promo.usesUnlimited", { used: d.usesConsumed })
                  : t("promo.usesOf", { used: d.usesConsumed, max: d.maxUses })}
              </Text>
              <Text size="sm">
                {t("promo.campaign")}: {d.campaign ?? "—"}
              </Text>
              <Text size="sm">
                {t("promo.cardNumber")}: {d.cardNumber ?? "—"}
              </Text>
              {d.disabled && <Badge color="gray.8">{t("promo.states.disabled")}</Badge>}
            </Group>
            {d.uses.length === 0 ? (
              <Text size="sm">{t("promo.noUses")}</Text>
            ) : (
              <Table striped withTableBorder>
                <VisuallyHidden component="caption">{t("promo.uses")}</VisuallyHidden>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t("promo.purchase")}</Table.Th>
                    <Table.Th>{t("promo.cardNumber")}</Table.Th>
                    <Table.Th>{t("common.status")}</Table.Th>
                    <Table.Th>{t("promo.usedAt")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.uses.map((u) => (
                    <Table.Tr key={u.purchaseId}>
                      <Table.Td ff="monospace">{u.purchaseId}</Table.Td>
                      <Table.Td>{u.cardNumber ?? "—"}</Table.Td>
                      <Table.Td>{t(`promo.useStates.${u.state}`, { defaultValue: u.state })}</Table.Td>
                      <Table.Td>{formatDateTime(u.at, i18n.language)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {!d.disabled && can(user, partner.code, "promo-codes.write") && (
              <Group justify="flex-end">
                <Button
                  color="red.9"
                  variant="outline"
                  loading={disable.isPending}
                  onClick={() => disable.mutate()}
                >
                  {t("promo.disable")}
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </Modal>
  );
}
