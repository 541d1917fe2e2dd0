import { Button, Checkbox, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../../api/client.ts";
import type { RegistrationSettings, RegistrationSettingsUpdate } from "../../../api/types.ts";
import { ErrorAlert } from "../../../components/ErrorAlert.tsx";
import { notify } from "../../../components/notify.ts";
import { applyApiError } from "../../../lib/forms.ts";
import { usePartner } from "../../../lib/partner.ts";
import { wholeNumber } from "./units.ts";

type RegistrationValues = {
  loginValue: RegistrationSettings["loginValue"];
  confirmationMethod: RegistrationSettings["confirmationMethod"];
  attachCardOnRegistration: boolean;
  virtualCardsOn: boolean;
  virtualCardsPrefix: string;
  virtualCardsLength: string;
  virtualCardsCheckDigit: "ean13" | "luhn" | "none";
};

/** The API names the virtual card range's fields by their path; the form keeps them flat. */
const ALIASES: Record<string, keyof RegistrationValues & string> = {
  virtualCards: "virtualCardsPrefix",
  "virtualCards.prefix": "virtualCardsPrefix",
  "virtualCards.length": "virtualCardsLength",
  "virtualCards.checkDigit": "virtualCardsCheckDigit",
};

function valuesOf(s: RegistrationSettings): RegistrationValues {
  return {
    loginValue: s.loginValue,
    confirmationMethod: s.confirmationMethod,
    attachCardOnRegistration: s.attachCardOnRegistration,
    virtualCardsOn: s.virtualCards !== null,
    virtualCardsPrefix: s.virtualCards?.prefix ?? "",
    virtualCardsLength: s.virtualCards ? String(s.virtualCards.length) : "13",
    virtualCardsCheckDigit: s.virtualCards?.checkDigit ?? "ean13",
  };
}

/** The PATCH body: only what differs from the settings as loaded. */
function changesOf(v: RegistrationValues, s: RegistrationSettings): Record<string, unknown> {
  const virtualCards = v.virtualCardsOn
    ? {
        prefix: v.virtualCardsPrefix.trim(),
        length: wholeNumber(v.virtualCardsLength),
        checkDigit: v.virtualCardsCheckDigit,
      }
    : null;
  const body: Record<string, unknown> = {};
  if (v.loginValue !== s.loginValue) body.loginValue = v.loginValue;
  if (v.confirmationMethod !== s.confirmationMethod) body.confirmationMethod = v.confirmationMethod;
  if (v.attachCardOnRegistration !== s.attachCardOnRegistration)
    body.attachCardOnRegistration = v.attachCardOnRegistration;
  if (JSON.stringify(virtualCards) !== JSON.stringify(s.virtualCards)) body.virtualCards = virtualCards;
  return body;
}

/** How clients register in the program: their login, how it is confirmed, which card they get. */
export function RegistrationForm({
  programPath,
  programCode,
  readOnly,
}: {
  programPath: string;
  programCode: string;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const queryKey = ["registration", partner.code, programCode];
  const settings = useQuery({
    queryKey,
    queryFn: () => api<RegistrationSettings>("GET", `${programPath}/registration`),
  });
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("settings.registrationTitle")}
      </Title>
      <ErrorAlert error={settings.error} />
      {settings.data && (
        <RegistrationFields
          key={JSON.stringify(settings.data)}
          programPath={programPath}
          settings={settings.data}
          readOnly={readOnly}
          queryKey={queryKey}
        />
      )}
    </Paper>
  );
}

function RegistrationFields({
  programPath,
  settings,
  readOnly,
  queryKey,
}: {
  programPath: string;
  settings: RegistrationSettings;
  readOnly: boolean;
  queryKey: string[];
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const form = useForm<RegistrationValues>({ mode: "controlled", initialValues: valuesOf(settings) });
  const save = useMutation({
    mutationFn: (body: RegistrationSettingsUpdate) =>
      api<RegistrationSettings>("PATCH", `${programPath}/registration`, body),
    onSuccess: (saved) => {
      notify(t("settings.registrationSaved"));
      queryClient.setQueryData(queryKey, saved);
    },
    onError: (error) => applyApiError(form, error, ALIASES),
  });
  const options = (group: string, values: string[]) =>
    values.map((v) => ({ value: v, label: t(`settings.${group}.${v}`) }));
  const virtualCards = form.getValues().virtualCardsOn;
  return (
    <form
      aria-label={t("settings.registrationTitle")}
      noValidate
      onSubmit={form.onSubmit((v) => {
        const body = changesOf(v, settings);
        if (Object.keys(body).length === 0) notify(t("settings.nothingChanged"));
        else save.mutate(body as RegistrationSettingsUpdate);
      })}
    >
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Select
              label={t("settings.registration.loginValue")}
              description={t("settings.registration.loginValueHint")}
              data={options("login", ["phone", "email"])}
              allowDeselect={false}
              {...form.getInputProps("loginValue")}
            />
            <Select
              label={t("settings.registration.confirmationMethod")}
              description={t("settings.registration.confirmationMethodHint")}
              data={options("confirmation", ["phone", "email", "none"])}
              allowDeselect={false}
              {...form.getInputProps("confirmationMethod")}
            />
          </SimpleGrid>
          <Checkbox
            label={t("settings.registration.attachCardOnRegistration")}
            description={t("settings.registration.attachCardOnRegistrationHint")}
            {...form.getInputProps("attachCardOnRegistration", { type: "checkbox" })}
          />
          <Checkbox
            label={t("settings.registration.virtualCards")}
            description={t("settings.registration.virtualCardsHint")}
            {...form.getInputProps("virtualCardsOn", { type: "checkbox" })}
          />
          {virtualCards && (
            <SimpleGrid cols={{ base: 1, md: 3 }}>
              <TextInput
                label={t("settings.registration.prefix")}
                inputMode="numeric"
                {...form.getInputProps("virtualCardsPrefix")}
              />
              <TextInput
                label={t("settings.registration.length")}
                inputMode="numeric"
                {...form.getInputProps("virtualCardsLength")}
              />
              <Select
                label={t("settings.registration.checkDigit")}
                data={options("checkDigit", ["ean13", "luhn", "none"])}
                allowDeselect={false}
                {...form.getInputProps("virtualCardsCheckDigit")}
              />
            </SimpleGrid>
          )}
          {save.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={save.error} />}
          {!readOnly && (
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>
                {t("settings.saveRegistration")}
              </Button>
            </Group>
          )}
        </Stack>
      </fieldset>
    </form>
  );
}
