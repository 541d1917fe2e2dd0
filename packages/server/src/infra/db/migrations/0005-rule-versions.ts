/**
 * Rules become versioned definitions of the rule engine. A rule row keeps its current version and
 * definition (JSON, as `validateRuleDefinition` accepts it); every version ever saved stays in
 * `rule_versions`; every program version records the exact rule versions and terms it priced with
 * (`program_versions`), so any purchase can be priced again with its own rules. The four basic rule kinds
 * are converted by the adapter's mapping (`definitionOfBasicRule`), and programs keep the basic engine's
 * rounding (down). A global `programs_version` counter lets every process notice a change cheaply.
 */
import type { Kysely } from "kysely";
import type { Rule } from "../../../core/engine/types.js";
import { definitionOfBasicRule } from "../../../core/rules/adapter.js";
import type { Dialect } from "../database.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was, not as it is typed now
type AnyDb = Kysely<any>;

interface LegacyRule {
  id: number;
  program_id: number;
  name: string;
  kind: string;
  params: string;
  scope: string;
  levels: string | null;
  promo_code: string | null;
  priority: number;
  active: number;
  created_at: number;
}

const VALUE_FIELD: Record<string, string> = {
  discount_percent: "percentBp",
  discount_fixed: "amountPerUnit",
  accrual_percent: "percentBp",
  points_payment_limit: "maxShareBp",
};

function legacyRule(row: LegacyRule): Rule {
  const params = JSON.parse(row.params) as Record<string, number>;
  const value = params[VALUE_FIELD[row.kind] ?? ""] ?? 0;
  const base = {
    id: Number(row.id),
    name: row.name,
    scope: JSON.parse(row.scope),
    priority: row.priority,
    ...(row.levels ? { levels: JSON.parse(row.levels) as string[] } : {}),
    ...(row.promo_code ? { promoCode: row.promo_code } : {}),
  };
  switch (row.kind) {
    case "discount_percent":
    case "accrual_percent":
      return { ...base, kind: row.kind, percentBp: value };
    case "discount_fixed":
      return { ...base, kind: row.kind, amountPerUnit: value };
    default:
      return { ...base, kind: "points_payment_limit", maxShareBp: value };
  }
}

export function ruleVersionsSchema(_dialect: Dialect) {
  const ms = "bigint" as const;
  return {
    async up(db: AnyDb): Promise<void> {
      const programColumns: [string, "text" | "integer", string | number][] = [
        ["discount_rounding", "text", "down"],
        ["max_line_discount_bp", "integer", 10_000],
        ["max_receipt_discount_bp", "integer", 10_000],
      ];
      for (const [name, type, fallback] of programColumns) {
        await db.schema
          .alterTable("programs")
          .addColumn(name, type, (c) => c.notNull().defaultTo(fallback))
          .execute();
      }

      await db.schema
        .createTable("rule_versions")
        .addColumn("rule_id", "bigint", (c) => c.notNull().references("rules.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("definition", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addColumn("user_id", "bigint")
        .addPrimaryKeyConstraint("rule_versions_pk", ["rule_id", "version"])
        .execute();
      await db.schema
        .createTable("program_versions")
        .addColumn("program_id", "bigint", (c) => c.notNull().references("programs.id"))
        .addColumn("version", "integer", (c) => c.notNull())
        .addColumn("rules", "text", (c) => c.notNull())
        .addColumn("terms", "text", (c) => c.notNull())
        .addColumn("created_at", ms, (c) => c.notNull())
        .addPrimaryKeyConstraint("program_versions_pk", ["program_id", "version"])
        .execute();

      for (const [name, type] of [
        ["version", "integer"],
        ["definition", "text"],
        ["valid_from", ms],
        ["valid_to", ms],
      ] as const) {
        await db.schema.alterTable("rules").addColumn(name, type).execute();
      }

      const programs = await db.selectFrom("programs").selectAll().execute();
      for (const program of programs) {
        const rows = (await db
          .selectFrom("rules")
          .selectAll()
          .where("program_id", "=", program.id)
          .orderBy("id")
          .execute()) as LegacyRule[];
        const active: [number, number][] = [];
        for (const row of rows) {
          const legacy = legacyRule(row);
          const definition = definitionOfBasicRule(legacy, program.code) ?? {
            // A rule of value 0 gave nothing and can give nothing: kept, disabled, for history.
            id: legacy.id,
            version: 1,
            program: program.code,
            name: legacy.name,
            priority: legacy.priority,
            stacking: { mode: "stackable" as const },
            conditions: [],
            effects: [],
          };
          const json = JSON.stringify(definition);
          const enabled = row.active === 1 && definition.effects.length > 0;
          await db
            .updateTable("rules")
            .set({ version: 1, definition: json, active: enabled ? 1 : 0 })
            .where("id", "=", row.id)
            .execute();
          await db
            .insertInto("rule_versions")
            .values({ rule_id: row.id, version: 1, definition: json, created_at: row.created_at })
            .execute();
          if (enabled) active.push([Number(row.id), 1]);
        }
        await db
          .insertInto("program_versions")
          .values({
            program_id: program.id,
            version: program.version,
            rules: JSON.stringify(active),
            terms: JSON.stringify({
              maxPointsPaymentShareBp: program.max_points_payment_share_bp,
              discountRounding: "down",
              maxLineDiscountBp: 10_000,
              maxReceiptDiscountBp: 10_000,
            }),
            created_at: program.updated_at,
          })
          .execute();
      }

      for (const column of ["kind", "params", "scope", "levels", "promo_code"]) {
        await db.schema.alterTable("rules").dropColumn(column).execute();
      }

      await db.schema.alterTable("purchases").addColumn("applied_rules", "text").execute();
      // History conditions count a card's confirmed purchases in a period: one index range per card.
      await db.schema
        .createIndex("purchases_card_confirmed")
        .on("purchases")
        .columns(["card_id", "confirmed_at"])
        .execute();
      await db.schema.dropIndex("purchases_card").execute();

      await db
        .insertInto("server_settings")
        .values({ key: "programs_version", value: "1" })
        .onConflict((oc) => oc.column("key").doNothing())
        .execute();
    },
  };
}
