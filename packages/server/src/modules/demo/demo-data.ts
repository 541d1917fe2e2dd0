/**
 * Demo data for `npm start`: a pharmacy chain with three stores in three time zones, POS credentials, a
 * loyalty program with a few rules, 1,000 products and 10,000 cards with balances, and PharmApi's test program
 * with a pharmacy, a POS id and a credential pair. Loaded once, into an
 * empty database only.
 */

import type { Database } from "../../infra/db/database.js";
import { verifySecret } from "../../kernel/secret-hash.js";
import { createPosCredential, credentialAcceptsSecret } from "../auth/index.js";
import { type ProductInput, upsertProducts } from "../catalog/index.js";
import { createPartner, hasPartners } from "../partners/index.js";
import { loadTestPreset, pharmApiPairAccepted } from "../pharmapi/index.js";
import { addRules, createProgram, type RuleDraft } from "../programs/index.js";
import { createStore } from "../stores/index.js";
import { addMembership, createUser, findUserByEmail } from "../users/index.js";
import { cardNumber, seedCards } from "./bulk-seed.js";

export const DEMO_SECRET = "demo-secret";
export const DEMO_CREDENTIALS = [
  { login: "demo-accounting", store: null, description: "accounting system: master data, any store" },
  { login: "demo-pos-msk-1", store: "MSK-01", description: "till 1, Moscow" },
  { login: "demo-pos-msk-2", store: "MSK-01", description: "till 2, Moscow" },
  { login: "demo-pos-nsk-1", store: "NSK-01", description: "till 1, Novosibirsk" },
  { login: "demo-pos-vvo-1", store: "VVO-01", description: "till 1, Vladivostok" },
] as const;

/** The demo's PharmApi pair, for the test-program preset's pharmacy (pharmacy_id test-pharmacy, pos_id test-pos). */
export const DEMO_PHARMAPI = { token: "demo-pharmapi-token", secret: "demo-pharmapi-secret" } as const;

/** Cabinet users of the demo, all with DEMO_PASSWORD; start-up prints them, production refuses them. */
export const DEMO_PASSWORD = "demo-password";
export const DEMO_USERS = [
  { email: "admin@demo.kopilka", role: "admin", description: "platform administrator: partners, every user" },
  { email: "owner@demo.kopilka", role: "owner", description: "owner of the demo chain: everything in it" },
  { email: "marketer@demo.kopilka", role: "marketer", description: "marketer: programs, rules, promo codes" },
] as const;

/**
 * A way into a demo database that anyone who read the README can use. Each demo that creates logins
 * (POS credentials here; cabinet users join the list the same way) describes them here, so that a
 * production start can refuse while any of them still opens the door, and say how to close it.
 */
export interface DemoCredential {
  /** What kind of login it is, for people: "POS credential", "cabinet user". */
  kind: string;
  login: string;
  secret: string;
  description: string;
  /** The command that switches it off. */
  disableCommand: string;
  /** Whether it can still be used: it exists, is enabled and still has the public demo secret. */
  isOpen(database: Database): Promise<boolean>;
}

/** Every demo login: the POS credentials and the cabinet users. */
export function demoCredentials(): DemoCredential[] {
  const credentials = DEMO_CREDENTIALS.map((c) => ({
    kind: "POS credential",
    login: c.login,
    secret: DEMO_SECRET,
    description: c.description,
    disableCommand: `kopilka credential:disable --login ${c.login}`,
    isOpen: (database: Database) => credentialAcceptsSecret(database.db, c.login, DEMO_SECRET),
  }));
  const users = DEMO_USERS.map((u) => ({
    kind: "cabinet user",
    login: u.email,
    secret: DEMO_PASSWORD,
    description: u.description,
    disableCommand: `kopilka user:reset-password --email ${u.email}`,
    isOpen: async (database: Database) => {
      const found = await findUserByEmail(database.db, u.email);
      if (!found?.user.enabled) return false;
      return verifySecret(DEMO_PASSWORD, found.passwordHash);
    },
  }));
  const pharmApi = {
    kind: "PharmApi credential",
    login: DEMO_PHARMAPI.token,
    secret: DEMO_PHARMAPI.secret,
    description: "token / secret of the PharmApi test program (pharmacy test-pharmacy, POS test-pos)",
    disableCommand: `kopilka pharmapi:disable --token ${DEMO_PHARMAPI.token}`,
    isOpen: (database: Database) =>
      pharmApiPairAccepted(database.db, DEMO_PHARMAPI.token, DEMO_PHARMAPI.secret),
  };
  return [...credentials, pharmApi, ...users];
}

/** The demo logins that still open the door, in the order of demoCredentials(). */
export async function openDemoCredentials(database: Database): Promise<DemoCredential[]> {
  const all = demoCredentials();
  const open = await Promise.all(all.map((c) => c.isOpen(database)));
  return all.filter((_, i) => open[i]);
}

const STORES = [
  {
    code: "MSK-01",
    name: "Аптека на Тверской",
    timezone: "Europe/Moscow",
    address: "Москва, Тверская ул., 7",
  },
  {
    code: "NSK-01",
    name: "Аптека на Красном",
    timezone: "Asia/Novosibirsk",
    address: "Новосибирск, Красный пр-т, 25",
  },
  {
    code: "VVO-01",
    name: "Аптека у моря",
    timezone: "Asia/Vladivostok",
    address: "Владивосток, Светланская ул., 10",
  },
];

const CATEGORIES = [
  "medicines",
  "medicines-rx",
  "vitamins",
  "cosmetics",
  "hygiene",
  "baby",
  "devices",
  "herbs",
];
const BRANDS = ["Здоровье", "Витамакс", "Натура", "Фармстандарт", "Эвалар", "Кидс", "Медтех", "Травы Алтая"];
const DEMO_CARD_COUNT = 10_000;
export const DEMO_FIRST_CARD = 2_000_000_000_001;

export function demoProducts(count: number): ProductInput[] {
  return Array.from({ length: count }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length]!;
    return {
      sku: `SKU-${String(i + 1).padStart(5, "0")}`,
      barcode: `460${String(1_000_000_000 + i).padStart(10, "0")}`,
      name: `${category} #${i + 1}`,
      category,
      brand: BRANDS[(i * 7) % BRANDS.length]!,
      manufacturer: `Manufacturer ${(i % 40) + 1}`,
      excludedFromPointsPayment: category === "medicines-rx",
      excludedFromAccrual: false,
      minPrice: category === "devices" ? 50_000 : 0,
    };
  });
}

export const DEMO_RULES: RuleDraft[] = [
  { name: "Базовое начисление 3%", kind: "accrual_percent", value: 300 },
  { name: "Золотой уровень: начисление 7%", kind: "accrual_percent", value: 700, levels: ["gold"] },
  { name: "Витамины −15%", kind: "discount_percent", value: 1500, scope: { categories: ["vitamins"] } },
  { name: "Эвалар −50 ₽ за упаковку", kind: "discount_fixed", value: 5000, scope: { brands: ["Эвалар"] } },
  { name: "Промокод ЗДОРОВЬЕ: −10% на всё", kind: "discount_percent", value: 1000, promoCode: "ЗДОРОВЬЕ" },
  {
    name: "Косметика: баллами не более 20%",
    kind: "points_payment_limit",
    value: 2000,
    scope: { categories: ["cosmetics"] },
  },
];

/** Loads the demo chain unless the database already has a partner. Returns whether it loaded. */
export async function loadDemoData(database: Database, now: number): Promise<boolean> {
  if (await hasPartners(database.db)) return false;
  const { db } = database;
  const partnerId = await createPartner(db, "demo", "Демо-аптеки", now);
  const storeIds = new Map<string, number>();
  for (const s of STORES) storeIds.set(s.code, await createStore(db, partnerId, s, now));
  for (const c of DEMO_CREDENTIALS) {
    await createPosCredential(
      db,
      partnerId,
      {
        login: c.login,
        secret: DEMO_SECRET,
        storeId: c.store ? storeIds.get(c.store)! : null,
        description: c.description,
      },
      now,
    );
  }
  for (const u of DEMO_USERS) {
    const user = await createUser(
      db,
      { email: u.email, password: DEMO_PASSWORD, platformAdmin: u.role === "admin" },
      now,
    );
    if (user && u.role !== "admin") await addMembership(db, user.id, partnerId, u.role, now);
  }
  const programId = await createProgram(
    db,
    partnerId,
    {
      code: "main",
      name: "Копилка Демо",
      holdDays: 14,
      cancelWindowMinutes: 30,
      maxPointsPaymentShareBp: 5000,
      pointsLifetimeDays: 365,
    },
    now,
  );
  await addRules(database, programId, DEMO_RULES, now);
  await upsertProducts(database, partnerId, demoProducts(1000), now);
  await seedCards(database, {
    partnerId,
    programId,
    count: DEMO_CARD_COUNT,
    firstNumber: DEMO_FIRST_CARD,
    // A spread of balances from 0 to 2,000 points, deterministic so the README's examples hold.
    balanceOf: (i) => ((i * 7919) % 2001) * 100,
    levelOf: (i) => (i % 10 === 0 ? "gold" : "base"),
    now,
  });
  // PharmApi's test program, as `kopilka pharmapi:preset` loads it, with the demo's public pair.
  await loadTestPreset(database, { now: () => now }, { partnerId, partnerCode: "demo", ...DEMO_PHARMAPI });
  return true;
}

export const DEMO_CARD_EXAMPLE = cardNumber(DEMO_FIRST_CARD + 1);
