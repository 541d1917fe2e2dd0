/**
 * Discount programs compiled once per program version and kept per process: pricing asks with the version
 * the program catalog has confirmed current (version-checked there), so a change reaches every process as
 * fast as rule changes do, and no request compiles a program.
 */
import type { CardRange, DiscountProgramDefinition, DiscountProgramSettings } from "@kopilka/contract";
import { compileDiscountProgram, type DiscountProgramEngine } from "../../core/rules/discount-program.js";
import type { Database, Executor } from "../../infra/db/database.js";
import { definitionAtVersion } from "./definitions.js";

/** Names the discount engine in a purchase's rules version: `discount-1/<program id>/<version>`. */
export const DISCOUNT_ENGINE_ID = "discount-1";
const CACHE_SIZE = 256;

export interface CompiledDiscountProgram {
  programId: number;
  version: number;
  definition: DiscountProgramDefinition;
  cardRanges: CardRange[];
  settings: DiscountProgramSettings;
  engine: DiscountProgramEngine;
  rulesVersion: string;
}

/**
 * Per database (tests run several in one process); null: the version has no product-list definition (a
 * `discount` program made of rules).
 */
const caches = new WeakMap<Database, Map<string, CompiledDiscountProgram | null>>();

/** The program at `version`, compiled (cached: programs are immutable per version). */
export async function compiledDiscountProgram(
  database: Database,
  /** The caller's transaction, if it is in one; the read goes through it. */
  db: Executor,
  program: { id: number; code: string },
  version: number,
): Promise<CompiledDiscountProgram | null> {
  let cache = caches.get(database);
  if (!cache) {
    cache = new Map();
    caches.set(database, cache);
  }
  const key = `${program.id}/${version}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    // Most recently used last, so the oldest entry is the first to go.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  // No shared in-flight load: a caller inside a transaction must read through its own connection (on SQLite
  // waiting for a pooled read would wait for the connection the transaction holds). A miss is rare.
  {
    const record = await definitionAtVersion(db, program.id, version);
    if (!record) {
      remember(cache, key, null);
      return null;
    }
    const definition: DiscountProgramDefinition = { ...record.definition, code: program.code, version };
    const compiled: CompiledDiscountProgram = {
      programId: program.id,
      version,
      definition,
      cardRanges: record.cardRanges,
      settings: record.settings,
      engine: compileDiscountProgram(definition),
      rulesVersion: `${DISCOUNT_ENGINE_ID}/${program.id}/${version}`,
    };
    remember(cache, key, compiled);
    return compiled;
  }
}

export function parseDiscountRulesVersion(
  value: string | null,
): { programId: number; version: number } | null {
  const m = value ? /^discount-1\/([0-9]{1,15})\/([0-9]{1,9})$/.exec(value) : null;
  return m ? { programId: Number(m[1]), version: Number(m[2]) } : null;
}

function remember(
  cache: Map<string, CompiledDiscountProgram | null>,
  key: string,
  value: CompiledDiscountProgram | null,
): void {
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, value);
}
