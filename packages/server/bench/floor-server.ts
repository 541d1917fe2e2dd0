/**
 * Baseline (c), SQLite only: calculate's floor, the least work a calculate can do. A Fastify route parses
 * the bench's calculate request, reads its card and points account from the bench database (one prepared
 * statement), prices the receipt with the bench's 200 rules compiled by the real engine (products from an
 * in-process catalogue), queues one row of the priced lines that a write behind the answer inserts (one
 * transaction per turn of the event loop, no fsync, into a table with no index but its key), and returns
 * the captured calculate response, as the bare route does.
 *
 * Nothing else a calculate does: no validation of the request, no authentication, no request log or
 * metrics, no promo codes, no answer built from the result, no purchases table with its indexes and
 * events. Its rate is therefore above any real calculate's on this machine, and its ratio to the bare
 * route bounds the calculate bar from above (README, "Benchmark").
 *
 * get_discount's floor is the same for PharmApi: it parses the request, reads the card and its live
 * limit holds (one statement each), prices the lines with the bench's discount program compiled by the
 * real engine, queues one row of the calculation and its transaction codes for the write behind, and
 * returns a captured get_discount answer. No authentication, no pharmacy lookup, no purchase, no holds or
 * codes of their own rows, no superseding of earlier calculations.
 *
 * Run as a child process by run.ts. Env: PORT, PAYLOAD_FILE, GET_DISCOUNT_FILE (a captured get_discount
 * answer), DB_FILE (the bench database, read only), WRITE_FILE (a scratch database for the rows), PRODUCTS.
 */
import { readFileSync } from "node:fs";
import SQLite from "better-sqlite3";
import Fastify from "fastify";
import { compileDiscountProgram } from "../src/core/rules/discount-program.js";
import { compileRules } from "../src/core/rules/engine.js";
import type { RuleProduct } from "../src/core/rules/types.js";
import { partsOf } from "../src/modules/discount-programs/definitions.js";
import { bodyOfDraft, ruleBodyIssues } from "../src/modules/programs/index.js";
import { PROGRAM, PROGRAM_CODE } from "./pharmapi.js";
import { benchProducts, benchRules } from "./seed.js";
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

interface CardRow {
  id: number;
  status: string;
  level: string | null;
}

const env = process.env;
const payload = JSON.parse(readFileSync(env.PAYLOAD_FILE ?? "", "utf8")) as unknown;
const productCount = Number(env.PRODUCTS);

const engine = compileRules(
  benchRules(productCount).map((draft, i) => {
    const body = bodyOfDraft(draft);
    const definition = body && ruleBodyIssues(body, { id: i + 1, version: 1, program: "bench" }).definition;
    if (!definition) throw new Error(`bench rule ${draft.name} does not compile`);
    return definition;
  }),
  { maxPointsPaymentShareBp: 10_000 },
);
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

const reader = new SQLite(env.DB_FILE ?? "", { readonly: true });
const partner = reader
  .prepare<[string], { id: number }>("select id from partners where code = ?")
  .get(BENCH_PARTNER);
if (!partner) throw new Error(`no partner ${BENCH_PARTNER} in ${env.DB_FILE}`);
const partnerId = partner.id;
const readCard = reader.prepare<[number, string], CardRow>(
  `select c.id, c.status, c.level, a.active, a.pending, a.held
   from cards c left join points_accounts a on a.card_id = c.id
   where c.partner_id = ? and c.number = ?`,
);
const writer = new SQLite(env.WRITE_FILE ?? "");
writer.pragma("journal_mode = WAL");
writer.pragma("synchronous = NORMAL");
writer.exec(
  "create table if not exists floor_purchases (id integer primary key, external_id text not null, card_id integer, lines text not null, total integer not null, created_at integer not null)",
);
const insert = writer.prepare(
  "insert into floor_purchases (external_id, card_id, lines, total, created_at) values (?, ?, ?, ?, ?)",
);
const insertAll = writer.transaction((rows: unknown[][]) => {
  for (const row of rows) insert.run(row);
});
let queued: unknown[][] = [];
const writeQueued = () => {
  const rows = queued;
  queued = [];
  insertAll(rows);
};

const app = Fastify({ logger: false });
app.post<{ Body: CalculateBody }>("/v1/purchases/calculate", async (request) => {
  const body = request.body;
  const card = readCard.get(partnerId, body.cardNumber);
  const now = Date.now();
  const evaluation = engine.evaluate({
    now,
    store: { code: body.storeCode, partner: "bench", timeZone: "Europe/Moscow" },
    lines: body.lines.map((l) => ({
      lineId: l.lineId,
      product: catalogue.get(l.sku) ?? null,
      barcode: null,
      quantity: l.quantity,
      unitPrice: l.price,
      amount: Math.round((l.price * l.quantity) / 1000),
    })),
    card: card ? { status: card.status === "active" ? "active" : "blocked", level: card.level } : null,
    client: null,
    promoCodes: body.promoCodes ?? [],
    pointsPayment: false,
  });
  const lines = evaluation.lines.map((l) => `${l.lineId}:${l.amount}:${l.discount}:${l.accrual}`).join(";");
  if (queued.length === 0) setImmediate(writeQueued);
  queued.push([body.purchaseId, card?.id ?? null, lines, evaluation.total, now]);
  return payload;
});
// get_discount's floor, when a captured answer is given.
if (env.GET_DISCOUNT_FILE) installGetDiscountFloor(env.GET_DISCOUNT_FILE);

function installGetDiscountFloor(answerFile: string): void {
  const answer = readFileSync(answerFile, "utf8");
  const program = reader
    .prepare<[number, string], { id: number }>("select id from programs where partner_id = ? and code = ?")
    .get(partnerId, PROGRAM_CODE);
  if (!program) throw new Error(`no discount program ${PROGRAM_CODE}`);
  const engine = compileDiscountProgram({ code: PROGRAM_CODE, version: 1, ...partsOf(PROGRAM).definition });
  const maxPacks = new Map(PROGRAM.limits?.map((l) => [l.id, l.maxPacks]));
  const readCardStatus = reader.prepare<[number, string], { id: number; status: string }>(
    "select id, status from cards where partner_id = ? and number = ?",
  );
  // The limits module's own statement for a card's live holds (limits.ts, LIVE_HOLDS).
  const readLiveHolds = reader.prepare<[number, string, number], { limit_id: string; packs: number }>(
    `select limit_id, packs, counted_at, purchase_id from discount_limit_holds
     where program_id = ? and card_number = ? and state in ('reserved', 'consumed')
     and (state = 'consumed' or expires_at > ?)`,
  );
  app.post<{ Body: GetDiscountBody }>("/api/v1.1/get_discount", async (request, reply) => {
    const body = request.body;
    const now = Date.now();
    const card = readCardStatus.get(partnerId, body.card_number);
    const used = new Map<string, number>();
    for (const hold of readLiveHolds.all(program.id, body.card_number, now))
      used.set(hold.limit_id, (used.get(hold.limit_id) ?? 0) + Number(hold.packs));
    const evaluation = engine.evaluate({
      now,
      store: { code: "BENCH-01", partner: "bench", timeZone: "Europe/Moscow" },
      lines: body.orders.map((o, i) => ({
        lineId: String(i + 1),
        barcode: o.barcode,
        quantity: Math.round(o.count * 1000),
        unitPrice: Math.round(o.price * 100),
      })),
      limits: Object.fromEntries(
        [...maxPacks].map(([id, max]) => [id, { remaining: max - (used.get(id) ?? 0) }]),
      ),
    });
    const codes = evaluation.lines.map((l) => `${l.lineId}:${now.toString(16)}${l.discount}`).join(";");
    if (queued.length === 0) setImmediate(writeQueued);
    queued.push([body.card_number, card?.id ?? null, codes, evaluation.discountTotal, now]);
    return reply.type("application/json").send(answer);
  });
}

app.get("/ready", async () => ({ status: "ok" }));
await app.listen({ host: "127.0.0.1", port: Number(env.PORT) });
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
