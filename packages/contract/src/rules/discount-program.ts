/**
 * A manufacturer's discount program (PharmApi): a product list with a discount per pack, a price
 * ceiling, the participating partners and stores, and per-card quantity limits. Discounts are given on
 * whole packs only: the fraction of a pack on a line is sold at full price.
 */
import { type Static, Type } from "typebox";
import { Instant, type RuleIssue, schemaIssues } from "./definition.js";

const Code = Type.String({ minLength: 1, maxLength: 100 });

export const PackDiscount = Type.Object(
  {
    type: Type.Enum(["percent", "cash", "fixed_price"]),
    percentBp: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: "for percent" })),
    amount: Type.Optional(Type.Integer({ minimum: 1, description: "kopecks off each pack, for cash" })),
    price: Type.Optional(Type.Integer({ minimum: 0, description: "kopecks per pack, for fixed_price" })),
  },
  { additionalProperties: false },
);
export type PackDiscount = Static<typeof PackDiscount>;

export const DiscountProgramItem = Type.Object(
  {
    barcode: Type.String({ pattern: "^[0-9]{8,14}$", description: "EAN-13 or GTIN-14" }),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    discount: PackDiscount,
    priceCeiling: Type.Optional(
      Type.Integer({ minimum: 1, description: "kopecks: no discount when a pack costs more" }),
    ),
  },
  { additionalProperties: false },
);

export const LIMIT_PERIODS = [
  "day",
  "calendar_week",
  "calendar_month",
  "calendar_year",
  "last_days",
  "lifetime",
] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

export const DiscountProgramLimit = Type.Object(
  {
    id: Code,
    period: Type.Enum([...LIMIT_PERIODS], { description: "calendar periods follow the store's local time" }),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_660, description: "for last_days" })),
    maxPacks: Type.Integer({ minimum: 1 }),
    barcodes: Type.Optional(
      Type.Array(Type.String({ pattern: "^[0-9]{8,14}$" }), {
        minItems: 1,
        description: "the products the limit counts; absent: every product of the program",
      }),
    ),
  },
  { additionalProperties: false },
);
export type DiscountProgramLimit = Static<typeof DiscountProgramLimit>;

export const DiscountProgramDefinitionSchema = Type.Object(
  {
    code: Code,
    version: Type.Integer({ minimum: 1 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    validFrom: Type.Optional(Type.Union([Instant, Type.Null()])),
    validTo: Type.Optional(Type.Union([Instant, Type.Null()])),
    partners: Type.Optional(Type.Array(Code, { minItems: 1, description: "absent: every partner" })),
    stores: Type.Optional(
      Type.Array(Code, { minItems: 1, description: "absent: every store of the partners" }),
    ),
    priceCeiling: Type.Optional(
      Type.Integer({ minimum: 1, description: "kopecks per pack, for every item" }),
    ),
    items: Type.Array(DiscountProgramItem, { minItems: 1, maxItems: 100_000 }),
    limits: Type.Array(DiscountProgramLimit, { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type DiscountProgramDefinition = Static<typeof DiscountProgramDefinitionSchema>;

/** Every problem of a discount program definition, with the path of the field at fault. */
export function validateDiscountProgram(value: unknown): RuleIssue[] {
  const issues = schemaIssues(DiscountProgramDefinitionSchema, value);
  if (issues.length > 0) return issues;
  const program = value as DiscountProgramDefinition;
  const seen = new Map<string, number>();
  program.items.forEach((item, i) => {
    const path = `items[${i}]`;
    const first = seen.get(item.barcode);
    if (first !== undefined)
      issues.push({
        path: `${path}.barcode`,
        code: "duplicate",
        message: `already listed at items[${first}]`,
      });
    else seen.set(item.barcode, i);
    const d = item.discount;
    const needed = d.type === "percent" ? "percentBp" : d.type === "cash" ? "amount" : "price";
    for (const field of ["percentBp", "amount", "price"] as const) {
      if (field === needed && d[field] === undefined)
        issues.push({
          path: `${path}.discount.${field}`,
          code: "required",
          message: `is required for ${d.type}`,
        });
      if (field !== needed && d[field] !== undefined)
        issues.push({ path: `${path}.discount.${field}`, code: "unexpected", message: `not for ${d.type}` });
    }
  });
  const limitIds = new Set<string>();
  program.limits.forEach((limit, i) => {
    const path = `limits[${i}]`;
    if (limitIds.has(limit.id))
      issues.push({ path: `${path}.id`, code: "duplicate", message: "is used twice" });
    limitIds.add(limit.id);
    if (limit.period === "last_days" && limit.days === undefined)
      issues.push({ path: `${path}.days`, code: "required", message: "is required for last_days" });
    if (limit.period !== "last_days" && limit.days !== undefined)
      issues.push({ path: `${path}.days`, code: "unexpected", message: "only for last_days" });
    limit.barcodes?.forEach((b, k) => {
      if (!seen.has(b))
        issues.push({
          path: `${path}.barcodes[${k}]`,
          code: "unknown",
          message: "is not in the product list",
        });
    });
  });
  if (program.validFrom && program.validTo && Date.parse(program.validFrom) >= Date.parse(program.validTo))
    issues.push({ path: "validTo", code: "range", message: "must be after validFrom" });
  return issues;
}
