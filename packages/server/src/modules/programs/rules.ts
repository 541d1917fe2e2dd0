/**
 * Rules as stored: versioned rule-engine definitions. A rule row holds the current version; every version
 * ever saved stays in `rule_versions` (immutable), and every program version records the rule versions it
 * priced with (`program_versions`, written by `bumpProgram`). Each change here bumps the program's version
 * and the global `programs_version` counter in the same transaction, so every process's catalog sees it.
 */
import {
  type Condition,
  controlCharacterGuardPattern,
  type Effect,
  type RuleDefinition,
  type RuleIssue,
  type RuleStacking,
  validateRuleDefinition,
} from "@kopilka/contract";
import type { ProductScope, Rule, RuleKind } from "../../core/engine/types.js";
import { definitionOfBasicRule } from "../../core/rules/adapter.js";
import type { Executor } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";

/** A rule of the four basic kinds: seeds, tests and the bench write these; they are stored as definitions. */
export interface RuleDraft {
  name: string;
  kind: RuleKind;
  /** percentBp for percent kinds, amountPerUnit for discount_fixed, maxShareBp for points_payment_limit */
  value: number;
  scope?: ProductScope;
  levels?: string[];
  promoCode?: string;
  priority?: number;
}

/** What a rule says, without the identity the server gives it (id, version, program). */
export interface RuleBody {
  name: string;
  description?: string;
  validFrom?: string | null;
  validTo?: string | null;
  priority: number;
  stacking: RuleStacking;
  conditions: Condition[];
  effects: Effect[];
}

/** A basic draft as a rule body (the adapter's mapping, so results stay as the basic engine gave them). */
export function bodyOfDraft(draft: RuleDraft): RuleBody | null {
  const base = {
    id: 1,
    name: draft.name,
    scope: draft.scope ?? {},
    priority: draft.priority ?? 0,
    ...(draft.levels?.length ? { levels: draft.levels } : {}),
    ...(draft.promoCode ? { promoCode: draft.promoCode } : {}),
  };
  let rule: Rule;
  switch (draft.kind) {
    case "discount_percent":
    case "accrual_percent":
      rule = { ...base, kind: draft.kind, percentBp: draft.value };
      break;
    case "discount_fixed":
      rule = { ...base, kind: draft.kind, amountPerUnit: draft.value };
      break;
    case "points_payment_limit":
      rule = { ...base, kind: draft.kind, maxShareBp: draft.value };
      break;
  }
  const definition = definitionOfBasicRule(rule);
  return definition ? bodyOf(definition) : null;
}

export function bodyOf(definition: RuleDefinition): RuleBody {
  const { id: _id, version: _version, program: _program, ...body } = definition;
  return body;
}

// What the HTTP input guard lets through everywhere else: no C0 controls but tab and line breaks, no DEL.
const GUARDED = new RegExp(controlCharacterGuardPattern(), "u");

function controlCharacterIssues(value: unknown, path: string, out: RuleIssue[]): void {
  if (typeof value === "string") {
    if (!GUARDED.test(value))
      out.push({ path, code: "pattern", message: "must not contain control characters" });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      controlCharacterIssues(v, `${path}[${i}]`, out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) controlCharacterIssues(v, path ? `${path}.${k}` : k, out);
  }
}

/**
 * Checks a rule body as it would be stored; every issue names its field (`conditions[1].params.min`).
 * `id`, `version` and `program` in the body are ignored: the server gives them.
 */
export function ruleBodyIssues(
  body: unknown,
  identity: { id: number; version: number; program: string },
): { issues: RuleIssue[]; definition: RuleDefinition | null } {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    return { issues: [{ path: "", code: "type", message: "a rule is an object" }], definition: null };
  const { id: _id, version: _version, program: _program, ...rest } = body as Record<string, unknown>;
  const issues: RuleIssue[] = [];
  controlCharacterIssues(rest, "", issues);
  if (issues.length > 0) return { issues, definition: null };
  const candidate = { ...rest, ...identity };
  const found = validateRuleDefinition(candidate);
  if (found.length > 0) return { issues: found, definition: null };
  return { issues: [], definition: candidate as unknown as RuleDefinition };
}

export interface RuleRecord {
  id: number;
  programId: number;
  version: number;
  active: boolean;
  definition: RuleDefinition;
  createdAt: number;
  updatedAt: number;
}

export function ruleRecordOf(row: Row<"rules">): RuleRecord {
  return {
    id: row.id,
    programId: row.program_id,
    version: row.version,
    active: row.active === 1,
    definition: JSON.parse(row.definition) as RuleDefinition,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const instantOf = (value: string | null | undefined): number | null => (value ? Date.parse(value) : null);

/** Inserts a new rule (version 1) from a checked body; returns its definition with the id given. */
export async function insertRule(
  db: Executor,
  programId: number,
  programCode: string,
  body: RuleBody,
  active: boolean,
  now: number,
  userId: number | null,
): Promise<RuleDefinition> {
  const row = await db
    .insertInto("rules")
    .values({
      program_id: programId,
      name: body.name,
      priority: body.priority,
      active: active ? 1 : 0,
      version: 1,
      definition: "{}",
      valid_from: instantOf(body.validFrom),
      valid_to: instantOf(body.validTo),
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const definition: RuleDefinition = { ...body, id: row.id, version: 1, program: programCode };
  const json = JSON.stringify(definition);
  await db.updateTable("rules").set({ definition: json }).where("id", "=", row.id).execute();
  await db
    .insertInto("rule_versions")
    .values({ rule_id: row.id, version: 1, definition: json, created_at: now, user_id: userId })
    .execute();
  return definition;
}

/** Saves a new version of a rule (the caller has locked nothing: the version is taken atomically). */
export async function saveRuleVersion(
  db: Executor,
  current: RuleRecord,
  programCode: string,
  body: RuleBody,
  now: number,
  userId: number | null,
): Promise<RuleDefinition> {
  const version = current.version + 1;
  const definition: RuleDefinition = { ...body, id: current.id, version, program: programCode };
  const json = JSON.stringify(definition);
  // The version guard makes a concurrent edit of the same rule fail instead of silently overwriting.
  const result = await db
    .updateTable("rules")
    .set({
      name: body.name,
      priority: body.priority,
      version,
      definition: json,
      valid_from: instantOf(body.validFrom),
      valid_to: instantOf(body.validTo),
      updated_at: now,
    })
    .where("id", "=", current.id)
    .where("version", "=", current.version)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new RuleChangedError(current.id);
  await db
    .insertInto("rule_versions")
    .values({ rule_id: current.id, version, definition: json, created_at: now, user_id: userId })
    .execute();
  return definition;
}

/** Another change to the rule won a race; the caller retries or reports a conflict. */
export class RuleChangedError extends Error {
  constructor(readonly ruleId: number) {
    super(`rule ${ruleId} changed concurrently`);
  }
}

export async function setRuleActive(db: Executor, ruleId: number, active: boolean, now: number) {
  await db
    .updateTable("rules")
    .set({ active: active ? 1 : 0, updated_at: now })
    .where("id", "=", ruleId)
    .execute();
}

export async function findRule(db: Executor, programId: number, ruleId: number): Promise<RuleRecord | null> {
  const row = await db
    .selectFrom("rules")
    .selectAll()
    .where("id", "=", ruleId)
    .where("program_id", "=", programId)
    .executeTakeFirst();
  return row ? ruleRecordOf(row) : null;
}

export async function listRules(
  db: Executor,
  programId: number,
  filter: { active?: boolean } = {},
): Promise<RuleRecord[]> {
  let q = db.selectFrom("rules").selectAll().where("program_id", "=", programId);
  if (filter.active !== undefined) q = q.where("active", "=", filter.active ? 1 : 0);
  const rows = await q.orderBy("id").execute();
  return rows.map(ruleRecordOf);
}

export interface RuleVersionRecord {
  version: number;
  definition: RuleDefinition;
  createdAt: number;
  userId: number | null;
}

export async function ruleVersions(db: Executor, ruleId: number): Promise<RuleVersionRecord[]> {
  const rows = await db
    .selectFrom("rule_versions")
    .selectAll()
    .where("rule_id", "=", ruleId)
    .orderBy("version", "desc")
    .execute();
  return rows.map((r) => ({
    version: r.version,
    definition: JSON.parse(r.definition) as RuleDefinition,
    createdAt: r.created_at,
    userId: r.user_id,
  }));
}

/** One field that differs between two versions: `path` as in validation (`effects[0].params.percentBp`). */
export interface RuleDifference {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** The fields that differ between two definitions, leaf by leaf (arrays by index). */
export function diffDefinitions(before: unknown, after: unknown, path = ""): RuleDifference[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: RuleDifference[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      out.push(...diffDefinitions(before[i], after[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffDefinitions(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [
    {
      path,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    },
  ];
}
