/**
 * Forms generated from JSON Schemas (the rule engine's condition and effect registries): strings, integers,
 * booleans, enums, arrays and nested objects. Integers whose schema says they are kopecks, basis points,
 * hundredths of a point or thousandths of a unit are typed in rubles, percent, points or units and kept as
 * the integers the API takes, converted through decimal strings (no floating point). A type the cabinet
 * has no words for still renders: its field names and the schema's descriptions stand in for labels.
 *
 * Errors are keyed by the API's field paths (`effects[0].params.percentBp`), so the server's complaint
 * shows next to the field it names.
 */
import {
  ActionIcon,
  Button,
  Checkbox,
  Fieldset,
  Group,
  MultiSelect,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

export interface JsonSchema {
  type?: string;
  enum?: readonly (string | number)[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  description?: string;
}

export type FieldErrors = Record<string, string>;

export type Unit = "money" | "percent" | "points" | "quantity" | "factor";
const SCALE: Record<Unit, number> = { money: 2, percent: 2, points: 2, quantity: 3, factor: 4 };

/** What an integer counts, from the registry's own words for it. */
export function unitOf(schema: JsonSchema): Unit | null {
  if (schema.type !== "integer") return null;
  const d = schema.description ?? "";
  if (/10000 = ×1/.test(d)) return "factor";
  if (/kopecks/.test(d)) return "money";
  if (/basis points/.test(d)) return "percent";
  if (/hundredths of a point/.test(d)) return "points";
  if (/thousandths of a unit/.test(d)) return "quantity";
  return null;
}

/** The number of decimal places an integer of this unit is shown with. */
export function scaleOf(unit: Unit): number {
  return SCALE[unit];
}

/**
 * The schema of a parameter inside an object schema, by the path below it (`set.categories`, `days.0`);
 * null when the schema does not have it.
 */
export function schemaBelow(schema: JsonSchema | undefined, parts: readonly string[]): JsonSchema | null {
  let node = schema;
  for (const part of parts) {
    if (!node) return null;
    node = /^\d+$/.test(part) ? node.items : node.properties?.[part];
  }
  return node ?? null;
}

/** "12,5" with scale 2 → 1250; null when the text is not a decimal with at most `scale` places. */
export function parseScaled(text: string, scale: number): number | null {
  const m = /^(\d+)(?:[.,](\d*))?$/.exec(text.replace(/\s/g, ""));
  if (!m) return null;
  const fraction = m[2] ?? "";
  if (fraction.length > scale) return null;
  const n = BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, "0") || "0");
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(n);
}

/** 1250 with scale 2 → "12,5": the integer as a decimal without trailing zeros. */
export function formatScaled(value: number, scale: number, separator = ","): string {
  const n = BigInt(value);
  const unit = 10n ** BigInt(scale);
  const sign = n < 0n ? "-" : "";
  const abs = n < 0n ? -n : n;
  const fraction =
    scale > 0
      ? String(abs % unit)
          .padStart(scale, "0")
          .replace(/0+$/, "")
      : "";
  return `${sign}${abs / unit}${fraction ? `${separator}${fraction}` : ""}`;
}

/** The value a new object of this schema starts with: its required enums, booleans and objects. */
export function defaultsFor(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const p = schema.properties?.[name];
    if (!p) continue;
    if (p.enum) out[name] = p.enum[0];
    else if (p.type === "boolean") out[name] = false;
    else if (p.type === "object") out[name] = defaultsFor(p);
  }
  return out;
}

/** Drops what the user left empty (blank text, empty lists and objects), so optional fields stay absent. */
export function pruneEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneEmpty);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = pruneEmpty(v);
      if (p === undefined || p === "") continue;
      if (Array.isArray(p) && p.length === 0) continue;
      if (typeof p === "object" && p !== null && !Array.isArray(p) && Object.keys(p).length === 0) continue;
      out[k] = p;
    }
    return out;
  }
  return value;
}

/** The error for a field, or for one of its items (`days[0]`) shown at the list. */
function errorAt(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const item = Object.keys(errors).find(
    (k) => k.startsWith(`${path}[`) && !k.slice(path.length).includes("."),
  );
  return item ? errors[item] : undefined;
}

const humanize = (name: string) =>
  name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .replace(/^./, (c) => c.toUpperCase());

function useFieldWords(name: string, schema: JsonSchema) {
  const { t, i18n } = useTranslation();
  const key = `schema.fields.${name}`;
  const known = i18n.exists(key);
  return {
    label: known ? t(key as never) : humanize(name),
    // A field the cabinet has no words for keeps the registry's own explanation.
    description: known ? undefined : schema.description,
    optionLabel: (v: string | number) =>
      t(`schema.values.${name}.${v}` as never, {
        defaultValue: t(`schema.values.${v}` as never, { defaultValue: String(v) }),
      }),
    unitLabel: (unit: Unit) => t(`schema.units.${unit}` as never),
    atLeast: (bound: string) => t("schema.atLeast", { bound }),
    atMost: (bound: string) => t("schema.atMost", { bound }),
  };
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange(value: unknown): void;
  path: string;
  errors: FieldErrors;
  required: boolean;
}

/** The fields of an object schema. */
export function SchemaFields({
  schema,
  value,
  onChange,
  path,
  errors,
}: {
  schema: JsonSchema;
  value: unknown;
  onChange(value: Record<string, unknown>): void;
  path: string;
  errors: FieldErrors;
}) {
  const object = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const entries = Object.entries(schema.properties ?? {});
  const own = errors[path];
  return (
    <Stack gap="xs">
      <Group align="flex-start" gap="sm">
        {entries
          .filter(([, p]) => p.type !== "object" && !(p.type === "array" && p.items?.type === "object"))
          .map(([name, p]) => (
            <SchemaField
              key={name}
              name={name}
              schema={p}
              value={object[name]}
              onChange={(v) => onChange({ ...object, [name]: v })}
              path={path ? `${path}.${name}` : name}
              errors={errors}
              required={schema.required?.includes(name) ?? false}
            />
          ))}
      </Group>
      {entries
        .filter(([, p]) => p.type === "object" || (p.type === "array" && p.items?.type === "object"))
        .map(([name, p]) => (
          <SchemaField
            key={name}
            name={name}
            schema={p}
            value={object[name]}
            onChange={(v) => onChange({ ...object, [name]: v })}
            path={path ? `${path}.${name}` : name}
            errors={errors}
            required={schema.required?.includes(name) ?? false}
          />
        ))}
      {own && (
        <Text c="red.8" size="sm" role="alert">
          {own}
        </Text>
      )}
    </Stack>
  );
}

export function SchemaField({ name, schema, value, onChange, path, errors, required }: FieldProps) {
  const words = useFieldWords(name, schema);
  const { t } = useTranslation();
  const error = errorAt(errors, path);
  const common = { label: words.label, description: words.description, error, required, maw: 360 };

  if (schema.enum) {
    return (
      <Select
        {...common}
        data={schema.enum.map((v) => ({ value: String(v), label: words.optionLabel(v) }))}
        value={value === undefined || value === null ? null : String(value)}
        onChange={(v) => onChange(v === null ? undefined : schema.enum!.find((e) => String(e) === v))}
        clearable={!required}
        allowDeselect={!required}
      />
    );
  }
  switch (schema.type) {
    case "boolean":
      return (
        <Checkbox
          mt="xl"
          label={words.label}
          description={words.description}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case "integer":
    case "number":
      return <NumberField {...common} schema={schema} value={value} onChange={onChange} words={words} />;
    case "object":
      return (
        <Fieldset legend={words.label} variant="filled" p="sm">
          {words.description && (
            <Text size="xs" c="gray.8" mb="xs">
              {words.description}
            </Text>
          )}
          <SchemaFields schema={schema} value={value} onChange={onChange} path={path} errors={errors} />
        </Fieldset>
      );
    case "array":
      return (
        <ArrayField
          {...common}
          name={name}
          schema={schema}
          value={value}
          onChange={onChange}
          path={path}
          errors={errors}
          words={words}
          addLabel={t("schema.addItem")}
          removeLabel={t("schema.removeItem")}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          placeholder={schema.pattern?.includes(":[0-5]") ? "HH:MM" : undefined}
          value={typeof value === "string" ? value : value === undefined ? "" : String(value)}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/**
 * An integer typed as the decimal people think in. Text that is not a number is passed on as it is, so
 * the server's message about it lands here.
 */
function NumberField({
  schema,
  value,
  onChange,
  words,
  ...common
}: {
  schema: JsonSchema;
  value: unknown;
  onChange(v: unknown): void;
  words: ReturnType<typeof useFieldWords>;
  label: string;
  description: string | undefined;
  error: string | undefined;
  required: boolean;
  maw: number;
}) {
  const unit = unitOf(schema);
  const scale = unit ? SCALE[unit] : 0;
  const [text, setText] = useState(() => shownAs(value, scale));
  // A value set from outside (a version loaded, a form reset) replaces what is typed.
  useEffect(() => {
    setText((current) => {
      const parsed = parseScaled(current, scale);
      return parsed === value || (current === "" && value === undefined) ? current : shownAs(value, scale);
    });
  }, [value, scale]);
  // The API states a bound in the stored integer (basis points, kopecks): say it in the unit typed.
  const outOfBounds =
    common.error && typeof value === "number"
      ? value < (schema.minimum ?? Number.NEGATIVE_INFINITY)
        ? words.atLeast(`${formatScaled(schema.minimum!, scale)}${unit ? ` ${words.unitLabel(unit)}` : ""}`)
        : value > (schema.maximum ?? Number.POSITIVE_INFINITY)
          ? words.atMost(`${formatScaled(schema.maximum!, scale)}${unit ? ` ${words.unitLabel(unit)}` : ""}`)
          : null
      : null;
  return (
    <TextInput
      {...common}
      {...(outOfBounds ? { error: outOfBounds } : {})}
      inputMode={scale > 0 ? "decimal" : "numeric"}
      w={unit ? 160 : 140}
      rightSection={unit ? <Text size="sm">{words.unitLabel(unit)}</Text> : undefined}
      rightSectionWidth={unit === "money" || unit === "points" ? 48 : 36}
      value={text}
      onChange={(e) => {
        const next = e.currentTarget.value;
        setText(next);
        const parsed = parseScaled(next, scale);
        onChange(next.trim() === "" ? undefined : (parsed ?? next));
      }}
    />
  );
}

function ArrayField({
  name,
  schema,
  value,
  onChange,
  path,
  errors,
  words,
  addLabel,
  removeLabel,
  ...common
}: {
  name: string;
  schema: JsonSchema;
  value: unknown;
  onChange(v: unknown): void;
  path: string;
  errors: FieldErrors;
  words: ReturnType<typeof useFieldWords>;
  addLabel: string;
  removeLabel: string;
  label: string;
  description: string | undefined;
  error: string | undefined;
  required: boolean;
  maw: number;
}) {
  const items = schema.items ?? {};
  const list = Array.isArray(value) ? value : [];
  const smallRange =
    items.type === "integer" &&
    items.minimum !== undefined &&
    items.maximum !== undefined &&
    items.maximum - items.minimum <= 31;
  if (items.enum || smallRange) {
    const options = items.enum ?? range(items.minimum!, items.maximum!);
    return (
      <MultiSelect
        {...common}
        miw={220}
        data={options.map((v) => ({ value: String(v), label: words.optionLabel(v) }))}
        value={list.map(String)}
        onChange={(vs) => onChange(vs.map((v) => options.find((o) => String(o) === v)))}
      />
    );
  }
  if (items.type === "object") {
    return (
      <Fieldset legend={common.label} variant="filled" p="sm">
        <Stack gap="xs">
          {list.map((item, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: items have no identity but their place
            <Group key={i} align="flex-start" wrap="nowrap">
              <SchemaFields
                schema={items}
                value={item}
                onChange={(v) => onChange(list.map((x, j) => (j === i ? v : x)))}
                path={`${path}[${i}]`}
                errors={errors}
              />
              <ActionIcon
                variant="outline"
                color="red.9"
                aria-label={`${removeLabel} ${i + 1}`}
                onClick={() => onChange(list.filter((_, j) => j !== i))}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Button size="compact-sm" variant="light" onClick={() => onChange([...list, defaultsFor(items)])}>
            {addLabel}
          </Button>
          {common.error && (
            <Text c="red.8" size="sm" role="alert">
              {common.error}
            </Text>
          )}
        </Stack>
      </Fieldset>
    );
  }
  const numeric = items.type === "integer" || items.type === "number";
  return (
    <TagsInput
      {...common}
      miw={240}
      splitChars={[",", ";"]}
      acceptValueOnBlur
      value={list.map(String)}
      onChange={(vs) => onChange(numeric ? vs.map((v) => (/^-?\d+$/.test(v) ? Number(v) : v)) : vs)}
      data-field={name}
    />
  );
}

function shownAs(value: unknown, scale: number): string {
  return typeof value === "number" ? formatScaled(value, scale) : typeof value === "string" ? value : "";
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
