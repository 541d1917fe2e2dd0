/**
 * The benchmark's data set, loaded with the repository's own functions: a partner with three stores, a
 * POS credential, one loyalty program with 200 active rules, 100k products and 1M cards with balances;
 * for the `rules2000` phase, a second loyalty program of the same partner with 2,000 active rules (the
 * same 200 and 1,800 more) and cards of its own.
 */

import type { Condition, Effect, ProductSet } from "@kopilka/contract";
import type { Database } from "../src/infra/db/database.js";
import { createPosCredential } from "../src/modules/auth/index.js";
import type { ProductInput } from "../src/modules/catalog/index.js";
import { upsertProducts } from "../src/modules/catalog/index.js";
import { seedCards } from "../src/modules/demo/index.js";
import { createPartner } from "../src/modules/partners/index.js";
import type { RuleBody, RuleDraft } from "../src/modules/programs/index.js";
import {
  addRules,
  bumpProgram,
  createProgram,
  insertRule,
  programCodeOf,
  ruleBodyIssues,
} from "../src/modules/programs/index.js";
import { createStore } from "../src/modules/stores/index.js";

export const BENCH_LOGIN = "bench-pos-1";
export const BENCH_SECRET = "bench-secret-0123456789";
export const BENCH_STORE = "BENCH-01";
export const FIRST_CARD = 3_000_000_000_001;
export const MAIN_PROGRAM = "main";
export const BENCH_STORES = ["BENCH-01", "BENCH-02", "BENCH-03"] as const;
/** The program with 2,000 rules and the first of its cards (a range apart from the 200-rule program's). */
export const RULES2000_PROGRAM = "rules2000";
export const RULES2000_FIRST_CARD = 3_500_000_000_001;

export const CATEGORIES = Array.from({ length: 60 }, (_, i) => `cat-${String(i + 1).padStart(2, "0")}`);
export const BRANDS = Array.from({ length: 150 }, (_, i) => `brand-${String(i + 1).padStart(3, "0")}`);
export const MANUFACTURERS = Array.from({ length: 300 }, (_, i) => `mfr-${String(i + 1).padStart(3, "0")}`);
/** Prescription categories: never payable with points. */
const RX_CATEGORIES = new Set(["cat-01", "cat-02"]);

export function skuOf(i: number): string {
  return `SKU-${String(i + 1).padStart(6, "0")}`;
}

export function benchProducts(count: number): ProductInput[] {
  return Array.from({ length: count }, (_, i) => {
    const category = CATEGORIES[(i * 31) % CATEGORIES.length]!;
    return {
      sku: skuOf(i),
      barcode: `46${String(10_000_000_000 + i).padStart(11, "0")}`,
      name: `${category} product #${i + 1}`,
      category,
      brand: BRANDS[(i * 7) % BRANDS.length]!,
      manufacturer: MANUFACTURERS[(i * 13) % MANUFACTURERS.length]!,
      excludedFromPointsPayment: RX_CATEGORIES.has(category),
      excludedFromAccrual: i % 97 === 0,
      minPrice: i % 11 === 0 ? 20_000 : 0,
    };
  });
}

/** A deterministic pseudo-random generator (mulberry32), so every run prices the same rule set. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * 200 active rules: 30 accrual_percent (10 limited to card levels), 100 discount_percent and 50
 * discount_fixed on categories, brands, manufacturers and SKU lists (a few level-limited, a few behind
 * promo codes), 20 points_payment_limit.
 */
export function benchRules(productCount: number): RuleDraft[] {
  const random = rng(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const picks = <T>(list: readonly T[], n: number): T[] => Array.from({ length: n }, () => pick(list));
  const skus = (n: number) => Array.from({ length: n }, () => skuOf(Math.floor(random() * productCount)));
  const rules: RuleDraft[] = [
    { name: "base accrual 3%", kind: "accrual_percent", value: 300 },
    { name: "silver accrual 5%", kind: "accrual_percent", value: 500, levels: ["silver"] },
    { name: "gold accrual 7%", kind: "accrual_percent", value: 700, levels: ["gold"] },
  ];
  for (let i = 0; i < 27; i++) {
    rules.push({
      name: `accrual ${i}`,
      kind: "accrual_percent",
      value: 400 + Math.floor(random() * 7) * 100,
      scope: i % 3 === 0 ? { brands: picks(BRANDS, 3) } : { categories: picks(CATEGORIES, 2) },
      ...(i % 4 === 0 ? { levels: [pick(["silver", "gold"])] } : {}),
    });
  }
  for (let i = 0; i < 100; i++) {
    const scope =
      i % 5 === 0
        ? { skus: skus(50) }
        : i % 5 === 1
          ? { brands: picks(BRANDS, 2) }
          : i % 5 === 2
            ? { manufacturers: picks(MANUFACTURERS, 3) }
            : i % 5 === 3
              ? { categories: [pick(CATEGORIES)], brands: picks(BRANDS, 10) }
              : { categories: [pick(CATEGORIES)] };
    rules.push({
      name: `discount ${i}`,
      kind: "discount_percent",
      value: 300 + Math.floor(random() * 23) * 100,
      scope,
      priority: i % 7,
      ...(i % 17 === 0 ? { levels: ["gold"] } : {}),
      ...(i % 33 === 5 ? { promoCode: `PROMO${i}` } : {}),
    });
  }
  for (let i = 0; i < 50; i++) {
    rules.push({
      name: `fixed ${i}`,
      kind: "discount_fixed",
      value: 1_000 + Math.floor(random() * 10) * 1_000,
      scope: i % 2 === 0 ? { brands: picks(BRANDS, 2) } : { skus: skus(40) },
    });
  }
  for (let i = 0; i < 20; i++) {
    rules.push({
      name: `points limit ${i}`,
      kind: "points_payment_limit",
      value: 1_000 + Math.floor(random() * 5) * 1_000,
      scope: i % 4 === 0 ? { brands: picks(BRANDS, 4) } : { categories: picks(CATEGORIES, 2) },
    });
  }
  return rules;
}

/** The promo codes that some of the 200 rules are behind: a share of the bench's receipts carries one. */
export function benchPromoCodes(productCount: number): string[] {
  return benchRules(productCount).flatMap((rule) => (rule.promoCode ? [rule.promoCode] : []));
}

export interface SeedSizes {
  products: number;
  cards: number;
}

export interface SeedTimings {
  setupMs: number;
  productsMs: number;
  cardsMs: number;
}

const PROGRAM_TERMS = {
  name: "Bench loyalty",
  holdDays: 14,
  cancelWindowMinutes: 30,
  maxPointsPaymentShareBp: 5000,
  pointsLifetimeDays: 365,
};

const CARD_LEVELS = {
  balanceOf: (i: number) => ((i * 7919) % 2001) * 100,
  levelOf: (i: number) => (i % 10 === 0 ? "gold" : i % 10 < 3 ? "silver" : "base"),
};

export async function seedBenchData(database: Database, sizes: SeedSizes, now: number): Promise<SeedTimings> {
  const { db } = database;
  let t = performance.now();
  const partnerId = await createPartner(db, "bench", "Bench Pharmacies", now);
  const storeIds: number[] = [];
  for (const [i, zone] of ["Europe/Moscow", "Asia/Novosibirsk", "Asia/Vladivostok"].entries()) {
    storeIds.push(
      await createStore(
        db,
        partnerId,
        { code: BENCH_STORES[i]!, name: `Bench store ${i + 1}`, timezone: zone },
        now,
      ),
    );
  }
  await createPosCredential(
    db,
    partnerId,
    { login: BENCH_LOGIN, secret: BENCH_SECRET, storeId: storeIds[0]! },
    now,
  );
  const programId = await createProgram(db, partnerId, { code: MAIN_PROGRAM, ...PROGRAM_TERMS }, now);
  const rules = benchRules(sizes.products);
  if (rules.length !== 200) throw new Error(`expected 200 rules, built ${rules.length}`);
  await addRules(database, programId, rules, now);
  const setupMs = performance.now() - t;

  t = performance.now();
  await upsertProducts(database, partnerId, benchProducts(sizes.products), now);
  const productsMs = performance.now() - t;

  t = performance.now();
  await seedCards(database, {
    partnerId,
    programId,
    count: sizes.cards,
    firstNumber: FIRST_CARD,
    ...CARD_LEVELS,
    now,
  });
  const cardsMs = performance.now() - t;
  return { setupMs, productsMs, cardsMs };
}

/**
 * The 1,800 rules a chain adds to the 200 above as its campaigns pile up, as full definitions: mostly
 * product promotions (SKU lists of suppliers' contracts, brands, manufacturers, a category's brands) with
 * every kind of line effect, a share of them limited to stores, weekdays, hours, dates, card levels or a
 * promo code, some already over; store-wide bonuses; and a few receipt-wide rules that every receipt
 * reaches. Product rules are what the engine's candidate index is for: a receipt reaches only the rules
 * of its lines' SKUs, brands, manufacturers and categories, its store, and the receipt-wide ones.
 */
export function benchExtraRules(productCount: number): RuleBody[] {
  const random = rng(2000);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const distinct = <T>(list: readonly T[], n: number): T[] => {
    const set = new Set<T>();
    while (set.size < n) set.add(pick(list));
    return [...set];
  };
  const skus = (n: number) => {
    const picked = new Set<string>();
    while (picked.size < Math.min(n, productCount)) picked.add(skuOf(Math.floor(random() * productCount)));
    return [...picked];
  };
  const bestDiscount = { mode: "exclusive", group: "discount", per: "line" } as const;
  const bestAccrual = { mode: "exclusive", group: "accrual", per: "line" } as const;
  const stackable = { mode: "stackable" } as const;
  const products = (set: ProductSet, minQuantity?: number): Condition => ({
    type: "products",
    params: { set, ...(minQuantity ? { minQuantity } : {}) },
  });
  const stores = (): Condition => ({
    type: "stores",
    params: { stores: distinct(BENCH_STORES, between(1, 2)) },
  });
  const weekdays = (): Condition => ({
    type: "weekdays",
    params: { days: random() < 0.5 ? [6, 7] : distinct([1, 2, 3, 4, 5, 6, 7], between(1, 3)).sort() },
  });
  const hours = (): Condition =>
    pick([
      { type: "time_of_day", params: { from: "08:00", to: "11:00" } },
      { type: "time_of_day", params: { from: "20:00", to: "24:00" } },
      { type: "time_of_day", params: { from: "22:00", to: "07:00" } },
    ] as const);
  /** A campaign that ended last year (left active, as campaigns often are) or one that runs for years. */
  const ended = { validFrom: "2025-06-01T00:00:00+03:00", validTo: "2025-07-01T00:00:00+03:00" };
  const running = { validFrom: "2025-01-01T00:00:00+03:00", validTo: "2100-01-01T00:00:00+03:00" };

  /** The line effects of product promotions, in turn, each with the stacking it belongs in. */
  const lineEffect = (k: number): { effect: Effect; stacking: RuleBody["stacking"] } => {
    switch (k % 8) {
      case 0:
        return {
          effect: { type: "line_discount_percent", params: { percentBp: between(5, 30) * 100 } },
          stacking: bestDiscount,
        };
      case 1:
        return {
          effect: { type: "line_discount_amount", params: { amount: between(1, 10) * 1_000, per: "unit" } },
          stacking: bestDiscount,
        };
      case 2:
        return {
          effect: { type: "line_fixed_price", params: { price: pick([9_900, 19_900, 29_900, 49_900]) } },
          stacking: bestDiscount,
        };
      case 3:
        return {
          effect: { type: "accrual_percent", params: { percentBp: between(5, 15) * 100 } },
          stacking: bestAccrual,
        };
      case 4:
        return {
          effect: { type: "accrual_multiplier", params: { factorBp: pick([15_000, 20_000, 30_000]) } },
          stacking: stackable,
        };
      case 5:
        return { effect: { type: "n_plus_m", params: { buy: 2, free: 1 } }, stacking: stackable };
      case 6:
        return { effect: { type: "points_payment_exclusion", params: {} }, stacking: stackable };
      default:
        return {
          effect: { type: "accrual_fixed", params: { points: between(5, 30) * 100, per: "unit" } },
          stacking: stackable,
        };
    }
  };
  const rules: RuleBody[] = [];
  const promotion = (
    name: string,
    i: number,
    productCondition: Condition,
    k: number,
    extra: (Condition | null)[],
    window: object = {},
  ) => {
    const { effect, stacking } = lineEffect(k);
    rules.push({
      name,
      ...window,
      priority: i % 10,
      stacking,
      conditions: [productCondition, ...extra.filter((c): c is Condition => c !== null)],
      effects: [effect],
    });
  };

  // Suppliers' contracts: 1 to 40 SKUs each.
  for (let i = 0; i < 1050; i++) {
    promotion(
      `supplier promo ${i}`,
      i,
      products({ skus: skus(between(1, 40)) }, i % 15 === 7 ? 2_000 : undefined),
      i,
      [
        i % 6 === 0 ? stores() : null,
        i % 10 === 3 ? { type: "card_levels", params: { levels: [pick(["silver", "gold"])] } } : null,
      ],
      i % 20 === 11 ? ended : i % 20 === 12 ? running : {},
    );
  }
  // Brand weeks, happy hours and regional brand offers.
  for (let i = 0; i < 300; i++) {
    promotion(
      `brand promo ${i}`,
      i,
      products({ brands: distinct(BRANDS, between(1, 2)) }),
      [0, 1, 3, 4, 6][i % 5]!,
      [i % 3 === 0 ? weekdays() : i % 3 === 1 ? hours() : null, i % 5 === 2 ? stores() : null],
    );
  }
  // Manufacturers' programs, some bounded by dates.
  for (let i = 0; i < 200; i++) {
    promotion(
      `manufacturer promo ${i}`,
      i,
      products({ manufacturers: distinct(MANUFACTURERS, between(1, 2)) }),
      [0, 3, 4][i % 3]!,
      [i % 4 === 0 ? { type: "date_range", params: { from: "2025-01-01", to: "2099-12-31" } } : null],
    );
  }
  // A category's brands, a tenth of them behind a promo code.
  for (let i = 0; i < 100; i++) {
    promotion(
      `category brands ${i}`,
      i,
      products({ categories: [pick(CATEGORIES)], brands: distinct(BRANDS, between(2, 3)), match: "all" }),
      0,
      [i % 10 === 0 ? { type: "promo_code", params: { codes: [`BRANDS${i}`] } } : null],
    );
  }
  // Category days and hours, some behind a promo code.
  for (let i = 0; i < 80; i++) {
    promotion(`category day ${i}`, i, products({ categories: [pick(CATEGORIES)] }), [0, 4][i % 2]!, [
      i % 2 === 0 ? weekdays() : hours(),
      i % 8 === 0 ? { type: "promo_code", params: { codes: [`CATEGORY${i}`] } } : null,
    ]);
  }
  // Store-wide: opening bonuses and store messages.
  for (let i = 0; i < 45; i++) {
    const store: Condition = { type: "stores", params: { stores: [BENCH_STORES[i % BENCH_STORES.length]!] } };
    rules.push({
      name: `store offer ${i}`,
      ...(i % 4 === 0 ? ended : {}),
      priority: 0,
      stacking: stackable,
      conditions: i % 3 === 0 ? [store, weekdays()] : [store],
      effects: [
        i % 2 === 0
          ? { type: "accrual_fixed", params: { points: between(1, 5) * 1_000, per: "receipt" } }
          : {
              type: "cashier_message",
              params: { template: `Store offer ${i}: ask about this week's deals` },
            },
      ],
    });
  }
  // Receipt-wide: spend thresholds, weekend multipliers, receipt promo codes.
  for (let i = 0; i < 25; i++) {
    const min = pick([100_000, 200_000, 300_000, 500_000]);
    rules.push(
      i % 5 === 4
        ? {
            name: `weekend accrual ${i}`,
            priority: 0,
            stacking: stackable,
            conditions: [weekdays()],
            effects: [{ type: "accrual_multiplier", params: { factorBp: 15_000 } }],
          }
        : {
            name: `spend ${min / 100} rub ${i}`,
            priority: 5,
            stacking: { mode: "exclusive", group: "receipt", per: "receipt" },
            conditions: [
              { type: "receipt_total", params: { min } },
              ...(i % 5 === 3
                ? [{ type: "promo_code", params: { codes: [`RECEIPT${i}`] } } satisfies Condition]
                : []),
            ],
            effects: [
              { type: "receipt_discount", params: { amount: Math.round(min / 1000) * 50 } },
              { type: "cashier_message", params: { template: "Receipt discount {receiptDiscount}" } },
            ],
          },
    );
  }
  return rules;
}

/** Every promo code that some rule of the 2,000-rule program is behind. */
export function rules2000PromoCodes(productCount: number): string[] {
  const codes = new Set(benchPromoCodes(productCount));
  const collect = (conditions: readonly Condition[]) => {
    for (const c of conditions)
      if (c.type === "promo_code") for (const code of c.params.codes) codes.add(code);
      else if (c.type === "any") collect(c.conditions);
  };
  for (const rule of benchExtraRules(productCount)) collect(rule.conditions);
  return [...codes];
}

/** Adds full rule definitions, each checked as the admin API checks it, and bumps the program once. */
async function addRuleBodies(
  database: Database,
  programId: number,
  bodies: readonly RuleBody[],
  now: number,
): Promise<void> {
  await database.transaction(async (trx) => {
    const code = await programCodeOf(trx, programId);
    for (const [i, body] of bodies.entries()) {
      const { issues, definition } = ruleBodyIssues(body, { id: 1, version: 1, program: code });
      if (!definition) throw new Error(`rule ${i} "${body.name}": ${JSON.stringify(issues)}`);
      await insertRule(trx, programId, code, body, true, now, null);
    }
    await bumpProgram(trx, programId, now);
  });
}

/**
 * The 2,000-rule program on the bench partner (its products are the partner's catalogue): the 200 rules
 * of the main program, the 1,800 of benchExtraRules, and `cards` cards of its own, with the balances and
 * levels of the main program's cards.
 */
export async function seedRules2000(
  database: Database,
  partnerId: number,
  sizes: SeedSizes,
  now: number,
): Promise<{ setupMs: number; cardsMs: number }> {
  let t = performance.now();
  const programId = await createProgram(
    database.db,
    partnerId,
    { code: RULES2000_PROGRAM, ...PROGRAM_TERMS, name: "Bench loyalty, 2,000 rules" },
    now,
  );
  await addRules(database, programId, benchRules(sizes.products), now);
  const extra = benchExtraRules(sizes.products);
  if (extra.length !== 1_800) throw new Error(`expected 1800 more rules, built ${extra.length}`);
  await addRuleBodies(database, programId, extra, now);
  const setupMs = performance.now() - t;
  t = performance.now();
  await seedCards(database, {
    partnerId,
    programId,
    count: sizes.cards,
    firstNumber: RULES2000_FIRST_CARD,
    ...CARD_LEVELS,
    now,
  });
  return { setupMs, cardsMs: performance.now() - t };
}
