/**
 * A rule definition as the admin API stores it and the engine compiles it, and its field-by-field
 * validation. A rule is versioned: a change is a new version with the same id, and a purchase records the
 * versions it used.
 */
import { type Static, type TSchema, Type } from "typebox";
import { Compile } from "typebox/compile";
import {
  CONDITION_TYPES,
  type Condition,
  type ConditionType,
  EFFECT_TYPES,
  type Effect,
  type EffectType,
  type TypeEntry,
} from "./registry.js";

export const Instant = Type.String({
  pattern:
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$",
  description: "an instant, ISO 8601 with an offset (e.g. 2025-03-01T00:00:00+03:00)",
});

export const RuleStacking = Type.Object(
  {
    mode: Type.Enum(["stackable", "exclusive"], {
      description: "stackable rules add up; rules of one exclusive group compete and the best one wins",
    }),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "exclusive group name" })),
    per: Type.Optional(
      Type.Enum(["receipt", "line"], {
        description: "exclusive groups compete for the whole receipt (default) or line by line",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RuleStacking = Static<typeof RuleStacking>;

const ConditionEnvelope = Type.Object({
  type: Type.String({ minLength: 1 }),
  params: Type.Optional(Type.Unknown()),
  conditions: Type.Optional(Type.Array(Type.Unknown())),
});
const EffectEnvelope = Type.Object({
  type: Type.String({ minLength: 1 }),
  params: Type.Optional(Type.Unknown()),
});

/**
 * The stored shape. Conditions and effects are checked here only as `{type, params}`; their parameters
 * are checked against the registry by `validateRuleDefinition`, which names the field at fault.
 */
export const RuleDefinitionSchema = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    version: Type.Integer({ minimum: 1 }),
    program: Type.String({ minLength: 1, maxLength: 100, description: "program code" }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2_000 })),
    validFrom: Type.Optional(Type.Union([Instant, Type.Null()])),
    validTo: Type.Optional(Type.Union([Instant, Type.Null()])),
    priority: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: "higher applies first" }),
    stacking: RuleStacking,
    conditions: Type.Array(ConditionEnvelope, { maxItems: 100, description: "all must hold" }),
    effects: Type.Array(EffectEnvelope, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

export interface RuleDefinition {
  id: number;
  version: number;
  program: string;
  name: string;
  description?: string;
  /** Inclusive start; absent or null: since always. */
  validFrom?: string | null;
  /** Exclusive end; absent or null: forever. */
  validTo?: string | null;
  priority: number;
  stacking: RuleStacking;
  conditions: Condition[];
  effects: Effect[];
}

/** One thing wrong with a definition: `path` names the field, e.g. `conditions[1].params.minQuantity`. */
export interface RuleIssue {
  path: string;
  /** The JSON Schema keyword that failed (`required`, `minimum`, …) or one of ours (`unknown_type`, `range`, …). */
  code: string;
  message: string;
  /** The schema's bound for `minimum`, `maxLength`, `maxItems` and the like: the cabinet words it. */
  limit?: number;
}

const compiled = new Map<TSchema, ReturnType<typeof Compile>>();
function checker(schema: TSchema): ReturnType<typeof Compile> {
  let c = compiled.get(schema);
  if (!c) {
    c = Compile(schema);
    compiled.set(schema, c);
  }
  return c;
}

function joinPath(base: string, pointer: string): string {
  let path = base;
  for (const part of pointer.split("/").slice(1)) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    path = /^[0-9]+$/.test(key) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  }
  return path;
}

/** Schema errors as issues with dotted paths; `anyOf` noise and duplicates are dropped. */
export function schemaIssues(schema: TSchema, value: unknown, base = ""): RuleIssue[] {
  const c = checker(schema);
  if (c.Check(value)) return [];
  const issues: RuleIssue[] = [];
  const seen = new Set<string>();
  for (const e of c.Errors(value)) {
    const error = e as {
      keyword: string;
      instancePath: string;
      message: string;
      params: Record<string, unknown>;
    };
    if (error.keyword === "boolean") continue; // the additionalProperties error says it better
    // A nullable field's failed branches: the other branch's error says what is wrong.
    if (error.keyword === "anyOf" || (error.keyword === "type" && error.params.type === "null")) continue;
    const missing = error.keyword === "required" ? (error.params.requiredProperties as string[]) : null;
    const extra =
      error.keyword === "additionalProperties" ? (error.params.additionalProperties as string[]) : null;
    const fields = missing ?? extra;
    const entries = fields
      ? fields.map((f) => ({
          path: joinPath(base, `${error.instancePath}/${f}`),
          message: missing ? "is required" : "is not a known field",
        }))
      : [{ path: joinPath(base, error.instancePath), message: error.message }];
    const limit = typeof error.params.limit === "number" ? { limit: error.params.limit } : {};
    for (const { path, message } of entries) {
      const key = `${path}|${error.keyword}`;
      if (seen.has(key)) continue;
      seen.add(key);
      issues.push({ path, code: error.keyword, message, ...limit });
    }
  }
  return issues;
}

const hasOwn = (o: object, k: string) => Object.hasOwn(o, k);

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function validDate(s: string): boolean {
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/** Checks beyond the schema, per condition type: ranges that must be ordered, fields that go together. */
function conditionSemantics(type: ConditionType, p: Record<string, unknown>, path: string): RuleIssue[] {
  const out: RuleIssue[] = [];
  const issue = (field: string, code: string, message: string) =>
    out.push({ path: `${path}.params.${field}`, code, message });
  switch (type) {
    case "date_range": {
      const from = p.from as string | undefined;
      const to = p.to as string | undefined;
      if (from === undefined && to === undefined) issue("from", "required", "from or to is required");
      if (from !== undefined && !validDate(from)) issue("from", "format", "is not a calendar date");
      if (to !== undefined && !validDate(to)) issue("to", "format", "is not a calendar date");
      if (from !== undefined && to !== undefined && from > to)
        issue("to", "range", "must not be before from");
      break;
    }
    case "time_of_day":
      if (p.from === p.to) issue("to", "range", "must differ from from");
      else if (minutesOf(p.from as string) === 24 * 60) issue("from", "range", "24:00 can only end a range");
      break;
    case "products": {
      const set = p.set as Record<string, unknown[] | undefined>;
      const lists = ["skus", "barcodes", "categories", "brands", "manufacturers"];
      if (!lists.some((l) => (set[l]?.length ?? 0) > 0))
        issue("set", "required", "name at least one SKU, barcode, category, brand or manufacturer");
      break;
    }
    case "purchase_history":
      if (p.period === "last_days" && p.days === undefined)
        issue("days", "required", "is required for last_days");
      if (p.period !== "last_days" && p.days !== undefined) issue("days", "unexpected", "only for last_days");
      if (p.min === undefined && p.max === undefined) issue("min", "required", "min or max is required");
      if (typeof p.min === "number" && typeof p.max === "number" && p.min > p.max)
        issue("max", "range", "must not be below min");
      break;
    default:
      break;
  }
  return out;
}

function effectSemantics(type: EffectType, p: Record<string, unknown>, path: string): RuleIssue[] {
  if (type === "cashier_message") {
    const unknown = [...String(p.template).matchAll(/\{([^}]*)\}/g)]
      .map((m) => m[1]!)
      .filter((name) => !MESSAGE_PLACEHOLDERS.includes(name));
    if (unknown.length > 0)
      return [
        {
          path: `${path}.params.template`,
          code: "placeholder",
          message: `unknown placeholder {${unknown[0]}}; known: ${MESSAGE_PLACEHOLDERS.map((n) => `{${n}}`).join(", ")}`,
        },
      ];
  }
  return [];
}

export const MESSAGE_PLACEHOLDERS = [
  "ruleDiscount",
  "ruleAccrual",
  "receiptDiscount",
  "receiptAccrual",
  "toPay",
];

const MAX_ANY_DEPTH = 3;

function conditionIssues(value: unknown, path: string, depth: number): RuleIssue[] {
  const envelope = schemaIssues(ConditionEnvelope, value, path);
  if (envelope.length > 0) return envelope;
  const c = value as { type: string; params?: unknown; conditions?: unknown[] };
  if (c.type === "any") {
    if (c.params !== undefined)
      return [{ path: `${path}.params`, code: "unexpected", message: "any takes conditions" }];
    if (!c.conditions || c.conditions.length === 0)
      return [{ path: `${path}.conditions`, code: "required", message: "name at least one condition" }];
    if (depth >= MAX_ANY_DEPTH)
      return [{ path, code: "depth", message: `any-groups nest at most ${MAX_ANY_DEPTH} deep` }];
    return c.conditions.flatMap((n, i) => conditionIssues(n, `${path}.conditions[${i}]`, depth + 1));
  }
  if (!hasOwn(CONDITION_TYPES, c.type))
    return [
      {
        path: `${path}.type`,
        code: "unknown_type",
        message: `unknown condition type; known: any, ${Object.keys(CONDITION_TYPES).join(", ")}`,
      },
    ];
  if (c.conditions !== undefined)
    return [{ path: `${path}.conditions`, code: "unexpected", message: "only any-groups nest conditions" }];
  const type = c.type as ConditionType;
  const entry: TypeEntry = CONDITION_TYPES[type];
  const params = c.params ?? {};
  const issues = schemaIssues(entry.params, params, `${path}.params`);
  if (issues.length > 0) return issues;
  return conditionSemantics(type, params as Record<string, unknown>, path);
}

function effectIssues(value: unknown, path: string, perLine: boolean): RuleIssue[] {
  const envelope = schemaIssues(EffectEnvelope, value, path);
  if (envelope.length > 0) return envelope;
  const e = value as { type: string; params?: unknown };
  if (!hasOwn(EFFECT_TYPES, e.type))
    return [
      {
        path: `${path}.type`,
        code: "unknown_type",
        message: `unknown effect type; known: ${Object.keys(EFFECT_TYPES).join(", ")}`,
      },
    ];
  const type = e.type as EffectType;
  const entry: TypeEntry = EFFECT_TYPES[type];
  const params = e.params ?? {};
  const issues = schemaIssues(entry.params, params, `${path}.params`);
  if (issues.length > 0) return issues;
  if (perLine && isReceiptLevel(value as Effect))
    return [
      {
        path: `${path}.type`,
        code: "stacking",
        message: "a receipt-level effect cannot compete line by line: use an exclusive group per receipt",
      },
    ];
  return effectSemantics(type, params as Record<string, unknown>, path);
}

/** Effects that work on the receipt as a whole. */
export function isReceiptLevel(effect: Effect): boolean {
  if (effect.type === "accrual_fixed") return effect.params.per === "receipt";
  return (EFFECT_TYPES[effect.type] as TypeEntry).receiptLevel === true;
}

/**
 * Every problem of a rule definition, each with the path of the field at fault; empty when the rule is
 * valid. Safe on any JSON value.
 */
export function validateRuleDefinition(value: unknown): RuleIssue[] {
  const envelope = schemaIssues(RuleDefinitionSchema, value);
  if (envelope.length > 0) return envelope;
  const rule = value as RuleDefinition;
  const issues: RuleIssue[] = [];
  const from = rule.validFrom ? Date.parse(rule.validFrom) : null;
  const to = rule.validTo ? Date.parse(rule.validTo) : null;
  if (from !== null && !Number.isFinite(from))
    issues.push({ path: "validFrom", code: "format", message: "is not a valid instant" });
  if (to !== null && !Number.isFinite(to))
    issues.push({ path: "validTo", code: "format", message: "is not a valid instant" });
  if (from !== null && to !== null && from >= to)
    issues.push({ path: "validTo", code: "range", message: "must be after validFrom" });
  const exclusive = rule.stacking.mode === "exclusive";
  if (exclusive && !rule.stacking.group)
    issues.push({ path: "stacking.group", code: "required", message: "an exclusive rule names its group" });
  if (!exclusive && (rule.stacking.group !== undefined || rule.stacking.per !== undefined))
    issues.push({
      path: "stacking.mode",
      code: "stacking",
      message: "group and per are for exclusive rules",
    });
  const perLine = exclusive && rule.stacking.per === "line";
  rule.conditions.forEach((c, i) => {
    issues.push(...conditionIssues(c, `conditions[${i}]`, 0));
  });
  rule.effects.forEach((e, i) => {
    issues.push(...effectIssues(e, `effects[${i}]`, perLine));
  });
  return issues;
}
