import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api/client.ts";
import type { CardBatch, CardGenerate, CheckDigit, Program } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { notify } from "../../components/notify.ts";
import { applyApiError } from "../../lib/forms.ts";
import { usePartner } from "../../lib/partner.ts";

type Values = {
  programCode: string;
  prefix: string;
  length: number | string;
  checkDigit: CheckDigit;
  from: number | string;
  count: number | string;
  virtual: boolean;
};

const CHECK_DIGITS: CheckDigit[] = ["ean13", "luhn", "none"];
/** The API takes at most this many cards per request (the command line takes more). */
const MAX_BATCH = 100_000;

const isWhole = (v: number | string, min: number, max: number) =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;

/** A batch of new cards in a number range: all of it is created, or none when a number is taken. */
export function GenerateCardsForm({
  programs,
  onClose,
  onGenerated,
}: {
  programs: Program[];
  onClose(): void;
  onGenerated(batch: CardBatch): void;
}) {
  const { t } = useTranslation();
  const partner = usePartner();
  const own = programs.filter((p) => p.relation === "owner");
  const form = useForm<Values>({
    mode: "controlled",
    initialValues: {
      programCode: own[0]?.code ?? "",
      prefix: "",
      length: 13,
      checkDigit: "ean13",
      from: 1,
      count: 100,
      virtual: false,
    },
    validate: {
      programCode: (v) => (v ? null : t("form.required")),
      prefix: (v) => (/^[0-9]{0,18}$/.test(v) ? null : t("cards.prefixDigits")),
      length: (v) => (isWhole(v, 2, 32) ? null : t("cards.wholeBetween", { min: 2, max: 32 })),
      from: (v) => (isWhole(v, 0, Number.MAX_SAFE_INTEGER) ? null : t("cards.wholeFrom", { min: 0 })),
      count: (v) => (isWhole(v, 1, MAX_BATCH) ? null : t("cards.wholeBetween", { min: 1, max: MAX_BATCH })),
    },
  });
  const generate = useMutation({
    mutationFn: (v: Values) => {
      const body: CardGenerate = {
        programCode: v.programCode,
        prefix: v.prefix,
        length: Number(v.length),
        checkDigit: v.checkDigit,
        from: Number(v.from),
        count: Number(v.count),
        virtual: v.virtual,
      };
      return api<CardBatch>("POST", `${partner.path}/cards/generate`, body);
    },
    onSuccess: (batch) => {
      notify(t("cards.generated", { count: batch.count, first: batch.first, last: batch.last }), "teal");
      onGenerated(batch);
    },
    onError: (error) => applyApiError(form, error, { range: "prefix" }),
  });
  const fieldErrorShown = Object.keys(form.errors).length > 0;
  return (
    <Modal opened onClose={onClose} title={t("cards.generateTitle")} size="lg">
      <form onSubmit={form.onSubmit((v) => generate.mutate(v))} noValidate>
        <Stack>
          <Select
            label={t("cards.program")}
            required
            allowDeselect={false}
            data={own.map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }))}
            {...form.getInputProps("programCode")}
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label={t("cards.prefix")}
              description={t("cards.prefixHint")}
              inputMode="numeric"
              {...form.getInputProps("prefix")}
            />
            <NumberInput
              label={t("cards.length")}
              description={t("cards.lengthHint")}
              required
              min={2}
              max={32}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps("length")}
            />
            <Select
              label={t("cards.checkDigit")}
              description={t("cards.checkDigitHint")}
              required
              allowDeselect={false}
              data={CHECK_DIGITS.map((c) => ({ value: c, label: t(`cards.checkDigits.${c}`) }))}
              {...form.getInputProps("checkDigit")}
            />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label={t("cards.from")}
              description={t("cards.fromHint")}
              required
              min={0}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps("from")}
            />
            <NumberInput
              label={t("cards.count")}
              description={t("cards.countHint", { max: MAX_BATCH.toLocaleString("ru-RU") })}
              required
              min={1}
              max={MAX_BATCH}
              allowDecimal={false}
              allowNegative={false}
              {...form.getInputProps("count")}
            />
          </SimpleGrid>
          <Checkbox
            label={t("cards.generateVirtual")}
            {...form.getInputProps("virtual", { type: "checkbox" })}
          />
          {generate.error && !fieldErrorShown && <ErrorAlert error={generate.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" loading={generate.isPending}>
              {t("cards.generateSubmit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
