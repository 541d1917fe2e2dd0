/**
 * The bench's rules and catalogue as the rule engine takes them, for what prices receipts without the
 * server (engine-micro.ts, the calculate floor in floor-server.ts): the same definitions the admin API
 * would store, the products as the server's product cache holds them, and the terms of the bench's programs.
 */
import type { RuleDefinition } from "@kopilka/contract";
import type { RuleLine, RuleProduct, RuleTerms } from "../src/core/rules/types.js";
import { bodyOfDraft, type RuleBody, ruleBodyIssues } from "../src/modules/programs/index.js";
import { benchProducts, benchRules } from "./seed.js";

/** The program terms as ProgramCatalog compiles them for the bench's programs. */
export const BENCH_TERMS: RuleTerms = { maxPointsPaymentShareBp: 10_000 };

/** The 200 rules of the bench's main program (benchRules), as full definitions. */
export function benchRuleBodies(productCount: number): RuleBody[] {
  return benchRules(productCount).map((draft) => {
    const body = bodyOfDraft(draft);
    if (!body) throw new Error(`draft ${draft.name} has no definition`);
    return body;
  });
}

/** Each body checked as the admin API checks it, numbered from 1. */
export function ruleDefinitionsOf(bodies: readonly RuleBody[]): RuleDefinition[] {
  return bodies.map((body, i) => {
    const { definition, issues } = ruleBodyIssues(body, { id: i + 1, version: 1, program: "bench" });
    if (!definition) throw new Error(`rule ${i}: ${JSON.stringify(issues)}`);
    return definition;
  });
}

/** The bench's products by SKU. */
export function benchCatalogue(productCount: number): Map<string, RuleProduct> {
  const catalogue = new Map<string, RuleProduct>();
  for (const p of benchProducts(productCount))
    catalogue.set(p.sku, {
      sku: p.sku,
      category: p.category ?? null,
      brand: p.brand ?? null,
      manufacturer: p.manufacturer ?? null,
      excludedFromPointsPayment: p.excludedFromPointsPayment ?? false,
      excludedFromAccrual: p.excludedFromAccrual ?? false,
      minPrice: p.minPrice ?? 0,
    });
  return catalogue;
}

/** A bench calculate request's lines as the engine reads them (quantities in thousandths). */
export function ruleLinesOf(
  lines: readonly { lineId: string; sku: string; quantity: number; price: number }[],
  catalogue: ReadonlyMap<string, RuleProduct>,
): RuleLine[] {
  return lines.map((l) => ({
    lineId: l.lineId,
    product: catalogue.get(l.sku) ?? null,
    barcode: null,
    quantity: l.quantity,
    unitPrice: l.price,
    amount: Math.round((l.price * l.quantity) / 1000),
  }));
}
