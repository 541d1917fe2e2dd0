/**
 * What each store has in stock, as the chain last reported it (PharmApi `update_prices`, native
 * `PUT /v1/stores/{code}/stock`). The rows sent for a store replace all its earlier rows, so a product left
 * out has no stock; stores not named keep theirs. One call is one transaction, whatever it names.
 */
import { lineAmount } from "../../core/arithmetic.js";
import { type BulkColumns, bulkInsert } from "../../infra/db/bulk-insert.js";
import type { Database } from "../../infra/db/database.js";
import type { NewRow } from "../../infra/db/schema.js";
import type { Clock } from "../../kernel/clock.js";
import { DomainError } from "../../kernel/errors.js";
import { storeIdsByCodes } from "../stores/index.js";

export interface StockRow {
  /** '' when absent: barcode + qrCode + lot is the row's key within its store. */
  barcode: string;
  qrCode: string;
  lot: string;
  productCode: string;
  name: string;
  /** Kopecks per pack. */
  price: number;
  /** Thousandths of a pack. */
  amount: number;
}

/** One store's whole stock, and where in the request it came from (for messages). */
export interface StoreStock {
  storeCode: string;
  rows: StockRow[];
  /** The request's field that named the store first, for `details.field`. */
  field: string;
  /** The request's list of this store's rows, for `details.field` (default "items"). */
  itemsField?: string;
}

export type UploadSource = "pharmapi" | "pos-v1";

export interface StockReplaceResult {
  stores: number;
  rows: number;
}

export interface StockItemView extends StockRow {
  uploadedAt: number;
}

const LOCK_CHUNK = 500;

const STOCK_COLUMNS: BulkColumns<"stock_items"> = {
  partner_id: "bigint",
  store_id: "bigint",
  barcode: "text",
  qr_code: "text",
  lot: "text",
  product_code: "text",
  name: "text",
  price: "bigint",
  amount: "bigint",
  uploaded_at: "bigint",
};

/** Every row names a product, and barcode + qrCode + lot is unique within the store. */
function checkRows(stock: StoreStock): void {
  const seen = new Map<string, number>();
  // Field names are built only for a refusal: 100k rows make 100k strings otherwise.
  const fieldOf = (i: number) => `${stock.itemsField ?? "items"}[${i}]`;
  stock.rows.forEach((row, i) => {
    if (!row.productCode) {
      throw new DomainError("STOCK_ITEM_UNIDENTIFIED", "a barcode or a DataMatrix code is required", {
        field: `${fieldOf(i)}.barcode`,
      });
    }
    const key = `${row.barcode}\u0000${row.qrCode}\u0000${row.lot}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new DomainError("DUPLICATE_ITEM", "barcode, qrCode and lot repeat an earlier row", {
        field: fieldOf(i),
        first: fieldOf(first),
      });
    }
    seen.set(key, i);
  });
}

export class StockService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Every store's rows replace its earlier ones, all in one transaction; an unknown store refuses all. */
  async replace(
    partnerId: number,
    stocks: readonly StoreStock[],
    source: UploadSource,
    /** A store-bound credential uploads its own store's stock only. */
    boundStoreId: number | null = null,
  ): Promise<StockReplaceResult> {
    for (const stock of stocks) checkRows(stock);
    const now = this.clock.now();
    const stores = await storeIdsByCodes(
      this.database.db,
      partnerId,
      stocks.map((s) => s.storeCode),
    );
    for (const stock of stocks) {
      const store = stores.get(stock.storeCode);
      if (!store) {
        throw new DomainError("STORE_NOT_FOUND", `no store ${stock.storeCode}`, {
          field: stock.field,
          storeCode: stock.storeCode,
        });
      }
      if (boundStoreId !== null && store.id !== boundStoreId) {
        throw new DomainError("FORBIDDEN", "a store-bound credential uploads its own store only", {
          field: stock.field,
        });
      }
    }
    let rows = 0;
    await this.database.transaction(async (trx) => {
      // Two uploads for one store at once would each delete what they see and insert the same keys: the
      // store rows, locked in id order, make them take turns (SQLite's single writer does so already).
      const storeIds = [...new Set(stocks.map((s) => stores.get(s.storeCode)!.id))].sort((a, b) => a - b);
      for (let i = 0; i < storeIds.length; i += LOCK_CHUNK) {
        await this.database
          .forUpdate(
            trx
              .selectFrom("stores")
              .select("id")
              .where("id", "in", storeIds.slice(i, i + LOCK_CHUNK))
              .orderBy("id"),
          )
          .execute();
      }
      for (const stock of stocks) {
        const storeId = stores.get(stock.storeCode)!.id;
        await trx.deleteFrom("stock_items").where("store_id", "=", storeId).execute();
        const values: NewRow<"stock_items">[] = stock.rows.map((r) => ({
          partner_id: partnerId,
          store_id: storeId,
          barcode: r.barcode,
          qr_code: r.qrCode,
          lot: r.lot,
          product_code: r.productCode,
          name: r.name,
          price: r.price,
          amount: r.amount,
          uploaded_at: now,
        }));
        await bulkInsert(trx, this.database.dialect, "stock_items", STOCK_COLUMNS, values);
        let totalAmount = 0;
        let totalValue = 0;
        for (const r of stock.rows) {
          totalAmount += r.amount;
          totalValue += lineAmount(r.price, r.amount);
        }
        await trx
          .insertInto("stock_uploads")
          .values({
            partner_id: partnerId,
            store_id: storeId,
            source,
            rows: stock.rows.length,
            total_amount: totalAmount,
            total_value: totalValue,
            uploaded_at: now,
          })
          .execute();
        rows += stock.rows.length;
      }
    });
    return { stores: stocks.length, rows };
  }

  /** A store's current stock, in key order. */
  async ofStore(partnerId: number, storeCode: string): Promise<StockItemView[]> {
    const store = (await storeIdsByCodes(this.database.db, partnerId, [storeCode])).get(storeCode);
    if (!store) throw new DomainError("STORE_NOT_FOUND", `no store ${storeCode}`, { field: "storeCode" });
    const rows = await this.database.db
      .selectFrom("stock_items")
      .selectAll()
      .where("store_id", "=", store.id)
      .orderBy("barcode")
      .orderBy("qr_code")
      .orderBy("lot")
      .execute();
    return rows.map((r) => ({
      barcode: r.barcode,
      qrCode: r.qr_code,
      lot: r.lot,
      productCode: r.product_code,
      name: r.name,
      price: r.price,
      amount: r.amount,
      uploadedAt: r.uploaded_at,
    }));
  }
}

/** A store's stock of one product: its rows (lots, DataMatrix packs) added up. */
export interface StockTotal {
  storeId: number;
  productCode: string;
  name: string;
  rows: number;
  /** Thousandths of a pack. */
  amount: number;
  /** Kopecks: Σ price × amount, rounded per row. */
  value: number;
  minPrice: number;
  maxPrice: number;
  uploadedAt: number;
}

/** Current stock per store and product, for reports (one store when `storeId` is given). */
export async function stockTotals(
  db: Database["db"],
  partnerId: number,
  storeId: number | null,
): Promise<StockTotal[]> {
  const query = db
    .selectFrom("stock_items")
    .select(["store_id", "product_code", "name", "price", "amount", "uploaded_at"])
    // Through the stores, so the key's index (store_id first) serves a partner-wide report too.
    .where(
      "store_id",
      "in",
      storeId !== null ? [storeId] : db.selectFrom("stores").select("id").where("partner_id", "=", partnerId),
    )
    .where("partner_id", "=", partnerId);
  const totals = new Map<string, StockTotal>();
  for (const row of await query.orderBy("store_id").orderBy("product_code").execute()) {
    const key = `${row.store_id}\u0000${row.product_code}`;
    let total = totals.get(key);
    if (!total) {
      total = {
        storeId: row.store_id,
        productCode: row.product_code,
        name: row.name,
        rows: 0,
        amount: 0,
        value: 0,
        minPrice: row.price,
        maxPrice: row.price,
        uploadedAt: row.uploaded_at,
      };
      totals.set(key, total);
    }
    total.rows++;
    total.amount += row.amount;
    total.value += lineAmount(row.price, row.amount);
    total.minPrice = Math.min(total.minPrice, row.price);
    total.maxPrice = Math.max(total.maxPrice, row.price);
  }
  return [...totals.values()];
}

export interface StockUploadRecord {
  storeId: number;
  source: string;
  rows: number;
  amount: number;
  value: number;
  uploadedAt: number;
}

/** The stock uploads made in [from, to), oldest first. */
export async function stockUploadsIn(
  db: Database["db"],
  partnerId: number,
  from: number,
  to: number,
): Promise<StockUploadRecord[]> {
  const rows = await db
    .selectFrom("stock_uploads")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where("uploaded_at", ">=", from)
    .where("uploaded_at", "<", to)
    .orderBy("uploaded_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    storeId: r.store_id,
    source: r.source,
    rows: r.rows,
    amount: r.total_amount,
    value: r.total_value,
    uploadedAt: r.uploaded_at,
  }));
}
