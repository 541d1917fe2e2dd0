/** The partner's product catalogue: lookups for receipts and bulk upserts from the accounting system. */
import type { ProductFacts } from "../../core/engine/types.js";
import { bumpChangeCounter } from "../../infra/db/change-counter.js";
import type { Database, Executor, Trx } from "../../infra/db/database.js";
import type { NewRow, Row } from "../../infra/db/schema.js";
import { CATALOG_VERSION_KEY } from "./product-directory.js";

export interface ProductInput {
  sku: string;
  barcode?: string | null;
  name: string;
  category?: string | null;
  brand?: string | null;
  manufacturer?: string | null;
  excludedFromPointsPayment?: boolean;
  excludedFromAccrual?: boolean;
  minPrice?: number;
}

export interface FoundProducts {
  bySku: Map<string, ProductFacts>;
  byBarcode: Map<string, ProductFacts>;
}

export function productFacts(
  row: Pick<
    Row<"products">,
    | "sku"
    | "category"
    | "brand"
    | "manufacturer"
    | "excluded_from_points_payment"
    | "excluded_from_accrual"
    | "min_price"
  >,
): ProductFacts {
  return {
    sku: row.sku,
    category: row.category,
    brand: row.brand,
    manufacturer: row.manufacturer,
    excludedFromPointsPayment: row.excluded_from_points_payment === 1,
    excludedFromAccrual: row.excluded_from_accrual === 1,
    minPrice: row.min_price,
  };
}

const FACT_COLUMNS = [
  "sku",
  "barcode",
  "category",
  "brand",
  "manufacturer",
  "excluded_from_points_payment",
  "excluded_from_accrual",
  "min_price",
] as const;

/**
 * The receipt's products by SKU and by barcode: one index seek per list. (A single query with
 * `sku IN … OR barcode IN …` makes SQLite walk every product of the partner.)
 */
export async function findProducts(
  db: Executor,
  partnerId: number,
  skus: readonly string[],
  barcodes: readonly string[],
): Promise<FoundProducts> {
  const found: FoundProducts = { bySku: new Map(), byBarcode: new Map() };
  const lookups: [column: "sku" | "barcode", values: readonly string[]][] = [
    ["sku", skus],
    ["barcode", barcodes],
  ];
  for (const [column, values] of lookups) {
    if (values.length === 0) continue;
    const rows = await db
      .selectFrom("products")
      .select(FACT_COLUMNS)
      .where("partner_id", "=", partnerId)
      .where(column, "in", values)
      .execute();
    for (const row of rows) {
      const f = productFacts(row);
      found.bySku.set(row.sku, f);
      if (row.barcode) found.byBarcode.set(row.barcode, f);
    }
  }
  return found;
}

export function productRow(partnerId: number, p: ProductInput, now: number): NewRow<"products"> {
  return {
    partner_id: partnerId,
    sku: p.sku,
    barcode: p.barcode ?? null,
    name: p.name,
    category: p.category ?? null,
    brand: p.brand ?? null,
    manufacturer: p.manufacturer ?? null,
    excluded_from_points_payment: p.excludedFromPointsPayment ? 1 : 0,
    excluded_from_accrual: p.excludedFromAccrual ? 1 : 0,
    min_price: p.minPrice ?? 0,
    created_at: now,
    updated_at: now,
  };
}

const UPSERT_CHUNK = 500;

/**
 * Inserts new SKUs and updates known ones inside the caller's transaction (a file import decides what is
 * atomic), in chunks small enough for any statement size limit. Moves the catalogue's change counter, so
 * every process's ProductDirectory drops what it cached.
 */
export async function upsertProductRows(
  trx: Trx,
  partnerId: number,
  items: readonly ProductInput[],
  now: number,
): Promise<void> {
  if (items.length > 0) await bumpChangeCounter(trx, CATALOG_VERSION_KEY);
  for (let i = 0; i < items.length; i += UPSERT_CHUNK) {
    await trx
      .insertInto("products")
      .values(items.slice(i, i + UPSERT_CHUNK).map((p) => productRow(partnerId, p, now)))
      .onConflict((oc) =>
        oc.columns(["partner_id", "sku"]).doUpdateSet((eb) => ({
          barcode: eb.ref("excluded.barcode"),
          name: eb.ref("excluded.name"),
          category: eb.ref("excluded.category"),
          brand: eb.ref("excluded.brand"),
          manufacturer: eb.ref("excluded.manufacturer"),
          excluded_from_points_payment: eb.ref("excluded.excluded_from_points_payment"),
          excluded_from_accrual: eb.ref("excluded.excluded_from_accrual"),
          min_price: eb.ref("excluded.min_price"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}

/** Inserts new SKUs and updates known ones, all in one transaction. Returns how many rows were written. */
export async function upsertProducts(
  database: Database,
  partnerId: number,
  items: readonly ProductInput[],
  now: number,
): Promise<number> {
  await database.transaction((trx) => upsertProductRows(trx, partnerId, items, now));
  return items.length;
}

export async function getProduct(db: Executor, partnerId: number, sku: string) {
  return db
    .selectFrom("products")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where("sku", "=", sku)
    .executeTakeFirst();
}
