import { Button, Checkbox, Group, Modal, Stack, TextInput } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Client, ClientDetail, ClientUpdate } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";

type Values = {
  name: string;
  phone: string;
  email: string;
  birthDate: string;
  personalData: boolean;
  sms: boolean;
  emailConsent: boolean;
};

/** Change a client's name, contacts, birth date or consents: only what changed is sent. */
export function ClientForm({
  client,
  onClose,
  onSaved,
}: {
  client: ClientDetail;
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const initial: Values = {
    name: client.name ?? "",
    phone: client.phone ?? "",
    email: client.email ?? "",
    birthDate: client.birthDate ?? "",
    personalData: client.consents?.personalData ?? false,
    sms: client.consents?.sms ?? false,
    emailConsent: client.consents?.email ?? false,
  };
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: initial,
    validate: {
      email: (v) => (v.trim() === "" || /^[^\s@]+@[^\s@]+$/.test(v.trim()) ? null : t("form.email")),
    },
  });
  const changes = (v: Values): ClientUpdate => {
    const body: ClientUpdate = {};
    const text = (s: string) => s.trim() || null;
    if (v.name.trim() !== initial.name) body.name = text(v.name);
    if (v.phone.trim() !== initial.phone) body.phone = text(v.phone);
    if (v.email.trim() !== initial.email) body.email = text(v.email);
    if (v.birthDate !== initial.birthDate) body.birthDate = v.birthDate || null;
    if (
      v.personalData !== initial.personalData ||
      v.sms !== initial.sms ||
      v.emailConsent !== initial.emailConsent
    ) {
      body.consents = { personalData: v.personalData, sms: v.sms, email: v.emailConsent };
    }
    return body;
  };
  const save = useMutation({
    mutationFn: (body: ClientUpdate) => api<Client>("PATCH", `${partner.path}/clients/${client.id}`, body),
    onSuccess: (saved) => {
      notify(t("clients.saved", { id: saved.id }), "teal");
      onSaved();
    },
    onError: (error) => applyApiError(form, error),
  });
  const fieldErrorShown = Object.keys(form.errors).length > 0;
  return (
    <Modal opened onClose={onClose} title={t("clients.editTitle", { id: client.id })}>
      <form
        onSubmit={form.onSubmit((v) => {
          const body = changes(v);
          if (Object.keys(body).length === 0) onClose();
          else save.mutate(body);
        })}
        noValidate
      >
        <Stack>
          <TextInput label={t("clients.name")} autoComplete="off" {...form.getInputProps("name")} />
          <TextInput
            label={t("clients.phone")}
            type="tel"
            autoComplete="off"
            {...form.getInputProps("phone")}
          />
          <TextInput
            label={t("clients.email")}
            type="email"
            autoComplete="off"
            {...form.getInputProps("email")}
          />
          <TextInput label={t("clients.birthDate")} type="date" {...form.getInputProps("birthDate")} />
          <Checkbox
            label={t("clients.consentPersonalData")}
            {...form.getInputProps("personalData", { type: "checkbox" })}
          />
          <Checkbox label={t("clients.consentSms")} {...form.getInputProps("sms", { type: "checkbox" })} />
          <Checkbox
            label={t("clients.consentEmail")}
            {...form.getInputProps("emailConsent", { type: "checkbox" })}
          />
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
