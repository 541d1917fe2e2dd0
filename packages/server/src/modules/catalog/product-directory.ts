/**
 * The catalogue as the hot path reads it: products by SKU and by barcode from an in-process cache, so a
 * receipt's lines cost no query once their products have been seen. Every write to `products` moves the
 * `catalog_version` counter in its transaction; each process reads that counter at most every
 * CATALOG_CHECK_MS and drops its cache when it moved, so a change is seen everywhere within that time.
 *
 * The cache is bounded: a chain's active assortment fits, and past the bound the oldest entries go (Map
 * insertion order). A product the catalogue does not know is cached as unknown too, so a till scanning a
 * foreign barcode costs one read, not one per receipt.
 *
 * A full cache is a large part of the server's heap, so the category, brand and manufacturer that many
 * products share are kept once each (interned), not once per product as the rows read them.
 */
import type { ProductFacts } from "../../core/engine/types.js";
import { ChangeWatch } from "../../infra/db/change-counter.js";
import type { Database } from "../../infra/db/database.js";
import { dropOldestTenth } from "../../kernel/index.js";
import { type FoundProducts, findProducts } from "./products.js";

export const CATALOG_VERSION_KEY = "catalog_version";
/** How stale a process may be about products, at most. */
export const CATALOG_CHECK_MS = 250;
export const DEFAULT_PRODUCT_CACHE_SIZE = 100_000;

export class ProductDirectory {
  private readonly entries = new Map<string, ProductFacts | null>();
  /** Each distinct category, brand and manufacturer of the cached products, held once. */
  private readonly shared = new Map<string, string>();
  private readonly watch: ChangeWatch;

  constructor(
    private readonly database: Database,
    private readonly capacity = DEFAULT_PRODUCT_CACHE_SIZE,
    checkEveryMs = CATALOG_CHECK_MS,
  ) {
    this.watch = new ChangeWatch(database, CATALOG_VERSION_KEY, checkEveryMs, () => {
      this.entries.clear();
      this.shared.clear();
    });
  }

  /**
   * The receipt's products by SKU and by barcode (a barcode is looked up for lines without a SKU): from
   * the cache, the misses in one `findProducts` call (one query per list, not one per line).
   */
  async find(
    partnerId: number,
    skus: readonly string[],
    barcodes: readonly string[],
  ): Promise<FoundProducts> {
    await this.watch.fresh();
    const found: FoundProducts = { bySku: new Map(), byBarcode: new Map() };
    const missingSkus = this.fromCache(partnerId, "s", skus, found.bySku);
    const missingBarcodes = this.fromCache(partnerId, "b", barcodes, found.byBarcode);
    if (missingSkus.length === 0 && missingBarcodes.length === 0) return found;
    const generation = this.watch.generation;
    const read = await findProducts(this.database.db, partnerId, missingSkus, missingBarcodes);
    // Dropped while the read was out: what it read may be older than the change, so it is not kept.
    const keep = generation === this.watch.generation;
    for (const [kind, missing, fetched, into] of [
      ["s", missingSkus, read.bySku, found.bySku],
      ["b", missingBarcodes, read.byBarcode, found.byBarcode],
    ] as const) {
      for (const value of missing) {
        const facts = fetched.get(value) ?? null;
        if (facts) into.set(value, facts);
        if (keep) this.remember(`${partnerId}\u0000${kind}\u0000${value}`, facts);
      }
    }
    return found;
  }

  /** Fills `into` with the cached ones; returns the values the cache does not know. */
  private fromCache(
    partnerId: number,
    kind: "s" | "b",
    values: readonly string[],
    into: Map<string, ProductFacts>,
  ): string[] {
    const missing: string[] = [];
    for (const value of values) {
      const hit = this.entries.get(`${partnerId}\u0000${kind}\u0000${value}`);
      if (hit === undefined) missing.push(value);
      else if (hit) into.set(value, hit);
    }
    return missing;
  }

  private remember(key: string, facts: ProductFacts | null): void {
    if (this.entries.size >= this.capacity) dropOldestTenth(this.entries);
    if (facts) {
      facts.category = this.intern(facts.category);
      facts.brand = this.intern(facts.brand);
      facts.manufacturer = this.intern(facts.manufacturer);
    }
    this.entries.set(key, facts);
  }

  private intern(value: string | null): string | null {
    if (value === null) return null;
    const held = this.shared.get(value);
    if (held !== undefined) return held;
    // Bounded by the products cached: a catalogue where each value is its own gains nothing, loses little.
    if (this.shared.size >= this.capacity) this.shared.clear();
    this.shared.set(value, value);
    return value;
  }

  /** Forget everything now (a change made by this process). */
  invalidate(): void {
    this.watch.dropNow();
  }
}
