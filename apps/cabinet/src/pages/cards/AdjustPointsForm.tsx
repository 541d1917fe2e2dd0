import { Button, Group, Modal, Stack, Text, Textarea, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { CardDetail, PointAdjustment, PointAdjustmentResult } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { formatPoints } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";
import { parsePoints } from "./points.ts";

type Values = { amount: string; reason: string };

/** One id per opened form: a double click or a retry after a lost answer books the adjustment once. */
function newAdjustmentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `cabinet-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Credit (positive) or debit (negative) points by hand, with the reason the audit log keeps. */
export function AdjustPointsForm({
  card,
  onClose,
  onDone,
}: {
  card: CardDetail;
  onClose(): void;
  onDone(): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const [adjustmentId] = useState(newAdjustmentId);
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { amount: "", reason: "" },
    validate: {
      amount: (v) => {
        const parsed = parsePoints(v);
        return parsed.ok ? null : t(`cards.amountErrors.${parsed.reason}`);
      },
      reason: (v) => (v.trim().length >= 3 ? null : t("cards.reasonTooShort")),
    },
  });
  const adjust = useMutation({
    mutationFn: (v: Values) => {
      const parsed = parsePoints(v.amount);
      if (!parsed.ok) throw new Error(t(`cards.amountErrors.${parsed.reason}`));
      const body: PointAdjustment = { adjustmentId, amount: parsed.hundredths, reason: v.reason.trim() };
      return api<PointAdjustmentResult>(
        "POST",
        `${partner.path}/cards/${encodeURIComponent(card.number)}/adjustments`,
        body,
      );
    },
    onSuccess: (result) => {
      notify(
        t("cards.adjusted", {
          amount: `${result.amount > 0 ? "+" : ""}${formatPoints(result.amount)}`,
          balance: formatPoints(result.balance.active),
        }),
        "teal",
      );
      onDone();
    },
    onError: (error) => applyApiError(form, error),
  });
  const fieldErrorShown = Object.keys(form.errors).length > 0;
  return (
    <Modal opened onClose={onClose} title={t("cards.adjustTitle", { number: card.number })}>
      <form onSubmit={form.onSubmit((v) => adjust.mutate(v))} noValidate>
        <Stack>
          <Text size="sm">
            {t("cards.adjustNow", {
              active: formatPoints(card.balance.active),
              available: formatPoints(card.balance.available),
            })}
          </Text>
          <TextInput
            label={t("cards.amount")}
            description={t("cards.amountHint")}
            required
            inputMode="decimal"
            autoComplete="off"
            {...form.getInputProps("amount")}
          />
          <Textarea
            label={t("cards.reason")}
            required
            autosize
            minRows={2}
            maxLength={500}
            {...form.getInputProps("reason")}
          />
          {adjust.error && !fieldErrorShown && <ErrorAlert error={adjust.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={adjust.isPending}>
              {t("cards.adjustSubmit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
