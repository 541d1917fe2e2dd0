/**
 * Micro-benchmark of the rule engine: one 10-line receipt evaluated against 200 and 2,000 active rules.
 * Not part of `npm test` (no timing assertions anywhere); run it with
 *
 *   cd packages/server && npx vitest bench --run test/core/rules/engine.bench.ts
 *
 * The rules look like a chain's: most target products (SKU lists, a brand, a category, a manufacturer),
 * some target stores, and a fixed handful apply everywhere. Two programs of 2,000 rules:
 * - "same reach": the 200 rules plus 1,800 for another assortment and other stores (the chain grew); a
 *   receipt reaches exactly the rules it reached before, so the time must stay within 10 %;
 * - "10× density": ten times more rules over the same catalogue and stores; a receipt reaches about twice
 *   as many rules, and the time grows with those, not with the 2,000.
 * The number of rules the index hands a receipt is printed first. For the programs, catalogue and
 * receipts of `npm run bench` itself (200 and 2,000 rules), see bench/engine-micro.ts.
 */
import type { Condition, Effect, RuleDefinition } from "@kopilka/contract";
import { bench, describe } from "vitest";
import { lineAmount } from "../../../src/core/arithmetic.js";
import { compileRules } from "../../../src/core/rules/engine.js";
import type { RuleEngine, RuleInput, RuleLine } from "../../../src/core/rules/types.js";

const PRODUCTS = 100_000;
const CATEGORIES = 500;
const BRANDS = 1_000;
const MANUFACTURERS = 300;
const STORES = 200;
const GLOBAL_RULES = 8;

/** A small deterministic generator, so every run measures the same rules and receipts. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

const skuOf = (i: number) => `SKU${i}`;
const productOf = (i: number) => ({
  sku: skuOf(i),
  category: `C${i % CATEGORIES}`,
  brand: `B${i % BRANDS}`,
  manufacturer: `M${i % MANUFACTURERS}`,
  excludedFromPointsPayment: i % 50 === 0,
  excludedFromAccrual: false,
  minPrice: 0,
});

/** `count` rules with ids from `firstId`; `elsewhere` puts their products and stores out of the receipts' reach. */
function makeRules(count: number, firstId = 1, elsewhere = false): RuleDefinition[] {
  const r = rng(count + firstId);
  const pick = (n: number) => Math.floor(r() * n) + (elsewhere ? n : 0);
  const rules: RuleDefinition[] = [];
  for (let id = firstId; id < firstId + count; id++) {
    const conditions: Condition[] = [];
    const kind = id <= GLOBAL_RULES ? -1 : Math.floor(r() * 100);
    if (kind >= 0 && kind < 60) {
      const skus = Array.from({ length: 1 + Math.floor(r() * 20) }, () => skuOf(pick(PRODUCTS)));
      conditions.push({ type: "products", params: { set: { skus } } });
    } else if (kind >= 60 && kind < 70)
      conditions.push({ type: "products", params: { set: { brands: [`B${pick(BRANDS)}`] } } });
    else if (kind >= 70 && kind < 75)
      conditions.push({ type: "products", params: { set: { categories: [`C${pick(CATEGORIES)}`] } } });
    else if (kind >= 75 && kind < 80)
      conditions.push({ type: "products", params: { set: { manufacturers: [`M${pick(MANUFACTURERS)}`] } } });
    else if (kind >= 80) conditions.push({ type: "stores", params: { stores: [`S${pick(STORES)}`] } });
    const roll = (n: number) => Math.floor(r() * n);
    if (roll(3) === 0) conditions.push({ type: "weekdays", params: { days: [1, 2, 3, 4, 5] } });
    if (roll(5) === 0) conditions.push({ type: "card_levels", params: { levels: ["gold"] } });
    const effects: Effect[] = [
      roll(2) === 0
        ? { type: "line_discount_percent", params: { percentBp: 100 + roll(1_500) } }
        : { type: "accrual_percent", params: { percentBp: 100 + roll(500) } },
    ];
    rules.push({
      id,
      version: 1,
      program: "bench",
      name: `rule ${id}`,
      priority: Math.floor(r() * 5),
      stacking: r() < 0.5 ? { mode: "stackable" } : { mode: "exclusive", group: `G${Math.floor(r() * 4)}` },
      conditions,
      effects,
    });
  }
  return rules;
}

function makeReceipts(count: number): RuleInput[] {
  const r = rng(7);
  const pick = (n: number) => Math.floor(r() * n);
  return Array.from({ length: count }, () => {
    const lines: RuleLine[] = Array.from({ length: 10 }, (_, k) => {
      const unitPrice = 1_000 + pick(100_000);
      const quantity = 1_000 * (1 + pick(3));
      return {
        lineId: String(k + 1),
        product: productOf(pick(PRODUCTS)),
        barcode: null,
        quantity,
        unitPrice,
        amount: lineAmount(unitPrice, quantity),
      };
    });
    return {
      now: Date.parse("2025-03-05T12:00:00+03:00"),
      store: { code: `S${pick(STORES)}`, partner: "P1", timeZone: "Europe/Moscow" },
      lines,
      card: { status: "active", level: pick(3) === 0 ? "gold" : null },
      promoCodes: [],
      accrualAllowance: null,
    };
  });
}

const receipts = makeReceipts(1_000);
const terms = { maxPointsPaymentShareBp: 5_000 };
const base = makeRules(200);
const engines: Record<string, RuleEngine> = {
  "200 rules": compileRules(base, terms),
  "2000 rules, same reach": compileRules([...base, ...makeRules(1_800, 201, true)], terms),
  "2000 rules, 10× density": compileRules(makeRules(2_000), terms),
  "2000 rules, 10× density, full scan": compileRules(makeRules(2_000), terms, { useIndex: false }),
};
for (const [name, engine] of Object.entries(engines)) {
  let reached = 0;
  for (const receipt of receipts) reached += engine.countCandidates(receipt);
  console.log(`${name}: ${(reached / receipts.length).toFixed(1)} rules reach a receipt on average`);
}

let k = 0;
describe("evaluate a 10-line receipt", () => {
  for (const [name, engine] of Object.entries(engines)) {
    bench(
      name,
      () => {
        engine.evaluate(receipts[k++ % receipts.length]!);
      },
      { time: name.includes("full scan") ? 1_000 : 3_000, warmupTime: 500 },
    );
  }
});
