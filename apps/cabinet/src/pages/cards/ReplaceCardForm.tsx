import { Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { CardDetail, CardReplace, CardReplacement } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { formatPoints } from "../../lib/format.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";

type Values = { newNumber: string };

/** A lost card's balance, level and holder move to a free card (or a new virtual one); the old one is blocked. */
export function ReplaceCardForm({
  card,
  onClose,
  onReplaced,
}: {
  card: CardDetail;
  onClose(): void;
  onReplaced(newNumber: string): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: { newNumber: "" },
    validate: {
      newNumber: (v) =>
        v.trim() === "" || /^[A-Za-z0-9-]{1,64}$/.test(v.trim()) ? null : t("cards.numberFormat"),
    },
  });
  const replace = useMutation({
    mutationFn: (v: Values) => {
      const body: CardReplace = { newNumber: v.newNumber.trim() || null };
      return api<CardReplacement>(
        "POST",
        `${partner.path}/cards/${encodeURIComponent(card.number)}/replace`,
        body,
      );
    },
    onSuccess: (r) => {
      notify(
        t("cards.replaced", {
          old: r.oldNumber,
          new: r.newNumber,
          active: formatPoints(r.movedActive),
          pending: formatPoints(r.movedPending),
        }),
        "teal",
      );
      onReplaced(r.newNumber);
    },
    onError: (error) => applyApiError(form, error),
  });
  const fieldErrorShown = Object.keys(form.errors).length > 0;
  return (
    <Modal opened onClose={onClose} title={t("cards.replaceTitle", { number: card.number })}>
      <form onSubmit={form.onSubmit((v) => replace.mutate(v))} noValidate>
        <Stack>
          <Text size="sm">{t("cards.replaceExplained")}</Text>
          <TextInput
            label={t("cards.newNumber")}
            description={t("cards.newNumberHint")}
            autoComplete="off"
            {...form.getInputProps("newNumber")}
          />
          {replace.error && !fieldErrorShown && <ErrorAlert error={replace.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" color="red.9" loading={replace.isPending}>
              {t("cards.replaceSubmit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
