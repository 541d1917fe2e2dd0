import {
  Button,
  Group,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useTranslation } from "react-i18next";
import {
  emptyLimit,
  emptyRange,
  LIMIT_PERIODS,
  type LimitDraft,
  type LimitPeriod,
  type RangeDraft,
} from "./draft.ts";

interface Props<T> {
  rows: T[];
  onChange(rows: T[]): void;
  errors: Record<string, string>;
  readOnly: boolean;
}

function replaceAt<T>(rows: T[], index: number, patch: Partial<T>): T[] {
  return rows.map((r, i) => (i === index ? { ...r, ...patch } : r));
}

/** Per-card limits: how many packs a card may get with a discount per period or for its lifetime. */
export function LimitsEditor({ rows, onChange, errors, readOnly }: Props<LimitDraft>) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={800}>
        <Table verticalSpacing={4}>
          <VisuallyHidden component="caption">{t("discountPrograms.limitsTitle")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={160}>{t("discountPrograms.limitId")}</Table.Th>
              <Table.Th w={200}>{t("discountPrograms.period")}</Table.Th>
              <Table.Th w={110}>{t("discountPrograms.days")}</Table.Th>
              <Table.Th w={130}>{t("discountPrograms.maxPacks")}</Table.Th>
              <Table.Th>{t("discountPrograms.limitBarcodes")}</Table.Th>
              {!readOnly && <Table.Th w={100}>{t("common.actions")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={6}>
                  <Text size="sm" c="gray.8">
                    {t("discountPrograms.noLimits")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((l, index) => {
              const n = index + 1;
              const at = (field: string) => errors[`limits[${index}].${field}`];
              const barcodeError = Object.entries(errors).find(([f]) =>
                f.startsWith(`limits[${index}].barcodes`),
              )?.[1];
              return (
                <Table.Tr key={l.key}>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={t("discountPrograms.limitIdOf", { n })}
                      value={l.id}
                      onChange={(e) => onChange(replaceAt(rows, index, { id: e.currentTarget.value }))}
                      error={at("id")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={t("discountPrograms.periodOf", { n })}
                      data={LIMIT_PERIODS.map((p) => ({
                        value: p,
                        label: t(`discountPrograms.periods.${p}`),
                      }))}
                      value={l.period}
                      onChange={(v) => v && onChange(replaceAt(rows, index, { period: v as LimitPeriod }))}
                      allowDeselect={false}
                      error={at("period")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="numeric"
                      aria-label={t("discountPrograms.daysOf", { n })}
                      value={l.days}
                      disabled={l.period !== "last_days" && !l.days}
                      onChange={(e) => onChange(replaceAt(rows, index, { days: e.currentTarget.value }))}
                      error={at("days")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="numeric"
                      aria-label={t("discountPrograms.maxPacksOf", { n })}
                      value={l.maxPacks}
                      onChange={(e) => onChange(replaceAt(rows, index, { maxPacks: e.currentTarget.value }))}
                      error={at("maxPacks")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TagsInput
                      size="xs"
                      aria-label={t("discountPrograms.limitBarcodesOf", { n })}
                      placeholder={l.barcodes.length ? undefined : t("discountPrograms.everyProduct")}
                      value={l.barcodes}
                      onChange={(v) => onChange(replaceAt(rows, index, { barcodes: v }))}
                      error={barcodeError}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="outline"
                        color="red.9"
                        onClick={() => onChange(rows.filter((_, i) => i !== index))}
                        aria-label={t("discountPrograms.removeLimit", { n })}
                      >
                        {t("discountPrograms.remove")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!readOnly && (
        <Group>
          <Button variant="light" onClick={() => onChange([...rows, emptyLimit()])}>
            {t("discountPrograms.addLimit")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

/** Card number ranges: cards of these ranges join the program on first use. */
export function CardRangesEditor({ rows, onChange, errors, readOnly }: Props<RangeDraft>) {
  const { t } = useTranslation();
  const errorUnder = (prefix: string) =>
    Object.entries(errors).find(([f]) => f === prefix || f.startsWith(`${prefix}[`))?.[1];
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={700}>
        <Table verticalSpacing={4}>
          <VisuallyHidden component="caption">{t("discountPrograms.rangesTitle")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={220}>{t("discountPrograms.rangePrefix")}</Table.Th>
              <Table.Th w={220}>{t("discountPrograms.rangeLengths")}</Table.Th>
              <Table.Th>{t("discountPrograms.rangeSuffixes")}</Table.Th>
              {!readOnly && <Table.Th w={100}>{t("common.actions")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text size="sm" c="gray.8">
                    {t("discountPrograms.noRanges")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {rows.map((r, index) => {
              const n = index + 1;
              return (
                <Table.Tr key={r.key}>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="numeric"
                      aria-label={t("discountPrograms.rangePrefixOf", { n })}
                      value={r.prefix}
                      onChange={(e) => onChange(replaceAt(rows, index, { prefix: e.currentTarget.value }))}
                      error={errorUnder(`cardRanges[${index}].prefix`)}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TagsInput
                      size="xs"
                      aria-label={t("discountPrograms.rangeLengthsOf", { n })}
                      value={r.lengths}
                      onChange={(v) => onChange(replaceAt(rows, index, { lengths: v }))}
                      error={errorUnder(`cardRanges[${index}].lengths`)}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TagsInput
                      size="xs"
                      aria-label={t("discountPrograms.rangeSuffixesOf", { n })}
                      placeholder={r.activeSuffixes.length ? undefined : t("discountPrograms.everyNumber")}
                      value={r.activeSuffixes}
                      onChange={(v) => onChange(replaceAt(rows, index, { activeSuffixes: v }))}
                      error={errorUnder(`cardRanges[${index}].activeSuffixes`)}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="outline"
                        color="red.9"
                        onClick={() => onChange(rows.filter((_, i) => i !== index))}
                        aria-label={t("discountPrograms.removeRange", { n })}
                      >
                        {t("discountPrograms.remove")}
                      </Button>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!readOnly && (
        <Group>
          <Button variant="light" onClick={() => onChange([...rows, emptyRange()])}>
            {t("discountPrograms.addRange")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
