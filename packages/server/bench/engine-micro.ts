/**
 * The rule engine alone on what `npm run bench` prices: the 200-rule program (benchRules) and the
 * 2,000-rule one (the same 200 and benchExtraRules), the bench's catalogue and the bench workload's
 * 10-line receipts, cards and promo codes, evaluated in one process with no database.
 *
 *   npx tsc -p tsconfig.tools.json && node build/bench/engine-micro.js [--rounds 9] [--receipts 2000]
 *     [--engine build/src/core/rules-before/engine.js] [--against …] [--only 2000] [--thrash 4]
 *
 * Prints the candidates the index hands a receipt and µs per evaluate (median of the rounds). With
 * `--against`, every evaluation is first checked equal to another compiled engine's, and both are timed
 * in the same process, rounds interleaved; two engines in one process slow each other unevenly (shared
 * code's feedback), so compare timings of separate runs instead, each with `--engine`, alternated.
 * `--engine` takes a copy of a compiled rules folder placed beside build/src/core/rules (its imports are
 * relative). MICRO_REASONS=1 also prints why the rules that did not apply did not (explain mode).
 * Receipts are priced at a fixed instant (`--now`), a Thursday afternoon in Moscow.
 */
import { isDeepStrictEqual, parseArgs } from "node:util";
import { compileRules } from "../src/core/rules/engine.js";
import type { RuleEngine, RuleInput } from "../src/core/rules/types.js";
import {
  BENCH_TERMS,
  benchCatalogue,
  benchRuleBodies,
  ruleDefinitionsOf,
  ruleLinesOf,
} from "./engine-fixtures.js";
import {
  BENCH_STORE,
  benchExtraRules,
  FIRST_CARD,
  RULES2000_FIRST_CARD,
  rules2000PromoCodes,
} from "./seed.js";
import { BenchWorkload } from "./workload.js";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "9" },
    receipts: { type: "string", default: "2000" },
    products: { type: "string", default: "100000" },
    against: { type: "string" },
    /** Measure this compiled engine instead of the current one (e.g. a copy of the engine before a change). */
    engine: { type: "string" },
    /** Only the program of this many rules (200 or 2000), e.g. to profile it alone. */
    only: { type: "string" },
    /**
     * MB of other memory touched before each evaluate, as a request's other work does in the server (0:
     * back to back, caches warm). In the server the engine runs with cold caches; 4 comes close to it.
     */
    thrash: { type: "string", default: "0" },
    /** An instant (ISO) for every receipt; the bench prices at the wall clock's. */
    now: { type: "string", default: "2026-12-03T15:00:00+03:00" },
  },
});
const ROUNDS = Number(values.rounds);
const RECEIPTS = Number(values.receipts);
const PRODUCTS = Number(values.products);
const NOW = Date.parse(values.now!);
const THRASH_WORDS = (Number(values.thrash) * 1024 * 1024) / 4;

type Compile = typeof compileRules;

// The bench's cards: the seed's levels by card index (bench/seed.ts CARD_LEVELS).
const levelOf = (i: number) => (i % 10 === 0 ? "gold" : i % 10 < 3 ? "silver" : "base");
const catalogue = benchCatalogue(PRODUCTS);

function receiptsOf(firstCard: number, promoCodes: string[] | undefined): RuleInput[] {
  const workload = new BenchWorkload(
    { cards: 1_000_000, products: PRODUCTS },
    "micro",
    promoCodes ? { firstCard, promoCodes } : undefined,
  );
  return Array.from({ length: RECEIPTS }, () => {
    const body = JSON.parse(workload.calculateBody(workload.newPurchaseId())) as {
      storeCode: string;
      cardNumber: string;
      lines: { lineId: string; sku: string; quantity: number; price: number }[];
      promoCodes?: string[];
    };
    return {
      now: NOW,
      store: { code: body.storeCode, partner: "bench", timeZone: "Europe/Moscow" },
      lines: ruleLinesOf(body.lines, catalogue),
      card: { status: "active", level: levelOf(Number(body.cardNumber) - firstCard) },
      client: null,
      promoCodes: body.promoCodes ?? [],
      pointsPayment: false,
    };
  });
}

const base = benchRuleBodies(PRODUCTS);
const programs = [
  { name: "200 rules", definitions: ruleDefinitionsOf(base), receipts: receiptsOf(FIRST_CARD, undefined) },
  {
    name: "2000 rules",
    definitions: ruleDefinitionsOf([...base, ...benchExtraRules(PRODUCTS)]),
    receipts: receiptsOf(RULES2000_FIRST_CARD, rules2000PromoCodes(PRODUCTS)),
  },
];
if (BENCH_STORE !== programs[0]!.receipts[0]!.store!.code) throw new Error("unexpected store");

const load = async (path: string) =>
  ((await import(new URL(path, `file://${process.cwd()}/`).href)) as { compileRules: Compile }).compileRules;
const engines: { label: string; compile: Compile }[] = [
  values.engine
    ? { label: "engine", compile: await load(values.engine) }
    : { label: "current", compile: compileRules },
];
if (values.against) engines.unshift({ label: "against", compile: await load(values.against) });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

let sink = 0;
/** Larger than the CPU's last private cache: touching a stretch of it evicts what the engine left there. */
const other = new Int32Array(Math.max(16, THRASH_WORDS * 4));
let otherAt = 0;
function touchOtherMemory(): void {
  // One word per 64-byte cache line, walking on through the buffer from call to call.
  for (let k = 0; k < THRASH_WORDS; k += 16) {
    sink += other[otherAt]!++;
    otherAt = otherAt + 16 < other.length ? otherAt + 16 : 0;
  }
}
function timeRound(engine: RuleEngine, receipts: RuleInput[]): number {
  if (THRASH_WORDS === 0) {
    const t = process.hrtime.bigint();
    for (const r of receipts) sink += engine.evaluate(r).lines.length;
    return Number(process.hrtime.bigint() - t) / 1000 / receipts.length;
  }
  let ns = 0n;
  for (const r of receipts) {
    touchOtherMemory();
    const t = process.hrtime.bigint();
    sink += engine.evaluate(r).lines.length;
    ns += process.hrtime.bigint() - t;
  }
  return Number(ns) / 1000 / receipts.length;
}

for (const program of programs) {
  if (values.only && String(program.definitions.length) !== values.only) continue;
  const compiled = engines.map((e) => {
    const t = performance.now();
    const engine = e.compile(program.definitions, BENCH_TERMS);
    return { ...e, engine, compileMs: performance.now() - t, samples: [] as number[] };
  });
  let candidates = 0;
  let applied = 0;
  for (const r of program.receipts) {
    candidates += compiled.at(-1)!.engine.countCandidates(r);
    applied += compiled.at(-1)!.engine.evaluate(r).appliedRules.length;
  }
  if (compiled.length > 1) {
    // Same results, receipt by receipt, before anything is timed.
    for (const r of program.receipts) {
      const a = compiled[0]!.engine.evaluate(r);
      const b = compiled[1]!.engine.evaluate(r);
      if (!isDeepStrictEqual(a, b)) throw new Error(`results differ on ${JSON.stringify(r)}`);
    }
  }
  const againstCandidates =
    compiled.length > 1
      ? program.receipts.reduce((s, r) => s + compiled[0]!.engine.countCandidates(r), 0) /
        program.receipts.length
      : null;
  process.stdout.write(
    `${program.name}: ${program.definitions.length} rules, ${(candidates / program.receipts.length).toFixed(1)} candidates per receipt${againstCandidates === null ? "" : ` (against: ${againstCandidates.toFixed(1)})`}, ${(applied / program.receipts.length).toFixed(1)} applied\n`,
  );
  for (const c of compiled) for (let w = 0; w < 2; w++) timeRound(c.engine, program.receipts);
  for (let round = 0; round < ROUNDS; round++)
    for (const c of round % 2 ? [...compiled].reverse() : compiled)
      c.samples.push(timeRound(c.engine, program.receipts));
  if (process.env.MICRO_REASONS) {
    const reasons = new Map<string, number>();
    for (const r of program.receipts)
      for (const sk of compiled.at(-1)!.engine.evaluate(r, { explain: true }).skippedRules!)
        reasons.set(sk.reason.code, (reasons.get(sk.reason.code) ?? 0) + 1);
    for (const [code, c] of [...reasons].sort((a, b) => b[1] - a[1]))
      process.stdout.write(`  ${code}: ${(c / program.receipts.length).toFixed(1)}\n`);
  }
  const lookup: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.hrtime.bigint();
    for (const r of program.receipts) sink += compiled.at(-1)!.engine.countCandidates(r);
    lookup.push(Number(process.hrtime.bigint() - t) / 1000 / program.receipts.length);
  }
  process.stdout.write(
    `  candidate lookup alone (${compiled.at(-1)!.label}): ${median(lookup).toFixed(1)} µs\n`,
  );
  for (const c of compiled)
    process.stdout.write(
      `  ${c.label.padEnd(8)} ${median(c.samples).toFixed(1).padStart(7)} µs per evaluate (median of ${ROUNDS}; min ${Math.min(...c.samples).toFixed(1)}, max ${Math.max(...c.samples).toFixed(1)}); compile ${c.compileMs.toFixed(0)} ms\n`,
    );
}
if (sink < 0) process.stdout.write("");
