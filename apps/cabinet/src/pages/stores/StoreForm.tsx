import { Button, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Store, StoreCreate, StoreUpdate } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";
import { TimeZoneSelect } from "./TimeZoneSelect.tsx";

type Values = {
  code: string;
  name: string;
  timezone: string;
  address: string;
};

/** Create a store, or change one (its code stays). */
export function StoreForm({
  store,
  onClose,
  onSaved,
}: {
  store: Store | null;
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      code: store?.code ?? "",
      name: store?.name ?? "",
      timezone: store?.timezone ?? "Europe/Moscow",
      address: store?.address ?? "",
    },
    validate: {
      code: (v) => (store || v.trim() ? null : t("form.required")),
      name: (v) => (v.trim() ? null : t("form.required")),
      timezone: (v) => (v ? null : t("form.required")),
    },
  });
  const save = useMutation({
    mutationFn: (v: Values) => {
      const address = v.address.trim() || null;
      if (store) {
        const body: StoreUpdate = { name: v.name.trim(), timezone: v.timezone, address };
        return api<Store>("PATCH", `${partner.path}/stores/${encodeURIComponent(store.code)}`, body);
      }
      const body: StoreCreate = { code: v.code.trim(), name: v.name.trim(), timezone: v.timezone, address };
      return api<Store>("POST", `${partner.path}/stores`, body);
    },
    onSuccess: (saved) => {
      notifications.show({ color: "teal", message: t("stores.saved", { code: saved.code }) });
      onSaved();
    },
    onError: (error) => applyApiError(form, error, { storeCode: "code" }),
  });
  const fieldErrorShown = Object.keys(form.errors).length > 0;
  return (
    <Modal
      opened
      onClose={onClose}
      title={store ? t("stores.editTitle", { code: store.code }) : t("stores.create")}
    >
      <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
        <Stack>
          <TextInput
            label={t("stores.code")}
            description={t("stores.codeHint")}
            required
            disabled={store !== null}
            {...form.getInputProps("code")}
          />
          <TextInput label={t("stores.name")} required {...form.getInputProps("name")} />
          <TimeZoneSelect label={t("stores.timezone")} required {...form.getInputProps("timezone")} />
          <TextInput label={t("stores.address")} {...form.getInputProps("address")} />
          {save.error && !fieldErrorShown && <ErrorAlert error={save.error} />}
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
