/** Rule names and their program, for reports that name the rule behind each amount. */
import type { Executor } from "../../infra/db/database.js";

export interface RuleName {
  name: string;
  programCode: string;
}

export async function ruleNames(db: Executor, ids: readonly number[]): Promise<Map<number, RuleName>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("rules")
    .innerJoin("programs", "programs.id", "rules.program_id")
    .select(["rules.id", "rules.name", "programs.code"])
    .where("rules.id", "in", [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, programCode: r.code }]));
}
