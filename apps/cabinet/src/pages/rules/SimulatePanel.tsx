import {
  Alert,
  Button,
  CloseButton,
  Group,
  List,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { Page, SimulateRequest, SimulateResult, Store } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatScaled, parseScaled } from "../../components/SchemaForm.tsx";
import { formatPoints, formatRubles } from "../../lib/format.ts";
import { usePartner } from "../../lib/partner.ts";

interface LineDraft {
  sku: string;
  /** Units as typed ("1,5"); the API takes thousandths. */
  quantity: string;
  /** Rubles as typed; the API takes kopecks. */
  price: string;
}

const emptyLine = (): LineDraft => ({ sku: "", quantity: "1", price: "" });

/**
 * Prices a receipt the way the POS would be priced, without saving anything: each line's discount and
 * accrual with the rules that gave them, and every active rule that gave nothing with its reason.
 */
export function SimulatePanel({ programCode }: { programCode: string }) {
  const { t } = useTranslation();
  const partner = usePartner();
  const [storeCode, setStoreCode] = useState<string | null>(null);
  const [cardNumber, setCardNumber] = useState("");
  const [promoCodes, setPromoCodes] = useState<string[]>([]);
  const [lines, setLines] = useState<LineDraft[]>([emptyLine()]);
  const [pasted, setPasted] = useState("");
  const [pasteError, setPasteError] = useState<string | null>(null);
  const [lineErrors, setLineErrors] = useState<string | null>(null);

  const stores = useQuery({
    queryKey: ["stores", partner.code, "simulate"],
    queryFn: () =>
      api<Page<Store>>("GET", `${partner.path}/stores`, undefined, { limit: 200, active: "true" }),
  });
  const store = storeCode ?? stores.data?.items[0]?.code ?? null;

  const simulate = useMutation({
    mutationFn: (body: SimulateRequest) => api<SimulateResult>("POST", `${partner.path}/simulate`, body),
  });

  const run = () => {
    const built: SimulateRequest["lines"] = [];
    for (const [i, l] of lines.entries()) {
      const quantity = parseScaled(l.quantity, 3);
      const price = parseScaled(l.price, 2);
      if (quantity === null || quantity === 0 || price === null) {
        setLineErrors(t("simulate.badLine", { n: i + 1 }));
        return;
      }
      built.push({ lineId: String(i + 1), ...(l.sku.trim() ? { sku: l.sku.trim() } : {}), quantity, price });
    }
    setLineErrors(null);
    if (!store) return;
    simulate.mutate({
      programCode,
      storeCode: store,
      ...(cardNumber.trim() ? { cardNumber: cardNumber.trim() } : {}),
      ...(promoCodes.length > 0 ? { promoCodes } : {}),
      lines: built,
    });
  };

  /** A receipt as the POS sends it (kopecks and thousandths), or just its lines. */
  const applyPasted = () => {
    try {
      const parsed = JSON.parse(pasted) as unknown;
      const receipt = (Array.isArray(parsed) ? { lines: parsed } : parsed) as {
        lines?: { sku?: unknown; quantity?: unknown; price?: unknown }[];
        cardNumber?: unknown;
        storeCode?: unknown;
        promoCodes?: unknown;
      };
      if (!Array.isArray(receipt.lines) || receipt.lines.length === 0) throw new Error("lines");
      const next = receipt.lines.map((l) => {
        if (!Number.isInteger(l.quantity) || !Number.isInteger(l.price)) throw new Error("line");
        return {
          sku: typeof l.sku === "string" ? l.sku : "",
          quantity: formatScaled(l.quantity as number, 3),
          price: formatScaled(l.price as number, 2),
        };
      });
      setLines(next);
      if (typeof receipt.cardNumber === "string") setCardNumber(receipt.cardNumber);
      if (typeof receipt.storeCode === "string") setStoreCode(receipt.storeCode);
      if (Array.isArray(receipt.promoCodes))
        setPromoCodes(receipt.promoCodes.filter((c) => typeof c === "string"));
      setPasteError(null);
    } catch {
      setPasteError(t("simulate.badJson"));
    }
  };

  const setLine = (i: number, patch: Partial<LineDraft>) =>
    setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  return (
    <Stack>
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group align="flex-end">
            <Select
              label={t("simulate.store")}
              data={(stores.data?.items ?? []).map((s) => ({
                value: s.code,
                label: `${s.code} · ${s.name}`,
              }))}
              value={store}
              onChange={setStoreCode}
              allowDeselect={false}
              w={300}
            />
            <TextInput
              label={t("simulate.card")}
              value={cardNumber}
              onChange={(e) => setCardNumber(e.currentTarget.value)}
              w={220}
            />
            <TagsInput
              label={t("simulate.promoCodes")}
              value={promoCodes}
              onChange={setPromoCodes}
              splitChars={[",", " "]}
              acceptValueOnBlur
              w={280}
            />
          </Group>
          <Table withTableBorder verticalSpacing={4} w="auto">
            <caption style={{ captionSide: "top", textAlign: "left" }}>{t("simulate.lines")}</caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>{t("simulate.sku")}</Table.Th>
                <Table.Th>{t("simulate.quantity")}</Table.Th>
                <Table.Th>{t("simulate.price")}</Table.Th>
                <Table.Th>
                  <VisuallyHidden>{t("common.actions")}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {lines.map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a line is its place in the receipt
                <Table.Tr key={i}>
                  <Table.Td>{i + 1}</Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={t("simulate.skuOfLine", { n: i + 1 })}
                      value={l.sku}
                      onChange={(e) => setLine(i, { sku: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={t("simulate.quantityOfLine", { n: i + 1 })}
                      inputMode="decimal"
                      w={100}
                      value={l.quantity}
                      onChange={(e) => setLine(i, { quantity: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <TextInput
                      aria-label={t("simulate.priceOfLine", { n: i + 1 })}
                      inputMode="decimal"
                      w={130}
                      rightSection={<Text size="sm">₽</Text>}
                      value={l.price}
                      onChange={(e) => setLine(i, { price: e.currentTarget.value })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <CloseButton
                      disabled={lines.length === 1}
                      aria-label={t("simulate.removeLine", { n: i + 1 })}
                      onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {lineErrors && (
            <Text c="red.8" size="sm" role="alert">
              {lineErrors}
            </Text>
          )}
          <Group>
            <Button variant="light" size="compact-sm" onClick={() => setLines((ls) => [...ls, emptyLine()])}>
              {t("simulate.addLine")}
            </Button>
          </Group>
          <Textarea
            label={t("simulate.paste")}
            description={t("simulate.pasteHint")}
            autosize
            minRows={2}
            maxRows={8}
            styles={{ input: { fontFamily: "monospace" } }}
            value={pasted}
            error={pasteError}
            onChange={(e) => setPasted(e.currentTarget.value)}
          />
          <Group>
            <Button variant="default" onClick={applyPasted} disabled={!pasted.trim()}>
              {t("simulate.applyPaste")}
            </Button>
            <Button onClick={run} loading={simulate.isPending} disabled={!store}>
              {t("simulate.run")}
            </Button>
          </Group>
        </Stack>
      </Paper>
      <ErrorAlert error={simulate.error ?? stores.error} />
      {simulate.data && <SimulateAnswer result={simulate.data} />}
    </Stack>
  );
}

function SimulateAnswer({ result }: { result: SimulateResult }) {
  const { t } = useTranslation();
  const names = new Map<number, string>();
  for (const r of result.appliedRules) names.set(r.ruleId, r.name);
  const ruleLabel = (id: number, version: number) =>
    `${names.get(id) ?? `#${id}`} (${t("rules.versionN", { n: version })})`;
  const points = (h: number) => t("simulate.points", { value: formatPoints(h) });
  return (
    <Stack data-testid="simulate-result">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {[
          [t("simulate.subtotal"), formatRubles(result.subtotal)],
          [t("simulate.discount"), formatRubles(result.discountTotal)],
          [t("simulate.total"), formatRubles(result.total)],
          [t("simulate.accrual"), points(result.accrualTotal)],
        ].map(([label, value]) => (
          <Paper key={label} withBorder p="sm">
            <Text size="xs" c="gray.8">
              {label}
            </Text>
            <Text fw={700}>{value}</Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={640}>
        <Table withTableBorder striped verticalSpacing="xs">
          <caption style={{ captionSide: "top", textAlign: "left", fontWeight: 700 }}>
            {t("simulate.byLine")}
          </caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>{t("simulate.amount")}</Table.Th>
              <Table.Th>{t("simulate.discount")}</Table.Th>
              <Table.Th>{t("simulate.total")}</Table.Th>
              <Table.Th>{t("simulate.accrual")}</Table.Th>
              <Table.Th>{t("simulate.rules")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.lines.map((l) => (
              <Table.Tr key={l.lineId} data-line={l.lineId}>
                <Table.Td>{l.lineId}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatRubles(l.amount)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatRubles(l.discount)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{formatRubles(l.total)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{points(l.accrual)}</Table.Td>
                <Table.Td>
                  {l.discounts.length + l.accruals.length === 0 ? (
                    "—"
                  ) : (
                    <List size="sm" spacing={2}>
                      {l.discounts.map((d) => (
                        <List.Item key={`d${d.ruleId}`}>
                          {ruleLabel(d.ruleId, d.version)}: −{formatRubles(d.amount)}
                        </List.Item>
                      ))}
                      {l.accruals.map((a) => (
                        <List.Item key={`a${a.ruleId}`}>
                          {ruleLabel(a.ruleId, a.version)}: +{points(a.amount)} ({formatScaled(a.rateBp, 2)}{" "}
                          %)
                        </List.Item>
                      ))}
                    </List>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {result.messages.length > 0 && (
        <Alert color="blue" title={t("simulate.messages")}>
          {result.messages.map((m) => (
            <Text key={`${m.code}${m.text}`} size="sm">
              {m.text}
            </Text>
          ))}
        </Alert>
      )}
      {result.unknownPromoCodes.length > 0 && (
        <Alert color="yellow" title={t("simulate.unknownPromoCodes")}>
          {result.unknownPromoCodes.join(", ")}
        </Alert>
      )}
      <Title order={3} size="h4">
        {t("simulate.skipped")}
      </Title>
      {result.skippedRules.length === 0 ? (
        <Text size="sm">{t("simulate.noneSkipped")}</Text>
      ) : (
        <Table withTableBorder verticalSpacing="xs" data-testid="skipped-rules">
          <VisuallyHidden component="caption">{t("simulate.skipped")}</VisuallyHidden>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t("rules.name")}</Table.Th>
              <Table.Th>{t("simulate.reason")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {result.skippedRules.map((r) => (
              <Table.Tr key={r.ruleId}>
                <Table.Td>
                  {r.name} ({t("rules.versionN", { n: r.version })})
                </Table.Td>
                <Table.Td>{r.reason.text}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
