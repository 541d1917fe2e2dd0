/**
 * BENCH_FREE_ENGINE=1 preloads this into the server child (`node --import`): an experiment, never the
 * product. Every compiled rule engine of the server then answers a receipt it has priced before from
 * memory, so the rules cost next to nothing while the rest of calculate (the answer, the stored receipt,
 * their garbage) stays as it is. With the `rules2000` phase it bounds from above what the 2,000 ÷ 200 rules
 * ratio could be with any engine, on the same receipts.
 *
 * A receipt is priced before when its store, card status and lines were: the bench draws its receipts'
 * lines from 4,096 sets, so the memory stays small (tens of MB) and the warm-up fills it. Left out of that
 * key: the card's level (a silver card may get a gold card's evaluation of the same lines: the same kind of
 * answer, as long), the clock, and the card's history, client facts and accrual allowance, which no bench
 * rule reads. A receipt with promo codes (a tenth of the bench's) is always evaluated for real, since its
 * evaluation names the codes it used. FREE_ENGINE_STATS names a file that gets the evaluations and the
 * ones answered from memory when the server exits.
 *
 * `--import` also runs in the server's worker threads (the WAL checkpoints, the soft-write thread), which
 * price nothing: there it does nothing, so as not to load the server's modules into their small heaps.
 */
import { writeFileSync } from "node:fs";
import { isMainThread } from "node:worker_threads";
import type { RuleEngine, RuleInput } from "../src/core/rules/types.js";

interface LoadedProgram {
  engine: RuleEngine;
}
interface CatalogPrototype {
  get(this: unknown, ...args: unknown[]): Promise<LoadedProgram | null>;
}

const stats = { evaluations: 0, fromMemory: 0 };
const wrapped = new WeakSet<RuleEngine>();

function keyOf(input: RuleInput): string {
  let key = `${input.store?.code ?? ""}|${input.card?.status ?? ""}|${input.pointsPayment}`;
  for (const line of input.lines)
    key += `|${line.lineId}:${line.product?.sku ?? ""}:${line.barcode ?? ""}:${line.quantity}:${line.unitPrice}`;
  return key;
}

function answerFromMemory(engine: RuleEngine): void {
  if (wrapped.has(engine)) return;
  wrapped.add(engine);
  const evaluate = engine.evaluate.bind(engine);
  const memory = new Map<string, ReturnType<RuleEngine["evaluate"]>>();
  engine.evaluate = (input, options) => {
    stats.evaluations++;
    if (options?.explain || input.promoCodes.length > 0) return evaluate(input, options);
    const key = keyOf(input);
    const known = memory.get(key);
    if (known) {
      stats.fromMemory++;
      return known;
    }
    const evaluation = evaluate(input, options);
    memory.set(key, evaluation);
    return evaluation;
  };
}

if (isMainThread) {
  // The server's own module instance: the one dist/cli/main.js imports (this file runs from build/bench/).
  const catalogModule = new URL("../../dist/modules/programs/program-catalog.js", import.meta.url).href;
  const { ProgramCatalog } = (await import(catalogModule)) as {
    ProgramCatalog: { prototype: CatalogPrototype };
  };
  const get = ProgramCatalog.prototype.get;
  ProgramCatalog.prototype.get = async function (...args) {
    const loaded = await get.apply(this, args);
    if (loaded) answerFromMemory(loaded.engine);
    return loaded;
  };
  const statsFile = process.env.FREE_ENGINE_STATS;
  if (statsFile) process.once("exit", () => writeFileSync(statsFile, JSON.stringify(stats)));
}
