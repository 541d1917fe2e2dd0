import { Button, Group, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../../api/client.ts";
import type { AntiFraudCap, AntiFraudCaps, ProgramDetail } from "../../../api/types.ts";
import { ErrorAlert } from "../../../components/ErrorAlert.tsx";
import { notify } from "../../../components/notify.ts";
import { formatScaled, parseScaled } from "../../../components/SchemaForm.tsx";
import { CAPS, type CapUnit, formatCapValue } from "../../anti-fraud/caps.ts";
import { useProgramSaved } from "./program-saved.ts";

type CapValues = Record<AntiFraudCap, string>;

/** The contract's bounds of every cap, in the API's integers (hundredths for points). */
const MIN_CAP = 1;
const MAX_CAP = 1_000_000_000_000;

const scaleOf = (unit: CapUnit) => (unit === "points" ? 2 : 0);

function valuesOf(caps: AntiFraudCaps): CapValues {
  return Object.fromEntries(
    CAPS.map(({ cap, unit }) => [cap, caps[cap] === null ? "" : formatScaled(caps[cap], scaleOf(unit))]),
  ) as CapValues;
}

/** The typed caps in the API's integers; null where a field does not read as a number of its unit. */
function capsOf(values: CapValues): AntiFraudCaps | null {
  const caps: Partial<Record<AntiFraudCap, number | null>> = {};
  for (const { cap, unit } of CAPS) {
    const text = values[cap].trim();
    if (text === "") caps[cap] = null;
    else {
      const parsed = parseScaled(text, scaleOf(unit));
      if (parsed === null) return null;
      caps[cap] = parsed;
    }
  }
  return caps as AntiFraudCaps;
}

/**
 * A loyalty program's anti-fraud caps: a form for its owner's writers (an empty field is no cap), the
 * values as a table for everyone else. The caps are saved as a whole, as the API takes them.
 */
export function AntiFraudForm({
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
  const unitWord = (unit: CapUnit) => (unit === "points" ? ` ${t("schema.units.points")}` : "");
  const form = useForm<CapValues>({
    mode: "controlled",
    initialValues: valuesOf(program.antiFraud),
    validate: Object.fromEntries(
      CAPS.map(({ cap, unit }) => [
        cap,
        (text: string) =>
          text.trim() === "" || parseScaled(text, scaleOf(unit)) !== null
            ? null
            : t(unit === "points" ? "antiFraud.form.notPoints" : "antiFraud.form.notCount"),
      ]),
    ) as Record<AntiFraudCap, (text: string) => string | null>,
  });
  const save = useMutation({
    mutationFn: (antiFraud: AntiFraudCaps) => api<ProgramDetail>("PATCH", programPath, { antiFraud }),
    onSuccess: (saved) => programSaved(saved, t("antiFraud.form.saved", { version: saved.version })),
    onError: (error) => {
      // The API names the cap as `antiFraud.<cap>`; a bound is said in the unit typed, not in hundredths.
      if (!(error instanceof ApiError) || !error.field?.startsWith("antiFraud.")) return;
      const entry = CAPS.find((c) => `antiFraud.${c.cap}` === error.field);
      if (!entry) return;
      const rule = error.details.rule;
      const bound = (value: number) => `${formatCapValue(entry.unit, value)}${unitWord(entry.unit)}`;
      form.setFieldError(
        entry.cap,
        rule === "minimum"
          ? t("schema.atLeast", { bound: bound(MIN_CAP) })
          : rule === "maximum"
            ? t("schema.atMost", { bound: bound(MAX_CAP) })
            : error.message,
      );
    },
  });
  const titleId = "anti-fraud-caps-title";

  return (
    <Paper withBorder p="md" component="section" aria-labelledby={titleId}>
      <Title order={3} size="h4" mb={4} id={titleId}>
        {t("antiFraud.form.title")}
      </Title>
      <Text size="sm" c="gray.8" mb="sm">
        {t("antiFraud.form.intro")}
      </Text>
      {readOnly ? (
        <Table withTableBorder maw={720} verticalSpacing={6}>
          <Table.Tbody>
            {CAPS.map(({ cap, unit }) => {
              const value = program.antiFraud[cap];
              return (
                <Table.Tr key={cap}>
                  <Table.Th scope="row" fw={500}>
                    {t(`antiFraud.caps.${cap}`)}
                  </Table.Th>
                  <Table.Td style={{ whiteSpace: "nowrap" }} data-testid={`cap-${cap}`}>
                    {value === null
                      ? t("antiFraud.form.noCap")
                      : `${formatCapValue(unit, value)}${unitWord(unit)}`}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      ) : (
        <form
          aria-labelledby={titleId}
          noValidate
          onSubmit={form.onSubmit((values) => {
            const caps = capsOf(values);
            if (!caps) return;
            if (CAPS.every(({ cap }) => caps[cap] === program.antiFraud[cap])) {
              notify(t("settings.nothingChanged"));
            } else save.mutate(caps);
          })}
        >
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {CAPS.map(({ cap, unit }) => (
                <TextInput
                  key={cap}
                  label={t(`antiFraud.caps.${cap}`)}
                  description={t(`antiFraud.hints.${cap}`)}
                  placeholder={t("antiFraud.form.noCap")}
                  inputMode={unit === "points" ? "decimal" : "numeric"}
                  rightSection={
                    unit === "points" ? <Text size="sm">{t("schema.units.points")}</Text> : undefined
                  }
                  {...form.getInputProps(cap)}
                />
              ))}
            </SimpleGrid>
            {save.error !== null && !Object.keys(form.errors).length && <ErrorAlert error={save.error} />}
            <Group justify="flex-end">
              <Button type="submit" loading={save.isPending}>
                {t("antiFraud.form.save")}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
