import { Alert, Button, Group, Modal, Radio, Stack, Table, Text, Textarea } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { PurchaseDetail, ResolveHanging, ResolveOutcome } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatPoints, formatRubles } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";

type PrintedReceipt = Extract<ResolveHanging, { action: "confirm" }>["receipt"];

/** The receipt the till sent with the confirm that hung: the only receipt an operator may confirm with. */
export function printedReceiptOf(detail: PurchaseDetail): PrintedReceipt | null {
  const hung = detail.history.filter((e) => e.kind === "confirm_hanging").at(-1);
  const data = hung?.data as { printed?: PrintedReceipt | null } | undefined;
  return data?.printed ?? null;
}

/**
 * Resolving a hanging purchase: cancel it, or confirm it with the receipt its till printed (kept in its
 * history), always with a reason; the server writes the audit entry.
 */
export function ResolveModal({
  partnerPath,
  purchaseId,
  onClose,
  onResolved,
}: {
  partnerPath: string;
  purchaseId: string;
  onClose(): void;
  onResolved(outcome: ResolveOutcome): void;
}) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ["purchase", partnerPath, purchaseId],
    queryFn: () => api<PurchaseDetail>("GET", `${partnerPath}/purchases/${encodeURIComponent(purchaseId)}`),
  });
  const printed = detail.data ? printedReceiptOf(detail.data) : null;
  const form = useForm({
    initialValues: { action: "cancel" as "cancel" | "confirm", reason: "" },
    validate: {
      reason: (v) => (v.trim().length < 3 ? t("form.required") : null),
    },
  });
  const resolve = useMutation({
    mutationFn: (values: typeof form.values) => {
      const body: ResolveHanging =
        values.action === "confirm" && printed
          ? { action: "confirm", reason: values.reason.trim(), receipt: printed }
          : { action: "cancel", reason: values.reason.trim() };
      return api<ResolveOutcome>(
        "POST",
        `${partnerPath}/purchases/${encodeURIComponent(purchaseId)}/resolve`,
        body,
      );
    },
    onSuccess: (outcome) => {
      const note = !outcome.changed
        ? "purchases.unchangedNote"
        : outcome.action === "cancel"
          ? "purchases.cancelledNote"
          : "purchases.confirmedNote";
      notifications.show({ message: t(note, { id: outcome.purchaseId }) });
      onResolved(outcome);
    },
    onError: (error) => applyApiError(form, error),
  });
  const printedDiscount = printed ? printed.lines.reduce((acc, l) => acc + l.discount, 0) : 0;
  return (
    <Modal
      opened
      onClose={onClose}
      title={t("purchases.resolveTitle", { id: purchaseId })}
      size="lg"
      centered
    >
      <form onSubmit={form.onSubmit((values) => resolve.mutate(values))}>
        <Stack>
          <Text size="sm">{t("purchases.resolveIntro")}</Text>
          <ErrorAlert error={detail.error} />
          <Radio.Group label={t("purchases.action")} {...form.getInputProps("action")}>
            <Stack gap="xs" mt="xs">
              <Radio value="cancel" label={t("purchases.actionCancel")} />
              <Radio value="confirm" label={t("purchases.actionConfirm")} disabled={!printed} />
            </Stack>
          </Radio.Group>
          {detail.data && !printed && (
            <Alert color="gray" variant="light">
              {t("purchases.noPrintedReceipt")}
            </Alert>
          )}
          {form.values.action === "confirm" && printed && (
            <Table withTableBorder verticalSpacing={4} aria-label={t("purchases.printedReceipt")}>
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th scope="row">{t("purchases.lines")}</Table.Th>
                  <Table.Td>{printed.lines.length}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{t("purchases.discount")}</Table.Th>
                  <Table.Td>{formatRubles(printedDiscount)}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{t("purchases.pointsSpent")}</Table.Th>
                  <Table.Td>{t("purchases.points", { value: formatPoints(printed.pointsSpent) })}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th scope="row">{t("purchases.pointsAccrued")}</Table.Th>
                  <Table.Td>{t("purchases.points", { value: formatPoints(printed.pointsAccrued) })}</Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
          )}
          <Textarea
            label={t("purchases.resolveReason")}
            placeholder={t("purchases.resolveReasonHint")}
            withAsterisk
            autosize
            minRows={2}
            maxLength={500}
            {...form.getInputProps("reason")}
          />
          {!(resolve.error && form.errors.reason) && <ErrorAlert error={resolve.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button
              type="submit"
              color={form.values.action === "cancel" ? "red.9" : "teal.9"}
              loading={resolve.isPending}
            >
              {t("purchases.doResolve")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
