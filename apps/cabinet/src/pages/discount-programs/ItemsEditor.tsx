import {
  Alert,
  Button,
  Group,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { type CsvProblem, mergeRows, parseProductCsv } from "./csv.ts";
import { DISCOUNT_TYPES, type DiscountType, emptyItem, type ItemDraft } from "./draft.ts";

const PAGE_SIZE = 50;

/**
 * The product list as an editable table, a page at a time (a manufacturer's list runs to thousands), with
 * a box to paste rows from a spreadsheet. `errors` are the server's, by the API's field path.
 */
export function ItemsEditor({
  items,
  onChange,
  errors,
  readOnly,
}: {
  items: ItemDraft[];
  onChange(items: ItemDraft[]): void;
  errors: Record<string, string>;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [csv, setCsv] = useState("");
  const [csvResult, setCsvResult] = useState<{ added: number; problems: CsvProblem[] } | null>(null);

  const needle = search.trim().toLowerCase();
  const indexed = items.map((item, index) => ({ item, index }));
  const shown = needle
    ? indexed.filter(({ item }) => item.barcode.includes(needle) || item.name.toLowerCase().includes(needle))
    : indexed;
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const visible = shown.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  const rowsWithErrors = new Set(
    Object.keys(errors).flatMap((f) => {
      const m = /^items\[(\d+)\]/.exec(f);
      return m ? [Number(m[1])] : [];
    }),
  );

  const update = (index: number, patch: Partial<ItemDraft>) =>
    onChange(items.map((item, i) => (i === index ? { ...item, ...patch } : item)));
  const remove = (index: number) => onChange(items.filter((_, i) => i !== index));
  const add = () => {
    onChange([...items, emptyItem()]);
    setSearch("");
    setPage(Math.ceil((items.length + 1) / PAGE_SIZE));
  };
  const paste = () => {
    const { rows, problems } = parseProductCsv(csv);
    if (rows.length > 0) onChange(mergeRows(items, rows));
    setCsvResult({ added: rows.length, problems });
    if (problems.length === 0) setCsv("");
  };
  const valueLabel = (type: DiscountType) =>
    type === "percent" ? t("discountPrograms.valuePercent") : t("discountPrograms.valueRubles");

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <TextInput
          label={t("discountPrograms.findProduct")}
          placeholder={t("discountPrograms.findProductHint")}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          w={320}
        />
        <Text size="sm" c="gray.8">
          {t("discountPrograms.productCount", { count: items.length })}
        </Text>
      </Group>
      {errors.items && (
        <Alert color="red" role="alert">
          {errors.items}
        </Alert>
      )}
      {rowsWithErrors.size > 0 && (
        <Alert color="red" role="alert">
          {t("discountPrograms.rowsWithErrors", {
            rows: [...rowsWithErrors]
              .sort((a, b) => a - b)
              .map((i) => i + 1)
              .join(", "),
          })}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={900}>
        <Table verticalSpacing={4} striped>
          <VisuallyHidden component="caption">{t("discountPrograms.productsTitle")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={50}>№</Table.Th>
              <Table.Th w={170}>{t("discountPrograms.barcode")}</Table.Th>
              <Table.Th>{t("discountPrograms.productName")}</Table.Th>
              <Table.Th w={170}>{t("discountPrograms.discountType")}</Table.Th>
              <Table.Th w={140}>{t("discountPrograms.discountValue")}</Table.Th>
              <Table.Th w={140}>{t("discountPrograms.itemCeiling")}</Table.Th>
              {!readOnly && <Table.Th w={100}>{t("common.actions")}</Table.Th>}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {visible.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text size="sm" c="gray.8">
                    {needle ? t("discountPrograms.noMatch") : t("discountPrograms.noProducts")}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
            {visible.map(({ item, index }) => {
              const n = index + 1;
              const at = (field: string) => errors[`items[${index}].${field}`];
              return (
                <Table.Tr key={item.key}>
                  <Table.Td>{n}</Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="numeric"
                      aria-label={t("discountPrograms.barcodeOf", { n })}
                      value={item.barcode}
                      onChange={(e) => update(index, { barcode: e.currentTarget.value })}
                      error={at("barcode")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={t("discountPrograms.nameOf", { n })}
                      value={item.name}
                      onChange={(e) => update(index, { name: e.currentTarget.value })}
                      error={at("name")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      aria-label={t("discountPrograms.typeOf", { n })}
                      data={DISCOUNT_TYPES.map((v) => ({
                        value: v,
                        label: t(`discountPrograms.types.${v}`),
                      }))}
                      value={item.type}
                      onChange={(v) => v && update(index, { type: v as DiscountType })}
                      allowDeselect={false}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="decimal"
                      aria-label={`${valueLabel(item.type)}, ${t("discountPrograms.row", { n })}`}
                      rightSection={item.type === "percent" ? "%" : "₽"}
                      value={item.value}
                      onChange={(e) => update(index, { value: e.currentTarget.value })}
                      error={at("discount")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      inputMode="decimal"
                      aria-label={t("discountPrograms.ceilingOf", { n })}
                      rightSection="₽"
                      value={item.priceCeiling}
                      onChange={(e) => update(index, { priceCeiling: e.currentTarget.value })}
                      error={at("priceCeiling")}
                      readOnly={readOnly}
                    />
                  </Table.Td>
                  {!readOnly && (
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="outline"
                        color="red.9"
                        onClick={() => remove(index)}
                        aria-label={t("discountPrograms.removeRow", { n })}
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
      <Group justify="space-between">
        {!readOnly ? (
          <Button variant="light" onClick={add}>
            {t("discountPrograms.addProduct")}
          </Button>
        ) : (
          <span />
        )}
        {pages > 1 && (
          <Pagination
            total={pages}
            value={current}
            onChange={setPage}
            getControlProps={(control) => ({ "aria-label": t(`discountPrograms.pager.${control}`) })}
            getItemProps={(p) => ({ "aria-label": t("discountPrograms.pager.page", { page: p }) })}
          />
        )}
      </Group>
      {!readOnly && (
        <Stack gap="xs">
          <Textarea
            label={t("discountPrograms.csvLabel")}
            description={t("discountPrograms.csvHint")}
            placeholder="4601234567890;Витамин C 500 мг;percent;15"
            autosize
            minRows={3}
            maxRows={12}
            value={csv}
            onChange={(e) => setCsv(e.currentTarget.value)}
            styles={{ input: { fontFamily: "monospace" } }}
          />
          <Group>
            <Button variant="default" onClick={paste} disabled={!csv.trim()}>
              {t("discountPrograms.csvApply")}
            </Button>
            {csvResult && (
              <Text size="sm" role="status">
                {t("discountPrograms.csvAdded", { count: csvResult.added })}
                {csvResult.problems.length > 0 &&
                  ` ${t("discountPrograms.csvProblems", {
                    list: csvResult.problems
                      .slice(0, 10)
                      .map((p) => t(`discountPrograms.csvReasons.${p.reason}`, { line: p.line }))
                      .join("; "),
                  })}`}
              </Text>
            )}
          </Group>
        </Stack>
      )}
    </Stack>
  );
}
