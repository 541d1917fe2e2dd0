/** The partner's products as the cabinet browses them: a prefix search and keyset pages. */
import { sql } from "kysely";
import type { Executor } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import type { ProductView } from "./catalog-service.js";

export interface ListedProduct extends ProductView {
  updatedAt: string;
}

const PRODUCT_SORTS: SortSpec<Row<"products">> = {
  sku: { column: "sku", value: (r) => r.sku },
  name: { column: "name", value: (r) => r.name },
  updatedAt: { column: "updated_at", value: (r) => r.updated_at },
};

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * "Starts with", ignoring case, LIKE's wildcards in the text taken literally. lower() folds only ASCII
 * letters in SQLite and in a PostgreSQL database without a Unicode-aware collation, so the column's
 * lower() is also compared with the text lowered but with its first letter capitalised, the way names
 * are stored ("витамин d3" finds "Витамин D3"), and the column itself with the text as typed and in
capitals ("аспирин" finds "АСПИРИН КАРДИО").
 */
function startsWith(column: string, text: string) {
  const lowered = text.toLowerCase();
  const capitalised = lowered.charAt(0).toUpperCase() + lowered.slice(1);
  const pattern = (v: string) => `${escapeLike(v)}%`;
  const folded = sql`lower(${sql.ref(column)})`;
  return sql<boolean>`(${folded} like ${pattern(lowered)} escape '\\'
    or ${folded} like ${pattern(capitalised)} escape '\\'
    or ${sql.ref(column)} like ${pattern(text)} escape '\\'
    or ${sql.ref(column)} like ${pattern(text.toUpperCase())} escape '\\')`;
}

function listedProduct(row: Row<"products">): ListedProduct {
  return {
    sku: row.sku,
    barcode: row.barcode,
    name: row.name,
    category: row.category,
    brand: row.brand,
    manufacturer: row.manufacturer,
    excludedFromPointsPayment: row.excluded_from_points_payment === 1,
    excludedFromAccrual: row.excluded_from_accrual === 1,
    minPrice: Number(row.min_price),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

export async function listProducts(
  db: Executor,
  partnerId: number,
  filter: { q?: string | undefined },
  page: PageQuery,
): Promise<Page<ListedProduct>> {
  let query = db.selectFrom("products").selectAll().where("partner_id", "=", partnerId);
  const q = filter.q?.trim();
  if (q) {
    query = query.where((eb) =>
      eb.or([startsWith("sku", q), startsWith("barcode", q), startsWith("name", q)]),
    );
  }
  const rows = await keysetQuery(query, PRODUCT_SORTS, "id", page).execute();
  return keysetPage(rows, PRODUCT_SORTS, (r) => r.id, page, listedProduct);
}
