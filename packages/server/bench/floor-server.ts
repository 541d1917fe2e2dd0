/**
 * Baseline (c), SQLite only: the floors of calculate and get_discount, the least work each must do, so
 * that their rates bound from above what the real server's could be on this machine (README, "Benchmark").
 * Each does the server's own reads with the server's statements and engines, and nothing a real call could
 * do without.
 *
 * Calculate's floor parses the bench's calculate request; reads the card, its balance and whether the
 * purchase id is taken (calculate's arrival read); prices the receipt with the bench's 200 rules through
 * the real rule engine (products from an in-process catalogue, as the server's product cache holds them);
 * queues one row of the priced lines for a write behind the answer, batched as the server's write-behind
 * batches; and returns the captured calculate answer as an object, serialized per request as the bare
 * route does. It does not validate, authenticate, log, check promo codes against the database, build the
 * answer from the result, or write a purchase with its indexes and its event.
 *
 * get_discount's floor parses the PharmApi request; reads the card and its live limit holds, and counts
 * them, with the limits module's statement and arithmetic; prices the lines with the bench's discount program through the real engine; commits
 * one row of the calculation and its transaction codes before answering (a get_discount's holds are never
 * written behind), in one soft transaction per turn of the event loop as the server's group commit does;
 * and returns a captured get_discount answer. It does not authenticate, look the pharmacy up, supersede
 * earlier calculations, or write a purchase, holds and codes as rows of their own.
 *
 * Run as a child process by run.ts. Env: PORT, PAYLOAD_FILE (a captured calculate answer), DB_FILE (the
 * bench database, read only), WRITE_FILE (a scratch database for the rows), PRODUCTS, and GET_DISCOUNT_FILE
 * (a captured get_discount answer) for get_discount's floor.
 */
import { readFileSync } from "node:fs";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import type { CardStatus } from "../src/core/engine/types.js";
import { compileDiscountProgram } from "../src/core/rules/discount-program.js";
import { compileRules } from "../src/core/rules/engine.js";
import { partsOf } from "../src/modules/discount-programs/definitions.js";
import { LIVE_HOLDS, type LiveHold, remainingByLimit } from "../src/modules/discount-programs/limits.js";
import { newTransactionCode } from "../src/modules/pharmapi/state.js";
import { ARRIVAL } from "../src/modules/purchases/pricing.js";
import { WRITE_LINGER_MS } from "../src/modules/purchases/write-behind.js";
import {
  BENCH_TERMS,
  benchCatalogue,
  benchRuleBodies,
  ruleDefinitionsOf,
  ruleLinesOf,
} from "./engine-fixtures.js";
import { PROGRAM, PROGRAM_CODE } from "./pharmapi.js";
import { BENCH_STORE } from "./seed.js";
import { BENCH_PARTNER } from "./target.js";

interface CalculateBody {
  purchaseId: string;
  storeCode: string;
  cardNumber: string;
  lines: { lineId: string; sku: string; quantity: number; price: number }[];
  promoCodes?: string[];
}

interface GetDiscountBody {
  card_number: string;
  orders: { barcode: string; count: number; price: number }[];
}

interface ArrivalRow {
  id: number;
  status: CardStatus;
  level: string | null;
  active: number | null;
  purchase_taken: number;
}

const env = process.env;
const productCount = Number(env.PRODUCTS);

// The server's hot-path reader (infra/db/database.ts, openReader): its own page cache, committed data only.
const reader = new SQLite(env.DB_FILE ?? "", { fileMustExist: true });
reader.pragma("query_only = true");
reader.pragma("busy_timeout = 5000");
reader.pragma("cache_size = -8192");
const partner = reader
  .prepare<[string], { id: number }>("select id from partners where code = ?")
  .get(BENCH_PARTNER);
if (!partner) throw new Error(`no partner ${BENCH_PARTNER} in ${env.DB_FILE}`);
const partnerId = partner.id;
const store = reader
  .prepare<[number, string], { timezone: string }>(
    "select timezone from stores where partner_id = ? and code = ?",
  )
  .get(partnerId, BENCH_STORE);
if (!store) throw new Error(`no store ${BENCH_STORE}`);
const storeFacts = { code: BENCH_STORE, partner: BENCH_PARTNER, timeZone: store.timezone };

const writer = new SQLite(env.WRITE_FILE ?? "");
writer.pragma("journal_mode = WAL");
writer.pragma("synchronous = NORMAL");

/** Rows inserted in one transaction per batch: `schedule` decides when a batch is written. */
function batchWriter<Row extends unknown[]>(insertText: string, schedule: (write: () => void) => void) {
  const insert = writer.prepare<Row>(insertText);
  const insertAll = writer.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row);
  });
  let rows: Row[] = [];
  let written: Promise<void> | null = null;
  /** Queues a row; the promise resolves once its batch is committed. */
  return (row: Row): Promise<void> => {
    rows.push(row);
    written ??= new Promise<void>((resolve) =>
      schedule(() => {
        const batch = rows;
        rows = [];
        written = null;
        insertAll(batch);
        resolve();
      }),
    );
    return written;
  };
}

const app = Fastify({ logger: false });
installCalculateFloor(JSON.parse(readFileSync(env.PAYLOAD_FILE ?? "", "utf8")) as object);
if (env.GET_DISCOUNT_FILE) installGetDiscountFloor(JSON.parse(readFileSync(env.GET_DISCOUNT_FILE, "utf8")));
app.get("/ready", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(env.PORT) });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));

function installCalculateFloor(answer: object): void {
  const rulesEngine = compileRules(ruleDefinitionsOf(benchRuleBodies(productCount)), BENCH_TERMS);
  const catalogue = benchCatalogue(productCount);
  const readArrival = reader.prepare<[number, string, number, string], ArrivalRow>(ARRIVAL);
  writer.exec(
    "create table if not exists floor_calculations (id integer primary key, external_id text not null, card_id integer, lines text not null, total integer not null, created_at integer not null)",
  );
  // Written behind the answer, as the write-behind does: not awaited.
  const writeBehind = batchWriter<[string, number | null, string, number, number]>(
    "insert into floor_calculations (external_id, card_id, lines, total, created_at) values (?, ?, ?, ?, ?)",
    (write) => setTimeout(write, WRITE_LINGER_MS),
  );
  app.post<{ Body: CalculateBody }>("/v1/purchases/calculate", async (request) => {
    const body = request.body;
    const card = readArrival.get(partnerId, body.purchaseId, partnerId, body.cardNumber);
    const now = Date.now();
    const evaluation = rulesEngine.evaluate({
      now,
      store: storeFacts,
      lines: ruleLinesOf(body.lines, catalogue),
      card: card ? { status: card.status, level: card.level } : null,
      client: null,
      promoCodes: body.promoCodes ?? [],
      pointsPayment: false,
    });
    const lines = evaluation.lines.map((l) => `${l.lineId}:${l.amount}:${l.discount}:${l.accrual}`).join(";");
    void writeBehind([body.purchaseId, card?.id ?? null, lines, evaluation.total, now]);
    return answer;
  });
}

function installGetDiscountFloor(answer: object): void {
  const program = reader
    .prepare<[number, string], { id: number }>("select id from programs where partner_id = ? and code = ?")
    .get(partnerId, PROGRAM_CODE);
  if (!program) throw new Error(`no discount program ${PROGRAM_CODE}`);
  const definition = { code: PROGRAM_CODE, version: 1, ...partsOf(PROGRAM).definition };
  const discountProgram = { definition, engine: compileDiscountProgram(definition) };
  const readCard = reader.prepare<[number, string], { id: number }>(
    "select id from cards where partner_id = ? and number = ?",
  );
  const readLiveHolds = reader.prepare<[number, string, number], LiveHold>(LIVE_HOLDS);
  writer.exec(
    "create table if not exists floor_discount_calculations (id integer primary key, card_number text not null, card_id integer, codes text not null, discount integer not null, created_at integer not null)",
  );
  // Committed before the answer, one soft transaction per turn of the event loop (the group commit's way).
  const commitInTurn = batchWriter<[string, number | null, string, number, number]>(
    "insert into floor_discount_calculations (card_number, card_id, codes, discount, created_at) values (?, ?, ?, ?, ?)",
    (write) => setImmediate(write),
  );
  app.post<{ Body: GetDiscountBody }>("/api/v1.1/get_discount", async (request, reply) => {
    const body = request.body;
    const now = Date.now();
    const card = readCard.get(partnerId, body.card_number);
    const holds = readLiveHolds.all(program.id, body.card_number, now);
    const evaluation = discountProgram.engine.evaluate({
      now,
      store: storeFacts,
      lines: body.orders.map((o, i) => ({
        lineId: String(i + 1),
        barcode: o.barcode,
        quantity: Math.round(o.count * 1000),
        unitPrice: Math.round(o.price * 100),
      })),
      limits: remainingByLimit(discountProgram, holds, now, storeFacts.timeZone),
    });
    const codes = evaluation.lines
      .filter((l) => l.discount > 0)
      .map((l) => `${l.lineId}:${newTransactionCode(now)}`)
      .join(";");
    await commitInTurn([body.card_number, card?.id ?? null, codes, evaluation.discountTotal, now]);
    return reply.type("application/json").send(answer);
  });
}
