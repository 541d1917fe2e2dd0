/**
 * A discount program's whole definition as one form, shared by the page of a program and the form of a
 * new one: terms, products, limits and card ranges, the server's complaints on the fields they name.
 * The page that holds the form decides what saving means and which buttons it offers.
 */
import {
  Checkbox,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import type { Dispatch, ReactNode, SetStateAction } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { fieldErrors, type ProgramDraft } from "./draft.ts";
import { ItemsEditor } from "./ItemsEditor.tsx";
import { CardRangesEditor, LimitsEditor } from "./LimitsEditor.tsx";

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/**
 * The server's complaints about a program by field path, in the interface's words where the server's
 * own would name a schema (an empty product list, a code's pattern) rather than say what to do.
 */
export function useProgramErrors(error: unknown): Record<string, string> {
  const { t } = useTranslation();
  const errors = fieldErrors(error, (code, vars) =>
    code === "duplicate" && vars.row !== undefined
      ? t("discountPrograms.issues.duplicateRow", { row: vars.row })
      : code === "range" && vars.field === "validTo"
        ? t("discountPrograms.issues.validToBeforeFrom")
        : code === "range" && vars.field.includes(".lengths")
          ? t("discountPrograms.issues.lengthNotAbovePrefix")
          : t(`discountPrograms.issues.${code}`, { defaultValue: vars.message }),
  );
  if (error instanceof ApiError && error.code === "VALIDATION_FAILED") {
    const rule = error.details.rule;
    if (error.field === "items" && rule === "minItems") errors.items = t("discountPrograms.issues.noItems");
    if (error.field === "code" && rule === "pattern") errors.code = t("discountPrograms.codeRule");
  }
  return errors;
}

export function ProgramForm({
  label,
  draft,
  setDraft,
  errors,
  error,
  readOnly,
  lead,
  actions,
  onSubmit,
}: {
  /** The form's accessible name. */
  label: string;
  draft: ProgramDraft;
  setDraft: Dispatch<SetStateAction<ProgramDraft>>;
  /** From `useProgramErrors`. */
  errors: Record<string, string>;
  /** The last save's failure, shown above the buttons as well: the field it names may be out of sight. */
  error: unknown;
  readOnly: boolean;
  /** Fields before the terms' own, on a row of their own: a new program's code. */
  lead?: ReactNode;
  /** The buttons, shown unless read-only; one of them submits. */
  actions: ReactNode;
  onSubmit(): void;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof ProgramDraft>(key: K, value: ProgramDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const text = (
    key: "name" | "description" | "priceCeiling" | "confirmWindowMinutes" | "validFrom" | "validTo",
  ) => ({
    value: draft[key],
    onChange: (e: { currentTarget: { value: string } }) => set(key, e.currentTarget.value),
    error: errors[key],
    readOnly,
  });
  return (
    <form
      noValidate
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Stack>
        <Section title={t("discountPrograms.termsTitle")}>
          <Stack gap="sm">
            {lead && <SimpleGrid cols={{ base: 1, md: 2 }}>{lead}</SimpleGrid>}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <TextInput label={t("discountPrograms.name")} required {...text("name")} />
              <Checkbox
                mt={{ md: 30 }}
                label={t("discountPrograms.active")}
                checked={draft.active}
                onChange={(e) => set("active", e.currentTarget.checked)}
                disabled={readOnly}
              />
              <TextInput
                type="datetime-local"
                label={t("discountPrograms.validFrom")}
                description={t("discountPrograms.validHint")}
                {...text("validFrom")}
              />
              <TextInput
                type="datetime-local"
                label={t("discountPrograms.validTo")}
                description={t("discountPrograms.validHint")}
                {...text("validTo")}
              />
              <TextInput
                label={t("discountPrograms.priceCeilingRubles")}
                description={t("discountPrograms.priceCeilingHint")}
                inputMode="decimal"
                rightSection="₽"
                {...text("priceCeiling")}
              />
              <TextInput
                label={t("discountPrograms.confirmWindowMinutes")}
                description={t("discountPrograms.confirmWindowHint")}
                inputMode="numeric"
                {...text("confirmWindowMinutes")}
              />
              <TagsInput
                label={t("discountPrograms.partners")}
                description={t("discountPrograms.partnersHint")}
                placeholder={draft.partners.length ? undefined : t("discountPrograms.everyPartner")}
                value={draft.partners}
                onChange={(v) => set("partners", v)}
                error={
                  errors.partners ?? Object.entries(errors).find(([f]) => f.startsWith("partners["))?.[1]
                }
                readOnly={readOnly}
              />
              <TagsInput
                label={t("discountPrograms.stores")}
                description={t("discountPrograms.storesHint")}
                placeholder={draft.stores.length ? undefined : t("discountPrograms.everyStore")}
                value={draft.stores}
                onChange={(v) => set("stores", v)}
                error={errors.stores ?? Object.entries(errors).find(([f]) => f.startsWith("stores["))?.[1]}
                readOnly={readOnly}
              />
            </SimpleGrid>
            <Checkbox
              label={t("discountPrograms.confirmAllTogether")}
              description={t("discountPrograms.confirmAllTogetherHint")}
              checked={draft.confirmAllTogether}
              onChange={(e) => set("confirmAllTogether", e.currentTarget.checked)}
              disabled={readOnly}
            />
            <Checkbox
              label={t("discountPrograms.registration")}
              description={t("discountPrograms.registrationHint")}
              checked={draft.registration}
              onChange={(e) => set("registration", e.currentTarget.checked)}
              disabled={readOnly}
            />
            <Textarea
              label={t("discountPrograms.description")}
              autosize
              minRows={2}
              {...text("description")}
            />
            <Text size="sm" c="gray.8">
              {t("discountPrograms.wholePacks")}
            </Text>
          </Stack>
        </Section>
        <Section title={t("discountPrograms.productsTitle")}>
          <ItemsEditor
            items={draft.items}
            onChange={(items) => set("items", items)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <Section title={t("discountPrograms.limitsTitle")}>
          <LimitsEditor
            rows={draft.limits}
            onChange={(limits) => set("limits", limits)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <Section title={t("discountPrograms.rangesTitle")}>
          <CardRangesEditor
            rows={draft.cardRanges}
            onChange={(cardRanges) => set("cardRanges", cardRanges)}
            errors={errors}
            readOnly={readOnly}
          />
        </Section>
        <ErrorAlert error={error} />
        {!readOnly && <Group justify="flex-end">{actions}</Group>}
      </Stack>
    </form>
  );
}
