import { Button, Checkbox, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../../api/client.ts";
import type { ProgramDetail } from "../../../api/types.ts";
import { ErrorAlert } from "../../../components/ErrorAlert.tsx";
import { notify } from "../../../components/notify.ts";
import { applyApiError } from "../../../lib/forms.ts";
import { useProgramSaved } from "./program-saved.ts";
import {
  bpToPercent,
  type DurationUnit,
  joinDuration,
  percentToBp,
  splitDuration,
  wholeNumber,
} from "./units.ts";

const TTL_UNITS: readonly DurationUnit[] = ["seconds", "minutes", "hours", "days"];
const CANCEL_UNITS: readonly DurationUnit[] = ["minutes", "hours", "days"];

/** The form's fields carry the API's names, so the server's complaint lands next to the right one. */
type TermsValues = {
  name: string;
  active: boolean;
  holdDays: string;
  pointsLifetimeDays: string;
  purchaseTtlSeconds: string;
  purchaseTtlUnit: DurationUnit;
  cancelWindowMinutes: string;
  cancelWindowUnit: DurationUnit;
  maxPointsPaymentShareBp: string;
  maxLineDiscountBp: string;
  maxReceiptDiscountBp: string;
  discountRounding: string;
  refundPolicy: string;
};

function valuesOf(p: ProgramDetail): TermsValues {
  const ttl = splitDuration(p.purchaseTtlSeconds, TTL_UNITS);
  const cancel = splitDuration(p.cancelWindowMinutes, CANCEL_UNITS);
  return {
    name: p.name,
    active: p.active,
    holdDays: String(p.holdDays),
    pointsLifetimeDays: p.pointsLifetimeDays === null ? "" : String(p.pointsLifetimeDays),
    purchaseTtlSeconds: ttl.amount,
    purchaseTtlUnit: ttl.unit,
    cancelWindowMinutes: cancel.amount,
    cancelWindowUnit: cancel.unit,
    maxPointsPaymentShareBp: bpToPercent(p.maxPointsPaymentShareBp),
    maxLineDiscountBp: bpToPercent(p.maxLineDiscountBp),
    maxReceiptDiscountBp: bpToPercent(p.maxReceiptDiscountBp),
    discountRounding: p.discountRounding,
    refundPolicy: p.refundPolicy,
  };
}

/** The PATCH body: only what differs from the program as loaded, in the API's units. */
function changesOf(v: TermsValues, p: ProgramDetail): Record<string, unknown> {
  const next: Record<string, unknown> = {
    name: v.name.trim(),
    active: v.active,
    holdDays: wholeNumber(v.holdDays),
    pointsLifetimeDays: v.pointsLifetimeDays.trim() === "" ? null : wholeNumber(v.pointsLifetimeDays),
    purchaseTtlSeconds: joinDuration(v.purchaseTtlSeconds, v.purchaseTtlUnit, TTL_UNITS),
    cancelWindowMinutes: joinDuration(v.cancelWindowMinutes, v.cancelWindowUnit, CANCEL_UNITS),
    maxPointsPaymentShareBp: percentToBp(v.maxPointsPaymentShareBp),
    maxLineDiscountBp: percentToBp(v.maxLineDiscountBp),
    maxReceiptDiscountBp: percentToBp(v.maxReceiptDiscountBp),
    discountRounding: v.discountRounding,
    refundPolicy: v.refundPolicy,
  };
  const current = p as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(next).filter(([k, value]) => value !== current[k]));
}

export function TermsForm({
  programPath,
  program,
  readOnly,
}: {
  programPath: string;
  program: ProgramDetail;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const programSaved = useProgramSaved(program.code);
  const form = useForm<TermsValues>({ mode: "controlled", initialValues: valuesOf(program) });
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api<ProgramDetail>("PATCH", programPath, body),
    onSuccess: (saved) => programSaved(saved, t("settings.termsSaved", { version: saved.version })),
    onError: (error) => applyApiError(form, error),
  });
  const unitOptions = (units: readonly DurationUnit[]) =>
    units.map((u) => ({ value: u, label: t(`settings.units.${u}`) }));
  const durationField = (
    field: "purchaseTtlSeconds" | "cancelWindowMinutes",
    unitField: "purchaseTtlUnit" | "cancelWindowUnit",
    units: readonly DurationUnit[],
  ) => (
    <Group gap="xs" align="flex-start" wrap="nowrap">
      <TextInput
        label={t(`settings.terms.${field}`)}
        description={t(`settings.terms.${field}Hint`)}
        inputMode="numeric"
        style={{ flex: 1 }}
        {...form.getInputProps(field)}
      />
      <Select
        label={t("settings.unit")}
        aria-label={t("settings.unitOf", { field: t(`settings.terms.${field}`) })}
        data={unitOptions(units)}
        allowDeselect={false}
        w={110}
        style={{ alignSelf: "flex-end" }}
        {...form.getInputProps(unitField)}
      />
    </Group>
  );
  const percentField = (field: "maxPointsPaymentShareBp" | "maxLineDiscountBp" | "maxReceiptDiscountBp") => (
    <TextInput
      label={t(`settings.terms.${field}`)}
      description={t(`settings.terms.${field}Hint`)}
      inputMode="decimal"
      rightSection="%"
      {...form.getInputProps(field)}
    />
  );
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("settings.termsTitle")}
      </Title>
      <form
        aria-label={t("settings.termsTitle")}
        noValidate
        onSubmit={form.onSubmit((v) => {
          const body = changesOf(v, program);
          if (Object.keys(body).length === 0) notify(t("settings.nothingChanged"));
          else save.mutate(body);
        })}
      >
        <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <TextInput label={t("settings.terms.name")} required {...form.getInputProps("name")} />
              <Checkbox
                mt={{ md: 30 }}
                label={t("settings.terms.active")}
                {...form.getInputProps("active", { type: "checkbox" })}
              />
              <TextInput
                label={t("settings.terms.holdDays")}
                description={t("settings.terms.holdDaysHint")}
                inputMode="numeric"
                {...form.getInputProps("holdDays")}
              />
              <TextInput
                label={t("settings.terms.pointsLifetimeDays")}
                description={t("settings.terms.pointsLifetimeDaysHint")}
                inputMode="numeric"
                placeholder={t("settings.terms.forever")}
                {...form.getInputProps("pointsLifetimeDays")}
              />
              {durationField("purchaseTtlSeconds", "purchaseTtlUnit", TTL_UNITS)}
              {durationField("cancelWindowMinutes", "cancelWindowUnit", CANCEL_UNITS)}
              {percentField("maxPointsPaymentShareBp")}
              <Select
                label={t("settings.terms.discountRounding")}
                data={["half_up", "down"].map((v) => ({ value: v, label: t(`settings.rounding.${v}`) }))}
                allowDeselect={false}
                {...form.getInputProps("discountRounding")}
              />
              {percentField("maxLineDiscountBp")}
              {percentField("maxReceiptDiscountBp")}
              <Select
                label={t("settings.terms.refundPolicy")}
                data={["proportional_minimum", "pos_may_state_lower"].map((v) => ({
                  value: v,
                  label: t(`settings.refund.${v}`),
                }))}
                allowDeselect={false}
                {...form.getInputProps("refundPolicy")}
              />
            </SimpleGrid>
            {save.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={save.error} />}
            {!readOnly && (
              <Group justify="flex-end">
                <Button type="submit" loading={save.isPending}>
                  {t("settings.saveTerms")}
                </Button>
              </Group>
            )}
          </Stack>
        </fieldset>
      </form>
    </Paper>
  );
}
