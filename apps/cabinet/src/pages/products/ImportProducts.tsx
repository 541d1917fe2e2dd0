import { Button, FileInput, Group, List, Modal, Progress, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.ts";
import type { ProductImportItem, ProductImportResult } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { usePartner } from "../../lib/partner.ts";
import { type CsvLineProblem, parseProductFile } from "./product-csv.ts";

/** The server takes at most 1,000 products a call; smaller chunks move the progress bar more often. */
const CHUNK = 500;

type Parsed = { fileName: string; items: ProductImportItem[]; problems: CsvLineProblem[] };

/** Reads a CSV file in the browser and sends it in chunks, showing how far it got. */
export function ImportProducts({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const partner = usePartner();
  const queryClient = useQueryClient();
  const [parsed, setParsed] = useState<Parsed | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<{ error: unknown; line: number | null } | null>(null);
  const [totals, setTotals] = useState<ProductImportResult | null>(null);

  const read = async (file: File | null) => {
    setDone(null);
    setError(null);
    setTotals(null);
    if (!file) return setParsed(null);
    setParsed({ fileName: file.name, ...parseProductFile(await file.text()) });
  };

  const run = async (items: ProductImportItem[]) => {
    setRunning(true);
    setError(null);
    const sum = { created: 0, updated: 0 };
    setDone(0);
    for (let start = 0; start < items.length; start += CHUNK) {
      try {
        const r = await api<ProductImportResult>("POST", `${partner.path}/products/import`, {
          items: items.slice(start, start + CHUNK),
        });
        sum.created += r.created;
        sum.updated += r.updated;
        setDone(Math.min(start + CHUNK, items.length));
      } catch (e) {
        // The server names the row of its chunk (`items[3].sku`); the file's line is the header plus it.
        const index = e instanceof ApiError ? /^items\[(\d+)\]/.exec(e.field ?? "")?.[1] : undefined;
        setError({ error: e, line: index === undefined ? null : start + Number(index) + 2 });
        break;
      }
    }
    setRunning(false);
    setTotals(sum);
    void queryClient.invalidateQueries({ queryKey: ["products", partner.code] });
    if (sum.created + sum.updated === items.length) notify(t("products.importDone", sum));
  };

  const total = parsed?.items.length ?? 0;
  const percent = done === null || total === 0 ? 0 : Math.floor((done * 100) / total);
  return (
    <Modal opened onClose={running ? () => {} : onClose} title={t("products.importTitle")} size="lg">
      <Stack>
        <Text size="sm">{t("products.importHint")}</Text>
        <Text size="xs" ff="monospace" c="gray.8" style={{ overflowWrap: "anywhere" }}>
          sku;barcode;name;category;brand;manufacturer;minPrice;excludedFromAccrual;excludedFromPointsPayment
        </Text>
        <FileInput
          label={t("products.importFile")}
          placeholder={t("products.importChoose")}
          accept=".csv,text/csv,text/plain"
          clearable
          clearButtonProps={{ "aria-label": t("products.importClear") }}
          disabled={running}
          onChange={(file) => void read(file)}
        />
        {parsed && (
          <Text size="sm" role="status">
            {t("products.importParsed", { file: parsed.fileName, count: parsed.items.length })}
          </Text>
        )}
        {parsed && parsed.problems.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" c="red.9">
              {t("products.importProblems", { count: parsed.problems.length })}
            </Text>
            <List size="sm">
              {parsed.problems.slice(0, 10).map((p) => (
                <List.Item key={p.line}>
                  {t(`products.importReasons.${p.reason}`, { line: p.line, column: p.column ?? "" })}
                </List.Item>
              ))}
            </List>
          </Stack>
        )}
        {done !== null && (
          <Stack gap={4}>
            <Progress value={percent} aria-label={t("products.importProgress")} size="lg" />
            <Text size="sm" role="status">
              {t("products.importedOf", { done, total })}
            </Text>
          </Stack>
        )}
        {error && (
          <>
            {error.line !== null && (
              <Text size="sm" c="red.9">
                {t("products.importStoppedAt", { line: error.line })}
              </Text>
            )}
            <ErrorAlert error={error.error} />
          </>
        )}
        {totals && !error && (
          <Text size="sm" fw={600}>
            {t("products.importDone", totals)}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={running}>
            {t("common.close")}
          </Button>
          <Button
            onClick={() => parsed && void run(parsed.items)}
            loading={running}
            disabled={!parsed || total === 0 || parsed.problems.length > 0 || (done === total && !error)}
          >
            {t("products.importStart", { count: total })}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
