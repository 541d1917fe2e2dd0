import { issueTextRu } from "@kopilka/contract/rule-issues";
import {
  Button,
  Fieldset,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { DateTimePicker } from "@mantine/dates";
import { useMutation } from "@tanstack/react-query";
import dayjs from "dayjs";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api } from "../../api/client.ts";
import type { RuleTypes, RuleView } from "../../api/types.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import {
  defaultsFor,
  type FieldErrors,
  type JsonSchema,
  pruneEmpty,
  SchemaField,
  SchemaFields,
} from "../../components/SchemaForm.tsx";

interface ConditionDraft {
  type: string;
  params?: Record<string, unknown>;
  conditions?: ConditionDraft[];
}
interface EffectDraft {
  type: string;
  params?: Record<string, unknown>;
}
interface Draft {
  name: string;
  description: string;
  priority: unknown;
  validFrom: string | null;
  validTo: string | null;
  stacking: Record<string, unknown>;
  conditions: ConditionDraft[];
  effects: EffectDraft[];
}

/** The engine's group of alternatives: not in the registry, since it has no parameters, only conditions. */
const ANY = "any";
const PICKER_FORMAT = "YYYY-MM-DD HH:mm:ss";

function draftOf(rule: RuleView | null, types: RuleTypes): Draft {
  if (!rule) {
    const firstEffect = Object.keys(types.effects)[0]!;
    return {
      name: "",
      description: "",
      priority: 0,
      validFrom: null,
      validTo: null,
      stacking: defaultsFor(types.stacking as JsonSchema),
      conditions: [],
      effects: [{ type: firstEffect, params: defaultsFor(types.effects[firstEffect]!.params as JsonSchema) }],
    };
  }
  const d = rule.definition;
  return {
    name: d.name,
    description: d.description ?? "",
    priority: d.priority,
    validFrom: d.validFrom ? dayjs(d.validFrom).format(PICKER_FORMAT) : null,
    validTo: d.validTo ? dayjs(d.validTo).format(PICKER_FORMAT) : null,
    stacking: d.stacking as Record<string, unknown>,
    conditions: d.conditions as ConditionDraft[],
    effects: d.effects as EffectDraft[],
  };
}

/** Every problem the server found, by field path; a lone complaint without its list names one field. */
function fieldErrorsOf(error: unknown, language: string): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  const issues = error.details.issues;
  if (Array.isArray(issues)) {
    const out: FieldErrors = {};
    for (const i of issues as { field?: string; code?: string; message?: string; limit?: number }[]) {
      if (!i.field || !i.message || out[i.field]) continue;
      // The API words issues in English; the Russian cabinet says them in Russian.
      out[i.field] =
        language === "en"
          ? i.message
          : issueTextRu({ code: i.code ?? "", message: i.message, limit: i.limit });
    }
    return out;
  }
  return error.field ? { [error.field]: error.message } : {};
}

/**
 * A rule as forms: its name, dates, priority and stacking, then its conditions and effects, each a type
 * chosen from the registry and the form its schema makes. Saving a rule that exists makes a new version.
 */
export function RuleEditor({
  programPath,
  rule,
  types,
  readOnly,
  onSaved,
}: {
  programPath: string;
  rule: RuleView | null;
  types: RuleTypes;
  readOnly: boolean;
  onSaved(rule: RuleView): void;
}) {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, types));
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const save = useMutation({
    mutationFn: () => {
      const body = pruneEmpty({
        name: draft.name,
        description: draft.description,
        priority: draft.priority,
        stacking: draft.stacking,
        conditions: draft.conditions,
        effects: draft.effects,
      }) as Record<string, unknown>;
      // Empty lists are meaningful here: no conditions means always, and no effects is the server's to refuse.
      body.conditions = (pruneEmpty({ c: draft.conditions }) as { c?: unknown[] }).c ?? [];
      body.effects = (pruneEmpty({ e: draft.effects }) as { e?: unknown[] }).e ?? [];
      if (draft.validFrom) body.validFrom = dayjs(draft.validFrom).format();
      if (draft.validTo) body.validTo = dayjs(draft.validTo).format();
      return rule
        ? api<RuleView>("PUT", `${programPath}/rules/${rule.id}`, body)
        : api<RuleView>("POST", `${programPath}/rules`, body);
    },
    onMutate: () => setErrors({}),
    onSuccess: (saved) => {
      setDraft(draftOf(saved, types));
      onSaved(saved);
    },
    onError: (error) => setErrors(fieldErrorsOf(error, i18n.language)),
  });

  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
        <Stack>
          <Paper withBorder p="md">
            <Stack gap="sm">
              <Group align="flex-start">
                <TextInput
                  label={t("rules.name")}
                  required
                  miw={360}
                  value={draft.name}
                  error={errors.name}
                  onChange={(e) => set({ name: e.currentTarget.value })}
                />
                <SchemaField
                  name="priority"
                  schema={{ type: "integer" }}
                  value={draft.priority}
                  onChange={(v) => set({ priority: v })}
                  path="priority"
                  errors={errors}
                  required
                />
                <DateTimePicker
                  label={t("rules.validFrom")}
                  clearable
                  w={220}
                  value={draft.validFrom}
                  error={errors.validFrom}
                  onChange={(v) => set({ validFrom: v })}
                />
                <DateTimePicker
                  label={t("rules.validTo")}
                  clearable
                  w={220}
                  value={draft.validTo}
                  error={errors.validTo}
                  onChange={(v) => set({ validTo: v })}
                />
              </Group>
              <Textarea
                label={t("rules.description")}
                autosize
                minRows={1}
                value={draft.description}
                error={errors.description}
                onChange={(e) => set({ description: e.currentTarget.value })}
              />
              <Fieldset legend={t("rules.stacking")} variant="filled" p="sm">
                <SchemaFields
                  schema={types.stacking as JsonSchema}
                  value={draft.stacking}
                  onChange={(v) => set({ stacking: v })}
                  path="stacking"
                  errors={errors}
                />
              </Fieldset>
            </Stack>
          </Paper>

          <Paper withBorder p="md">
            <Title order={3} size="h4" mb={4}>
              {t("rules.conditions")}
            </Title>
            <Text size="sm" c="gray.8" mb="sm">
              {t("rules.conditionsHint")}
            </Text>
            <ConditionList
              items={draft.conditions}
              onChange={(conditions) => set({ conditions })}
              path="conditions"
              types={types}
              errors={errors}
              depth={0}
            />
          </Paper>

          <Paper withBorder p="md">
            <Title order={3} size="h4" mb="sm">
              {t("rules.effects")}
            </Title>
            <Stack gap="sm">
              {draft.effects.map((effect, i) => (
                <TypedItem
                  // biome-ignore lint/suspicious/noArrayIndexKey: effects have no identity but their place
                  key={i}
                  legend={t("rules.effectN", { n: i + 1 })}
                  registry={types.effects}
                  item={effect}
                  path={`effects[${i}]`}
                  errors={errors}
                  onChange={(next) => set({ effects: draft.effects.map((e, j) => (j === i ? next : e)) })}
                  onRemove={() => set({ effects: draft.effects.filter((_, j) => j !== i) })}
                />
              ))}
              {errors.effects && (
                <Text c="red.8" size="sm" role="alert">
                  {errors.effects}
                </Text>
              )}
              <Group>
                <Button
                  variant="light"
                  size="compact-sm"
                  onClick={() => {
                    const type = Object.keys(types.effects)[0]!;
                    set({
                      effects: [
                        ...draft.effects,
                        { type, params: defaultsFor(types.effects[type]!.params as JsonSchema) },
                      ],
                    });
                  }}
                >
                  {t("rules.addEffect")}
                </Button>
              </Group>
            </Stack>
          </Paper>

          {save.error !== null && <ErrorAlert error={save.error} />}
          {!readOnly && (
            <Group>
              <Button type="submit" loading={save.isPending}>
                {rule ? t("rules.saveVersion") : t("rules.create")}
              </Button>
            </Group>
          )}
        </Stack>
      </fieldset>
    </form>
  );
}

function ConditionList({
  items,
  onChange,
  path,
  types,
  errors,
  depth,
}: {
  items: ConditionDraft[];
  onChange(items: ConditionDraft[]): void;
  path: string;
  types: RuleTypes;
  errors: FieldErrors;
  depth: number;
}) {
  const { t } = useTranslation();
  return (
    <Stack gap="sm">
      {items.length === 0 && depth === 0 && (
        <Text size="sm" fs="italic">
          {t("rules.noConditions")}
        </Text>
      )}
      {items.map((c, i) => {
        const itemPath = `${path}[${i}]`;
        const legend =
          depth === 0 ? t("rules.conditionN", { n: i + 1 }) : t("rules.alternativeN", { n: i + 1 });
        const replace = (next: ConditionDraft) => onChange(items.map((x, j) => (j === i ? next : x)));
        const remove = () => onChange(items.filter((_, j) => j !== i));
        return (
          <TypedItem
            // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but their place
            key={i}
            legend={legend}
            registry={types.conditions}
            allowAny
            item={c}
            path={itemPath}
            errors={errors}
            onChange={replace}
            onRemove={remove}
          >
            {c.type === ANY && (
              <ConditionList
                items={c.conditions ?? []}
                onChange={(conditions) => replace({ type: ANY, conditions })}
                path={`${itemPath}.conditions`}
                types={types}
                errors={errors}
                depth={depth + 1}
              />
            )}
          </TypedItem>
        );
      })}
      {errors[path] && (
        <Text c="red.8" size="sm" role="alert">
          {errors[path]}
        </Text>
      )}
      <Group>
        <Button
          variant="light"
          size="compact-sm"
          onClick={() => {
            const type = Object.keys(types.conditions)[0]!;
            onChange([...items, { type, params: defaultsFor(types.conditions[type]!.params as JsonSchema) }]);
          }}
        >
          {depth === 0 ? t("rules.addCondition") : t("rules.addAlternative")}
        </Button>
      </Group>
    </Stack>
  );
}

/** One condition or effect: its type from the registry and the form of that type's parameters. */
function TypedItem({
  legend,
  registry,
  allowAny = false,
  item,
  path,
  errors,
  onChange,
  onRemove,
  children,
}: {
  legend: string;
  registry: RuleTypes["conditions"];
  allowAny?: boolean;
  item: ConditionDraft;
  path: string;
  errors: FieldErrors;
  onChange(item: ConditionDraft): void;
  onRemove(): void;
  children?: React.ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === "en" ? "en" : "ru";
  const entry = registry[item.type];
  const options = Object.entries(registry).map(([value, e]) => ({ value, label: e.title[language] }));
  if (allowAny) options.push({ value: ANY, label: t("rules.anyOf") });
  return (
    <Fieldset legend={legend} p="sm">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-end">
          <Select
            label={t("rules.type")}
            data={options}
            value={item.type}
            allowDeselect={false}
            searchable
            error={errors[`${path}.type`]}
            w={300}
            onChange={(type) => {
              if (!type) return;
              onChange(
                type === ANY
                  ? { type, conditions: [] }
                  : { type, params: defaultsFor(registry[type]!.params as JsonSchema) },
              );
            }}
          />
          <Button variant="outline" color="red.9" size="compact-sm" onClick={onRemove}>
            {t("rules.remove", { what: legend })}
          </Button>
        </Group>
        {entry && (
          <>
            {/* The registry explains its types in English only. */}
            {language === "en" && (
              <Text size="xs" c="gray.8">
                {entry.description}
              </Text>
            )}
            <SchemaFields
              schema={entry.params as JsonSchema}
              value={item.params ?? {}}
              onChange={(params) => onChange({ type: item.type, params })}
              path={`${path}.params`}
              errors={errors}
            />
          </>
        )}
        {errors[path] && (
          <Text c="red.8" size="sm" role="alert">
            {errors[path]}
          </Text>
        )}
        {children}
      </Stack>
    </Fieldset>
  );
}
