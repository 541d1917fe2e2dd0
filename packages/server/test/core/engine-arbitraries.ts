/** Random receipts, rule sets and cards for the engine and receipt properties. */
import fc from "fast-check";
import { lineAmount } from "../../src/core/arithmetic.js";
import type {
  CardFacts,
  ProductFacts,
  ProductScope,
  ProgramTerms,
  ReceiptLine,
  Rule,
} from "../../src/core/engine/types.js";
import type { LineSource } from "../../src/core/receipt.js";

export const SKUS = ["S1", "S2", "S3", "S4", "S5"];
export const CATEGORIES = ["C1", "C2", "C3"];
export const BRANDS = ["B1", "B2"];
export const MANUFACTURERS = ["M1", "M2"];
export const LEVELS = ["silver", "gold", "platinum"];
export const PROMOS = ["SPRING", "VIP"];

const rare = (p: number) => fc.integer({ min: 1, max: 100 }).map((n) => n <= p);

export const productArb: fc.Arbitrary<ProductFacts> = fc.record({
  sku: fc.constantFrom(...SKUS),
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
  brand: fc.option(fc.constantFrom(...BRANDS), { nil: null }),
  manufacturer: fc.option(fc.constantFrom(...MANUFACTURERS), { nil: null }),
  excludedFromPointsPayment: rare(15),
  excludedFromAccrual: rare(15),
  minPrice: fc.oneof(fc.constant(0), fc.nat({ max: 30_000 })),
});

export const receiptLinesArb: fc.Arbitrary<ReceiptLine[]> = fc
  .array(
    fc.record({
      product: fc.option(productArb, { nil: null, freq: 5 }),
      quantity: fc.oneof(fc.constantFrom(1_000, 2_000, 3_000), fc.integer({ min: 1, max: 5_000 })),
      unitPrice: fc.oneof(fc.nat({ max: 100 }), fc.nat({ max: 50_000 })),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((ls) =>
    ls.map((l, i) => ({
      lineId: `L${i + 1}`,
      product: l.product,
      quantity: l.quantity,
      unitPrice: l.unitPrice,
      amount: lineAmount(l.unitPrice, l.quantity),
    })),
  );

const listArb = (pool: string[]) => fc.option(fc.subarray(pool), { nil: undefined, freq: 2 });

const scopeArb: fc.Arbitrary<ProductScope> = fc.record(
  {
    skus: fc.subarray(SKUS),
    categories: fc.subarray(CATEGORIES),
    brands: fc.subarray(BRANDS),
    manufacturers: fc.subarray(MANUFACTURERS),
  },
  { requiredKeys: [] },
);

const ruleBaseArb = fc.record({
  name: fc.constant("rule"),
  scope: fc.oneof(fc.constant({}), scopeArb),
  levels: listArb(LEVELS),
  // Rules store codes as typed by an operator; the engine normalises them.
  promoCode: fc.option(fc.constantFrom("SPRING", "spring", " Vip "), { nil: undefined, freq: 3 }),
  priority: fc.nat({ max: 3 }),
});

type WithoutId<R> = R extends unknown ? Omit<R, "id"> : never;
type RuleWithoutId = WithoutId<Rule>;

const ruleBodyArb: fc.Arbitrary<RuleWithoutId> = fc.oneof(
  fc
    .tuple(ruleBaseArb, fc.oneof(fc.constantFrom(0, 500, 1_000, 10_000), fc.nat({ max: 10_000 })))
    .map(([b, percentBp]) => ({ ...b, kind: "discount_percent" as const, percentBp })),
  fc
    .tuple(ruleBaseArb, fc.nat({ max: 20_000 }))
    .map(([b, amountPerUnit]) => ({ ...b, kind: "discount_fixed" as const, amountPerUnit })),
  fc
    .tuple(ruleBaseArb, fc.oneof(fc.constantFrom(0, 100, 500), fc.nat({ max: 2_000 })))
    .map(([b, percentBp]) => ({ ...b, kind: "accrual_percent" as const, percentBp })),
  fc
    .tuple(ruleBaseArb, fc.oneof(fc.constantFrom(0, 5_000, 10_000), fc.nat({ max: 10_000 })))
    .map(([b, maxShareBp]) => ({ ...b, kind: "points_payment_limit" as const, maxShareBp })),
);

export const rulesArb: fc.Arbitrary<Rule[]> = fc
  .array(ruleBodyArb, { maxLength: 10 })
  // Ids in shuffled order so the lowest-id tie-break is not just "first in the list".
  .chain((bodies) =>
    fc
      .shuffledSubarray(
        bodies.map((_, i) => i + 1),
        { minLength: bodies.length, maxLength: bodies.length },
      )
      .map((ids) => bodies.map((b, i) => ({ ...b, id: ids[i]! }) as Rule)),
  );

export const cardArb: fc.Arbitrary<CardFacts | null> = fc.option(
  fc.record({
    status: fc.constantFrom("active", "active", "blocked", "accrual_only"),
    level: fc.option(fc.constantFrom(...LEVELS), { nil: null }),
  }),
  { nil: null, freq: 4 },
);

export const promoCodesArb = fc.array(fc.constantFrom("spring", " SPRING", "vip ", "Bogus", "VIP"), {
  maxLength: 3,
});

export const termsArb: fc.Arbitrary<ProgramTerms> = fc.record({
  maxPointsPaymentShareBp: fc.oneof(fc.constantFrom(0, 3_000, 10_000), fc.nat({ max: 10_000 })),
});

export const scenarioArb = fc.record({
  rules: rulesArb,
  terms: termsArb,
  input: fc.record({ lines: receiptLinesArb, card: cardArb, promoCodes: promoCodesArb }),
});

export function sourcesOf(lines: readonly ReceiptLine[]): LineSource[] {
  return lines.map((l) => ({
    lineId: l.lineId,
    sku: l.product?.sku ?? null,
    barcode: null,
    productKnown: l.product !== null,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
  }));
}
