/**
 * Where a calculate and a confirm spend their time, measured in one process with no network and no load
 * generator: each stage alone (µs per call), and every SQL statement the server runs (prepare and
 * execute time, counted by wrapping better-sqlite3).
 *
 *   BENCH_DB=/path/seeded.db node build/bench/micro.js [iterations]
 *
 * The database must have been seeded by `npm run bench` with BENCH_DB set (it is written to: purchases).
 */
import { existsSync } from "node:fs";
import { PurchaseViewSchema } from "@kopilka/contract";
import SQLite from "better-sqlite3";
import fastJson from "fast-json-stringify";
import Fastify from "fastify";
import type { AppContext } from "../src/app/context.js";
import { buildServer } from "../src/app/server.js";
import { loadConfig } from "../src/infra/config.js";
import { openDatabase } from "../src/infra/db/database.js";
import { createLogger } from "../src/infra/logger.js";
import { systemClock } from "../src/kernel/index.js";
import { findCard } from "../src/modules/cards/index.js";
import { findProducts } from "../src/modules/catalog/index.js";
import { cardNumber } from "../src/modules/demo/index.js";
import { ProgramCatalog } from "../src/modules/programs/index.js";
import { canonicalHash } from "../src/modules/purchases/index.js";
import { getDiscountWorkload, preparePharmApi } from "./pharmapi.js";
import {
  BENCH_LOGIN,
  BENCH_SECRET,
  BENCH_STORE,
  FIRST_CARD,
  RULES2000_FIRST_CARD,
  rng,
  rules2000PromoCodes,
  skuOf,
} from "./seed.js";
import { BENCH_PARTNER } from "./target.js";
import { BenchWorkload } from "./workload.js";

// ---- SQL accounting: wrap prepare and the statement methods before anything opens the database.
interface SqlStat {
  count: number;
  prepareNs: number;
  execNs: number;
}
const sqlStats = new Map<string, SqlStat>();
let accounting = false;
const statOf = (sql: string) => {
  let s = sqlStats.get(sql);
  if (!s) {
    s = { count: 0, prepareNs: 0, execNs: 0 };
    sqlStats.set(sql, s);
  }
  return s;
};
const proto = SQLite.prototype as unknown as {
  prepare: (sql: string) => unknown;
  pragma: (s: string) => unknown;
};
const originalPrepare = proto.prepare;
const sqlOf = new WeakMap<object, string>();
proto.prepare = function (this: unknown, sql: string) {
  const t = process.hrtime.bigint();
  const stmt = originalPrepare.call(this, sql) as object;
  if (accounting) {
    const s = statOf(sql);
    s.prepareNs += Number(process.hrtime.bigint() - t);
  }
  sqlOf.set(stmt, sql);
  return stmt;
};
const originalPragma = proto.pragma;
proto.pragma = function (this: unknown, source: string) {
  const t = process.hrtime.bigint();
  const result = originalPragma.call(this, source);
  if (accounting) {
    const s = statOf(`pragma ${source}`);
    s.count++;
    s.execNs += Number(process.hrtime.bigint() - t);
  }
  return result;
};
{
  const probe = new SQLite(":memory:");
  const statementProto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  for (const method of ["all", "run", "get"]) {
    const original = statementProto[method]!;
    statementProto[method] = function (this: object, ...args: unknown[]) {
      const t = process.hrtime.bigint();
      const result = original.apply(this, args);
      if (accounting) {
        const s = statOf(sqlOf.get(this) ?? "(prepared before sqlOf was set)");
        s.count++;
        s.execNs += Number(process.hrtime.bigint() - t);
      }
      return result;
    };
  }
  probe.close();
}

const path = process.env.BENCH_DB;
if (!path || !existsSync(path)) {
  process.stderr.write("set BENCH_DB to a database seeded by `BENCH_DB=... npm run bench`\n");
  process.exit(2);
}
const iterations = Number(process.argv[2] ?? 2000);
/** Only stages whose name contains this run (for a CPU profile of one stage). */
const only = process.argv[3] ?? "";
const random = rng(99);
const runId = Math.random().toString(36).slice(2, 8);

const config = loadConfig({
  DATABASE_URL: `sqlite:${path}`,
  LOG_LEVEL: "warn",
  SWEEPER_INTERVAL_MS: "0",
  DEMO_DATA: "false",
});
// Checkpoints on a worker thread, as the server runs them (cli/serve.ts): on the committing connection they
// would be counted in the commits' time.
const database = openDatabase(config.databaseUrl, {
  walCheckpoints: {
    intervalMs: config.sqliteCheckpointIntervalMs,
    onCheckpoint: () => {},
    onError: () => {},
  },
});
const ctx: AppContext = { config, database, logger: createLogger("warn"), clock: systemClock };
const { app, services } = await buildServer(ctx);
const { purchases } = services;
await app.ready();

const tokenRes = await app.inject({
  method: "POST",
  url: "/v1/auth/token",
  payload: { login: BENCH_LOGIN, secret: BENCH_SECRET },
});
const token = (tokenRes.json() as { accessToken: string }).accessToken;
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
const principal = { credentialId: 1, partnerId: 1, storeId: 1, login: BENCH_LOGIN };
/** Cards numbered from `first` up to, not including, `end` (each bench program's cards have a range). */
const cardsBetween = async (first: number, end: number) =>
  Number(
    (
      await database.db
        .selectFrom("cards")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("number", ">=", cardNumber(first))
        .where("number", "<", cardNumber(end))
        .executeTakeFirstOrThrow()
    ).n,
  );
const cards = await cardsBetween(FIRST_CARD, RULES2000_FIRST_CARD);
const products = (
  await database.db
    .selectFrom("products")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow()
).n;
const program = (await database.db.selectFrom("programs").select("id").executeTakeFirstOrThrow()).id;

let seq = 0;
const receipt = () => {
  const picked = new Set<number>();
  while (picked.size < 10) picked.add(Math.floor(random() * Number(products)));
  return {
    purchaseId: `m${runId}-${++seq}`,
    storeCode: BENCH_STORE,
    posCode: "POS-M",
    cardNumber: cardNumber(FIRST_CARD + Math.floor(random() * cards)),
    lines: [...picked].map((p, i) => ({
      lineId: String(i + 1),
      sku: skuOf(p),
      quantity: 1000 + (i % 3) * 1000,
      price: 12_900 + i * 10_000,
    })),
  };
};

interface StageResult {
  stage: string;
  usPerCall: number;
  cpuUsPerCall: number;
}
const stages: StageResult[] = [];
async function stage(name: string, n: number, fn: (i: number) => unknown): Promise<void> {
  if (!name.includes(only)) return;
  // Warm-up calls get the indices after the measured ones.
  for (let i = 0; i < Math.min(200, n); i++) await fn(n + i);
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t) * 1000) / n;
  const cpu = process.cpuUsage(cpu0);
  // CPU of this process per call (user + system): what a request costs without waiting for the disk.
  const cpuUs = (cpu.user + cpu.system) / n;
  stages.push({ stage: name, usPerCall: us, cpuUsPerCall: cpuUs });
  // The window (seconds since the process started) lets profile-summary --from/--to isolate the stage.
  const window = `[${(t / 1000).toFixed(1)}–${(performance.now() / 1000).toFixed(1)} s]`;
  process.stdout.write(
    `${name.padEnd(66)} ${us.toFixed(1).padStart(8)} µs  cpu ${cpuUs.toFixed(1).padStart(8)} µs  ${window}\n`,
  );
}

const catalog = new ProgramCatalog(database, systemClock);
const loaded = (await catalog.get(program))!;
const bodies = Array.from({ length: 512 }, receipt);
const sample = bodies[0]!;
const found = await findProducts(
  database.db,
  1,
  sample.lines.map((l) => l.sku),
  [],
);
const engineInput = {
  now: Date.now(),
  store: { code: BENCH_STORE, partner: "bench", timeZone: "Europe/Moscow" },
  lines: sample.lines.map((l) => ({
    lineId: l.lineId,
    product: found.bySku.get(l.sku) ?? null,
    barcode: null,
    quantity: l.quantity,
    unitPrice: l.price,
    amount: Math.round((l.price * l.quantity) / 1000),
  })),
  card: { status: "active" as const, level: "silver" },
  promoCodes: [],
};

process.stdout.write(`\n${iterations} iterations per stage; ${cards} cards, ${products} products\n\n`);
await stage("engine.evaluate (200 rules, 10 lines)", iterations * 5, () =>
  loaded.engine.evaluate(engineInput),
);
await stage("canonicalHash(request)", iterations * 5, (i) => canonicalHash(bodies[i % bodies.length]));
await stage("findCard (kysely + sqlite)", iterations, () => findCard(database.db, 1, sample.cardNumber));
await stage("findProducts, 10 SKUs (kysely + sqlite)", iterations, (i) =>
  findProducts(
    database.db,
    1,
    bodies[i % bodies.length]!.lines.map((l) => l.sku),
    [],
  ),
);
{
  const raw = new SQLite(path, { readonly: true });
  const stmt = raw.prepare(
    `select "sku", "barcode", "category", "brand", "manufacturer", "excluded_from_points_payment", "excluded_from_accrual", "min_price" from "products" where "partner_id" = ? and ("sku" in (?, ?, ?, ?, ?, ?, ?, ?, ?, ?))`,
  );
  await stage("  same products query, raw better-sqlite3, prepared once", iterations, (i) =>
    stmt.all(1, ...bodies[i % bodies.length]!.lines.map((l) => l.sku)),
  );
  const cardStmt = raw.prepare(
    `select "id", "partner_id", "program_id", "number", "status", "level", "virtual" from "cards" where "partner_id" = ? and "number" = ?`,
  );
  await stage("  same card query, raw better-sqlite3, prepared once", iterations, () =>
    cardStmt.get(1, sample.cardNumber),
  );
  raw.close();
}
await stage("kysely: compile the products query only", iterations, (i) =>
  database.db
    .selectFrom("products")
    .select([
      "sku",
      "barcode",
      "category",
      "brand",
      "manufacturer",
      "excluded_from_points_payment",
      "excluded_from_accrual",
      "min_price",
    ])
    .where("partner_id", "=", 1)
    .where(
      "sku",
      "in",
      bodies[i % bodies.length]!.lines.map((l) => l.sku),
    )
    .compile(),
);
await stage("empty non-durable transaction (database.transaction durable:false)", iterations, () =>
  database.transaction(async () => undefined, { durable: false }),
);
await stage("empty durable transaction", Math.min(iterations, 300), () =>
  database.transaction(async () => undefined),
);

{
  // The HTTP layer alone: a bare route, the same route with the view's response schema, the serializer.
  const view = await purchases.calculate(principal, receipt());
  const bare = Fastify({ logger: false });
  bare.post("/plain", async () => view);
  bare.post("/schema", { schema: { response: { 200: PurchaseViewSchema } } }, async () => view);
  await bare.ready();
  const payload = JSON.stringify(sample);
  await stage("bare Fastify inject, same body and view, no schema", iterations, () =>
    bare.inject({ method: "POST", url: "/plain", headers, payload }),
  );
  await stage("bare Fastify inject, with PurchaseViewSchema response schema", iterations, () =>
    bare.inject({ method: "POST", url: "/schema", headers, payload }),
  );
  const serialize = fastJson(PurchaseViewSchema as object);
  await stage("fast-json-stringify(PurchaseViewSchema)(view)", iterations * 5, () => serialize(view));
  await stage("JSON.stringify(view)", iterations * 5, () => JSON.stringify(view));
  await stage("kopilka app: GET /health/live (hooks, metrics)", iterations, () =>
    app.inject({ method: "GET", url: "/health/live" }),
  );
  await bare.close();
}

{
  // The floor: the same rows written with better-sqlite3 directly, statements prepared once, one
  // transaction each, no query builder. What the SQL of a calculate and a confirm costs at least.
  const raw = new SQLite(path);
  raw.pragma("journal_mode = WAL");
  raw.pragma("foreign_keys = ON");
  raw.pragma("cache_size = -65536");
  const storedReceipt = (
    raw.prepare("select receipt from purchases where card_id is not null limit 1").get() as {
      receipt: string;
    }
  ).receipt;
  const confirmResponse = `${storedReceipt}${storedReceipt.slice(0, 1200)}`;
  const cardQ = raw.prepare(
    `select c.id, c.program_id, c.status, c.level, a.active, a.pending, a.held from cards c join points_accounts a on a.card_id = c.id where c.partner_id = ? and c.number = ?`,
  );
  const productsQ = raw.prepare(
    `select sku, barcode, category, brand, manufacturer, excluded_from_points_payment, excluded_from_accrual, min_price from products where partner_id = ? and sku in (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertPurchase = raw.prepare(
    `insert into purchases (partner_id, external_id, program_id, store_id, pos_code, card_id, state, request_hash, receipt, subtotal, discount_total, total, points_limit, points_accrued, expires_at, created_at, updated_at) values (1, ?, ?, 1, 'POS-M', ?, 'calculated', 'hash', ?, 100000, 5000, 95000, 47500, 2850, ?, ?, ?) on conflict (partner_id, external_id) do nothing`,
  );
  const insertEvent = raw.prepare(
    `insert into purchase_events (purchase_id, kind, data, created_at) values (?, ?, ?, ?)`,
  );
  const calculateTx = raw.transaction((id: string, card: { id: number; program_id: number }, now: number) => {
    const r = insertPurchase.run(id, card.program_id, card.id, storedReceipt, now + 1_800_000, now, now);
    insertEvent.run(r.lastInsertRowid, "calculated", '{"total":95000,"lines":10}', now);
    return { purchaseId: Number(r.lastInsertRowid), cardId: card.id };
  });
  const floorCalculated: { purchaseId: number; cardId: number }[] = [];
  raw.pragma("synchronous = NORMAL");
  await stage("floor: calculate SQL, raw better-sqlite3, prepared (sync NORMAL)", iterations, (i) => {
    const body = bodies[i % bodies.length]!;
    const card = cardQ.get(1, cardNumber(FIRST_CARD + Math.floor(random() * cards))) as {
      id: number;
      program_id: number;
    };
    productsQ.all(1, ...body.lines.map((l) => l.sku));
    floorCalculated.push(calculateTx(`f${runId}-${i}-${seq++}`, card, Date.now()));
  });
  const lockPurchase = raw.prepare("select * from purchases where id = ?");
  const lockAccount = raw.prepare(
    "select card_id, active, pending, held from points_accounts where card_id = ?",
  );
  const confirmPurchase = raw.prepare(
    "update purchases set state = 'confirmed', confirmed_at = ?, accrual_lot_id = ?, confirm_hash = 'h', confirm_response = ?, updated_at = ? where id = ?",
  );
  const insertLot = raw.prepare(
    "insert into points_lots (account_id, state, amount, remaining, active_from, expires_at, created_at) values (?, 'pending', 2850, 2850, ?, ?, ?)",
  );
  const insertEntry = raw.prepare(
    "insert into ledger_entries (account_id, kind, active_delta, pending_delta, purchase_id, refund_id, lot_id, note, created_at) values (?, 'accrual', 0, 2850, ?, null, ?, null, ?)",
  );
  const saveAccount = raw.prepare(
    "update points_accounts set pending = pending + 2850, updated_at = ? where card_id = ?",
  );
  const confirmTx = raw.transaction((p: { purchaseId: number; cardId: number }, now: number) => {
    lockPurchase.get(p.purchaseId);
    lockAccount.get(p.cardId);
    const lot = insertLot.run(p.cardId, now + 14 * 86_400_000, now + 379 * 86_400_000, now);
    insertEntry.run(p.cardId, p.purchaseId, lot.lastInsertRowid, now);
    saveAccount.run(now, p.cardId);
    confirmPurchase.run(now, lot.lastInsertRowid, confirmResponse, now, p.purchaseId);
    insertEvent.run(p.purchaseId, "confirmed", '{"accrued":2850,"spent":0}', now);
  });
  raw.pragma("synchronous = FULL");
  const confirmFloorN = Math.max(0, Math.min(floorCalculated.length - 200, iterations));
  await stage("floor: confirm SQL, raw better-sqlite3, prepared (durable, FULL)", confirmFloorN, (i) =>
    confirmTx(floorCalculated[i]!, Date.now()),
  );
  const insertOne = raw.prepare("insert into server_settings (key, value) values (?, 'x')");
  await stage("floor: one durable single-row insert (the confirm baseline's work)", confirmFloorN, (i) =>
    insertOne.run(`micro-${runId}-${i}`),
  );
  raw.prepare("delete from server_settings where key like 'micro-%'").run();
  raw.close();
}

accounting = true;
const calcIds: string[] = [];
await stage("PurchaseService.calculate (no HTTP)", iterations, async () => {
  const body = receipt();
  calcIds.push(body.purchaseId);
  await purchases.calculate(principal, body);
});
const calcSql = new Map(sqlStats);
sqlStats.clear();
await stage("HTTP calculate via app.inject (validation, auth, serialization)", iterations, async () => {
  const body = receipt();
  calcIds.push(body.purchaseId);
  const res = await app.inject({
    method: "POST",
    url: "/v1/purchases/calculate",
    headers,
    payload: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`calculate ${res.statusCode} ${res.body}`);
});
// The bench's two calculate phases, same workload over the 200- and the 2,000-rule program, interleaved:
// their difference is what the rules2000 bar measures.
const cards2000 = await cardsBetween(RULES2000_FIRST_CARD, RULES2000_FIRST_CARD + 10_000_000);
if (cards2000 > 0) {
  const sizes = { cards: Math.min(cards, cards2000), products: Number(products) };
  const workloads = {
    "200": new BenchWorkload(sizes, `w2-${runId}`),
    "2000": new BenchWorkload(sizes, `w20-${runId}`, {
      firstCard: RULES2000_FIRST_CARD,
      promoCodes: rules2000PromoCodes(sizes.products),
    }),
  };
  for (let round = 0; round < 3; round++)
    for (const [rules, workload] of Object.entries(workloads))
      await stage(
        `HTTP calculate, bench workload, ${rules} rules (round ${round + 1})`,
        iterations,
        async () => {
          const res = await app.inject({
            method: "POST",
            url: "/v1/purchases/calculate",
            headers,
            payload: workload.calculateBody(workload.newPurchaseId()),
          });
          if (res.statusCode !== 200) throw new Error(`calculate ${res.statusCode} ${res.body}`);
        },
      );
}
sqlStats.clear();
const confirmN = Math.max(0, Math.min(calcIds.length - 200, iterations));
await stage("PurchaseService.confirm (no HTTP, durable)", confirmN, async (i) => {
  await purchases.confirm(principal, calcIds[i]!, {});
});
const confirmSql = new Map(sqlStats);
sqlStats.clear();
// PharmApi get_discount, as the bench sends it (bench/pharmapi.ts prepared its program and credential).
await preparePharmApi(database, BENCH_PARTNER);
const discountWorkload = getDiscountWorkload(Date.now());
await stage("HTTP PharmApi get_discount via app.inject", iterations, async () => {
  const next = discountWorkload.next();
  const res = await app.inject({
    method: "POST",
    url: next.path,
    headers: discountWorkload.headers,
    payload: next.body,
  });
  if (res.statusCode !== 200) throw new Error(`get_discount ${res.statusCode} ${res.body}`);
});
const discountSql = new Map(sqlStats);
accounting = false;

function printSql(title: string, stats: Map<string, SqlStat>, calls: number): void {
  process.stdout.write(`\n${title} — per call: executions, prepare µs, execute µs\n`);
  let prep = 0;
  let exec = 0;
  for (const [sql, s] of [...stats].sort(
    (a, b) => b[1].prepareNs + b[1].execNs - (a[1].prepareNs + a[1].execNs),
  )) {
    prep += s.prepareNs;
    exec += s.execNs;
    process.stdout.write(
      `${(s.count / calls).toFixed(2).padStart(5)}  ${(s.prepareNs / calls / 1000).toFixed(1).padStart(7)}  ${(s.execNs / calls / 1000).toFixed(1).padStart(8)}  ${sql.replace(/\s+/g, " ").slice(0, 150)}\n`,
    );
  }
  process.stdout.write(
    `total prepare ${(prep / calls / 1000).toFixed(1)} µs, execute ${(exec / calls / 1000).toFixed(1)} µs per call\n`,
  );
}
// The calculate figures include the 200 warm-up calls.
printSql("SQL of PurchaseService.calculate", calcSql, iterations + Math.min(200, iterations));
printSql("SQL of PurchaseService.confirm", confirmSql, confirmN + Math.min(200, confirmN));
printSql("SQL of PharmApi get_discount", discountSql, iterations);

await app.close();
await database.close();
