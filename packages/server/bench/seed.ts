/**
 * The benchmark's data set, loaded with the repository's own functions: a partner with three stores, a
 * POS credential, one loyalty program with 200 active rules, 100k products and 1M cards with balances.
 */

import type { Database } from "../src/infra/db/database.js";
import { createPosCredential } from "../src/modules/auth/index.js";
import type { ProductInput } from "../src/modules/catalog/index.js";
import { upsertProducts } from "../src/modules/catalog/index.js";
import { seedCards } from "../src/modules/demo/index.js";
import { createPartner } from "../src/modules/partners/index.js";
import type { RuleDraft } from "../src/modules/programs/index.js";
import { addRules, createProgram } from "../src/modules/programs/index.js";
import { createStore } from "../src/modules/stores/index.js";

export const BENCH_LOGIN = "bench-pos-1";
export const BENCH_SECRET = "bench-secret-0123456789";
export const BENCH_STORE = "BENCH-01";
export const FIRST_CARD = 3_000_000_000_001;

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
        { code: `BENCH-0${i + 1}`, name: `Bench store ${i + 1}`, timezone: zone },
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
  const programId = await createProgram(
    db,
    partnerId,
    {
      code: "main",
      name: "Bench loyalty",
      holdDays: 14,
      cancelWindowMinutes: 30,
      maxPointsPaymentShareBp: 5000,
      pointsLifetimeDays: 365,
    },
    now,
  );
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
    balanceOf: (i) => ((i * 7919) % 2001) * 100,
    levelOf: (i) => (i % 10 === 0 ? "gold" : i % 10 < 3 ? "silver" : "base"),
    now,
  });
  const cardsMs = performance.now() - t;
  return { setupMs, productsMs, cardsMs };
}
