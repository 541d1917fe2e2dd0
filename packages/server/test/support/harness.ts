/**
 * An in-process Kopilka on a scratch database, with a movable clock and a seeded partner. Tests talk to it
 * through app.inject (full HTTP pipeline: parsing, validation, auth, serialization) or, where real
 * sockets matter, through listen().
 */
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import type { AppContext } from "../../src/app/context.js";
import { buildServer, type Server } from "../../src/app/server.js";
import { type Config, loadConfig } from "../../src/infra/config.js";
import { type Database, openDatabase } from "../../src/infra/db/database.js";
import { migrateToLatest } from "../../src/infra/db/migrate.js";
import type { Clock } from "../../src/kernel/index.js";
import { createPosCredential } from "../../src/modules/auth/index.js";
import { upsertCards } from "../../src/modules/cards/index.js";
import { upsertProducts } from "../../src/modules/catalog/index.js";
import { createPartner } from "../../src/modules/partners/index.js";
import { credit, lockAccount, verifyLedger } from "../../src/modules/points/index.js";
import type { RuleDraft } from "../../src/modules/programs/index.js";
import { addRules, createProgram, type ProgramInput } from "../../src/modules/programs/index.js";
import { createStore } from "../../src/modules/stores/index.js";
import { type ScratchDatabase, scratchDatabase } from "./databases.js";

export class TestClock implements Clock {
  constructor(private t = Date.UTC(2026, 10, 20, 9, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestApp {
  server: Server;
  database: Database;
  clock: TestClock;
  config: Config;
  scratch: ScratchDatabase;
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const scratch = await scratchDatabase();
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    LOG_LEVEL: "silent",
    DEMO_DATA: "false",
    PII_KEY: TEST_PII_KEY,
    // The test shares this process's event loop with the server and blocks it at will (seeding, direct
    // queries): load shedding is tested on its own (test/http/overload.test.ts).
    OVERLOAD_MAX_LOOP_DELAY_MS: "0",
    OVERLOAD_MAX_IN_FLIGHT: "0",
    OVERLOAD_MAX_QUEUE_MS: "0",
    ...env,
  });
  // The server's own setting (SQLITE_SOFT_WRITE_THREAD, also taken from the test run's environment).
  const database = openDatabase(config.databaseUrl, {
    poolSize: 20,
    ...((config.sqliteSoftWriteThread || process.env.SQLITE_SOFT_WRITE_THREAD === "true") && {
      softWriteThread: {},
    }),
  });
  await migrateToLatest(database);
  const clock = new TestClock();
  const ctx: AppContext = { config, database, clock, logger: pino({ level: "silent" }) };
  const server = await buildServer(ctx);
  await server.app.ready();
  // A calculation is answered before it is written (write-behind): tests that read the tables right after
  // an answer see what the server answered once its writes have landed, as a till a moment later would.
  const inject = server.app.inject.bind(server.app);
  server.app.inject = (async (options: InjectOptions | string) => {
    const response = await inject(options);
    await server.services.purchases.settled();
    return response;
  }) as unknown as typeof server.app.inject;
  return {
    server,
    database,
    clock,
    config,
    scratch,
    async close() {
      await server.app.close();
      await database.close();
      await scratch.drop();
    },
  };
}

export const SECRET = "test-secret-value";
/** The personal-data key of in-process test servers (so no key file is written). */
export const TEST_PII_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

export interface SeededPartner {
  code: string;
  partnerId: number;
  programId: number;
  storeCodes: [string, string];
  storeIds: [number, number];
  /** Unbound credential (accounting system) and one bound to the first store. */
  logins: { any: string; store: string };
  tokens: { any: string; store: string };
  cards: { rich: string; poor: string; blocked: string; accrualOnly: string; gold: string };
}

export const DEFAULT_RULES: RuleDraft[] = [
  { name: "accrual 5%", kind: "accrual_percent", value: 500 },
  { name: "gold accrual 10%", kind: "accrual_percent", value: 1000, levels: ["gold"] },
  { name: "vitamins -10%", kind: "discount_percent", value: 1000, scope: { categories: ["vitamins"] } },
  { name: "brand X 30 rub off", kind: "discount_fixed", value: 3000, scope: { brands: ["X"] } },
  { name: "promo SALE -20%", kind: "discount_percent", value: 2000, promoCode: "SALE" },
];

export interface SeedOptions {
  code?: string;
  program?: Partial<ProgramInput>;
  rules?: RuleDraft[];
  /** Opening balance of the "rich" card, hundredths. */
  richBalance?: number;
}

/** A partner with two stores, two credentials, a program, products P1…P5 and five cards. */
export async function seedPartner(t: TestApp, options: SeedOptions = {}): Promise<SeededPartner> {
  const code = options.code ?? "acme";
  const now = t.clock.now();
  const { db } = t.database;
  const partnerId = await createPartner(db, code, `Partner ${code}`, now);
  const storeCodes: [string, string] = [`${code}-S1`, `${code}-S2`];
  const storeIds: [number, number] = [
    await createStore(db, partnerId, { code: storeCodes[0], name: "one", timezone: "Europe/Moscow" }, now),
    await createStore(db, partnerId, { code: storeCodes[1], name: "two", timezone: "Asia/Vladivostok" }, now),
  ];
  const logins = { any: `${code}-accounting`, store: `${code}-pos-1` };
  await createPosCredential(db, partnerId, { login: logins.any, secret: SECRET }, now);
  await createPosCredential(
    db,
    partnerId,
    { login: logins.store, secret: SECRET, storeId: storeIds[0] },
    now,
  );
  const programId = await createProgram(
    db,
    partnerId,
    {
      code: "main",
      name: "Main",
      holdDays: 0,
      cancelWindowMinutes: 30,
      maxPointsPaymentShareBp: 5000,
      ...options.program,
    },
    now,
  );
  await addRules(t.database, programId, options.rules ?? DEFAULT_RULES, now);
  await upsertProducts(
    t.database,
    partnerId,
    [
      { sku: "P1", barcode: "4600000000011", name: "Aspirin", category: "medicines", brand: "A" },
      { sku: "P2", barcode: "4600000000028", name: "Vitamin C", category: "vitamins", brand: "B" },
      { sku: "P3", barcode: "4600000000035", name: "Brand X cream", category: "cosmetics", brand: "X" },
      {
        sku: "P4",
        barcode: "4600000000042",
        name: "Rx drug",
        category: "rx",
        brand: "C",
        excludedFromPointsPayment: true,
      },
      {
        sku: "P5",
        barcode: "4600000000059",
        name: "Thermometer",
        category: "devices",
        brand: "D",
        minPrice: 40_000,
      },
    ],
    now,
  );
  const cards = {
    rich: `${code}-1001`,
    poor: `${code}-1002`,
    blocked: `${code}-1003`,
    accrualOnly: `${code}-1004`,
    gold: `${code}-1005`,
  };
  await upsertCards(
    t.database,
    partnerId,
    programId,
    [
      { number: cards.rich },
      { number: cards.poor },
      { number: cards.blocked, status: "blocked" },
      { number: cards.accrualOnly, status: "accrual_only" },
      { number: cards.gold, level: "gold" },
    ],
    now,
  );
  const rich = await db
    .selectFrom("cards")
    .select("id")
    .where("number", "=", cards.rich)
    .executeTakeFirstOrThrow();
  await t.database.transaction(async (trx) => {
    const account = await lockAccount(t.database, trx, rich.id);
    await credit(trx, account, options.richBalance ?? 100_000, "adjustment", null, {
      now,
      note: "test opening balance",
    });
  });
  const tokens = { any: await tokenFor(t, logins.any), store: await tokenFor(t, logins.store) };
  return { code, partnerId, programId, storeCodes, storeIds, logins, tokens, cards };
}

export async function tokenFor(t: TestApp, login: string, secret = SECRET): Promise<string> {
  const res = await t.server.app.inject({
    method: "POST",
    url: "/v1/auth/token",
    payload: { login, secret },
  });
  if (res.statusCode !== 200) throw new Error(`token for ${login}: ${res.statusCode} ${res.body}`);
  return res.json().accessToken as string;
}

export interface CallOptions {
  token?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

export async function call(
  t: TestApp,
  method: "GET" | "POST" | "PUT",
  url: string,
  options: CallOptions = {},
): Promise<LightMyRequestResponse> {
  return t.server.app.inject({
    method,
    url,
    ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
  });
}

export function receipt(p: SeededPartner, purchaseId: string, extra: Record<string, unknown> = {}) {
  return {
    purchaseId,
    storeCode: p.storeCodes[0],
    posCode: "POS-1",
    cardNumber: p.cards.rich,
    lines: [
      { lineId: "1", sku: "P1", quantity: 2000, price: 15_000 },
      { lineId: "2", barcode: "4600000000028", quantity: 1000, price: 50_000 },
      { lineId: "3", sku: "P3", quantity: 1500, price: 20_000 },
    ],
    ...extra,
  };
}

/** Every balance equals its ledger, holds and lots; fails the test with the violations otherwise. */
export async function expectLedgerBalanced(t: TestApp): Promise<void> {
  const violations = await verifyLedger(t.database);
  if (violations.length > 0) throw new Error(`ledger violations: ${JSON.stringify(violations, null, 2)}`);
}

/** Row counts of the tables a purchase call writes, to prove a refused call wrote nothing. */
export async function writeCounts(t: TestApp): Promise<Record<string, number>> {
  await t.server.services.purchases.settled();
  const tables = [
    "purchases",
    "purchase_events",
    "refunds",
    "ledger_entries",
    "points_lots",
    "products",
    "cards",
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const balances = await t.database.db
    .selectFrom("points_accounts")
    .select((eb) => [
      eb.fn.sum<number>("active").as("a"),
      eb.fn.sum<number>("held").as("h"),
      eb.fn.sum<number>("pending").as("p"),
    ])
    .executeTakeFirstOrThrow();
  counts.active = Number(balances.a);
  counts.held = Number(balances.h);
  counts.pending = Number(balances.p);
  return counts;
}
