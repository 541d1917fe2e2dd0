/** Rules as stored (JSON columns) ↔ rules as the engine sees them. */
import type { ProductScope, Rule, RuleKind } from "../../core/engine/types.js";
import type { NewRow, Row } from "../../infra/db/schema.js";

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

const VALUE_FIELD: Record<RuleKind, string> = {
  discount_percent: "percentBp",
  discount_fixed: "amountPerUnit",
  accrual_percent: "percentBp",
  points_payment_limit: "maxShareBp",
};

export function ruleRow(programId: number, draft: RuleDraft, now: number): NewRow<"rules"> {
  return {
    program_id: programId,
    name: draft.name,
    kind: draft.kind,
    params: JSON.stringify({ [VALUE_FIELD[draft.kind]]: draft.value }),
    scope: JSON.stringify(draft.scope ?? {}),
    levels: draft.levels && draft.levels.length > 0 ? JSON.stringify(draft.levels) : null,
    promo_code: draft.promoCode ?? null,
    priority: draft.priority ?? 0,
    active: 1,
    created_at: now,
    updated_at: now,
  };
}

export function ruleFromRow(row: Row<"rules">): Rule {
  const params = JSON.parse(row.params) as Record<string, number>;
  const base = {
    id: row.id,
    name: row.name,
    scope: JSON.parse(row.scope) as ProductScope,
    priority: row.priority,
    ...(row.levels ? { levels: JSON.parse(row.levels) as string[] } : {}),
    ...(row.promo_code ? { promoCode: row.promo_code } : {}),
  };
  const kind = row.kind as RuleKind;
  const value = params[VALUE_FIELD[kind]] ?? 0;
  switch (kind) {
    case "discount_percent":
      return { ...base, kind, percentBp: value };
    case "discount_fixed":
      return { ...base, kind, amountPerUnit: value };
    case "accrual_percent":
      return { ...base, kind, percentBp: value };
    case "points_payment_limit":
      return { ...base, kind, maxShareBp: value };
    default:
      throw new Error(`rule ${row.id} has an unknown kind ${row.kind}`);
  }
}
