/**
 * The catalogue as the hot path reads it: products by SKU and by barcode from an in-process cache, so a
 * receipt's lines cost no query once their products have been seen. Every write to `products` moves the
 * `catalog_version` counter in its transaction; each process reads that counter at most every
 * CATALOG_CHECK_MS and drops its cache when it moved, so a change is seen everywhere within that time.
 *
 * The cache is bounded: a chain's active assortment fits, and past the bound the oldest entries go (Map
 * insertion order). A product the catalogue does not know is cached as unknown too, so a till scanning a
 * foreign barcode costs one read, not one per receipt.
 */
import type { ProductFacts } from "../../core/engine/types.js";
import { committedChangeCounter } from "../../infra/db/change-counter.js";
import type { Database } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import { type FoundProducts, productFacts } from "./products.js";

export const CATALOG_VERSION_KEY = "catalog_version";
/** How stale a process may be about products, at most. */
export const CATALOG_CHECK_MS = 250;
export const DEFAULT_PRODUCT_CACHE_SIZE = 100_000;

type FactRow = Pick<
  Row<"products">,
  | "sku"
  | "barcode"
  | "category"
  | "brand"
  | "manufacturer"
  | "excluded_from_points_payment"
  | "excluded_from_accrual"
  | "min_price"
>;

const COLUMNS =
  "sku, barcode, category, brand, manufacturer, excluded_from_points_payment, excluded_from_accrual, min_price";
const BY_SKU = `select ${COLUMNS} from products where partner_id = ? and sku = ?`;
// A barcode may name several SKUs (pack and piece): the lowest SKU answers, the same every time.
const BY_BARCODE = `select ${COLUMNS} from products where partner_id = ? and barcode = ? order by sku limit 1`;

export class ProductDirectory {
  private readonly entries = new Map<string, ProductFacts | null>();
  /** Moves whenever the cache is dropped, so that a read started before cannot refill it. */
  private generation = 0;
  private version: string | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly capacity = DEFAULT_PRODUCT_CACHE_SIZE,
    private readonly checkEveryMs = CATALOG_CHECK_MS,
  ) {}

  /** The receipt's products by SKU and by barcode (a barcode is looked up for lines without a SKU). */
  async find(
    partnerId: number,
    skus: readonly string[],
    barcodes: readonly string[],
  ): Promise<FoundProducts> {
    await this.fresh();
    const found: FoundProducts = { bySku: new Map(), byBarcode: new Map() };
    for (const sku of skus) {
      const facts = await this.lookup(`${partnerId}\u0000s\u0000${sku}`, BY_SKU, partnerId, sku);
      if (facts) found.bySku.set(sku, facts);
    }
    for (const barcode of barcodes) {
      const facts = await this.lookup(`${partnerId}\u0000b\u0000${barcode}`, BY_BARCODE, partnerId, barcode);
      if (facts) found.byBarcode.set(barcode, facts);
    }
    return found;
  }

  /** Forget everything now (a change made by this process). */
  invalidate(): void {
    this.entries.clear();
    this.generation++;
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  private async lookup(
    key: string,
    text: string,
    partnerId: number,
    value: string,
  ): Promise<ProductFacts | null> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const rows = await this.database.prepareRead<FactRow>(text)([partnerId, value]);
    const facts = rows[0] ? productFacts(rows[0]) : null;
    // Dropped while the read was out: what it read may be older than the change, so it is not kept.
    if (generation !== this.generation) return facts;
    if (this.entries.size >= this.capacity) this.evictOldest();
    this.entries.set(key, facts);
    return facts;
  }

  private evictOldest(): void {
    let drop = Math.max(1, Math.floor(this.capacity / 10));
    for (const key of this.entries.keys()) {
      this.entries.delete(key);
      if (--drop === 0) break;
    }
  }

  private fresh(): Promise<void> {
    const t = performance.now();
    if (t - this.checkedAt < this.checkEveryMs) return Promise.resolve();
    this.checking ??= committedChangeCounter(this.database, CATALOG_VERSION_KEY)
      .then((version) => {
        if (version !== this.version) {
          this.entries.clear();
          this.generation++;
          this.version = version;
        }
        this.checkedAt = t;
      })
      .finally(() => {
        this.checking = null;
      });
    return this.checking;
  }
}
