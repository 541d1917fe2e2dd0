/** What the POS and the accounting system ask of the product catalogue. */
import type { Database } from "../../infra/db/database.js";
import type { PageQuery } from "../../infra/db/keyset.js";
import { rejectDuplicates } from "../../kernel/batches.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/principal.js";
import { type Actor, recordAudit } from "../audit/index.js";
import { requireUnboundCredential } from "../auth/index.js";
import type { ProductDirectory } from "./product-directory.js";
import { listProducts } from "./product-list.js";
import { getProduct, type ProductInput, upsertProductRows, upsertProducts } from "./products.js";

export interface ProductView {
  sku: string;
  barcode: string | null;
  name: string;
  category: string | null;
  brand: string | null;
  manufacturer: string | null;
  excludedFromPointsPayment: boolean;
  excludedFromAccrual: boolean;
  minPrice: number;
}

export class CatalogService {
  constructor(
    private readonly database: Database,
    /** This process's cache of products, dropped at once after its own writes (others poll the counter). */
    private readonly directory?: ProductDirectory,
  ) {}

  async upload(principal: Principal, items: readonly ProductInput[], now: number): Promise<number> {
    requireUnboundCredential(principal);
    rejectDuplicates(items, (p) => p.sku, "sku");
    const written = await upsertProducts(this.database, principal.partnerId, items, now);
    this.directory?.invalidate();
    return written;
  }

  async view(principal: Principal, sku: string): Promise<ProductView> {
    const row = await getProduct(this.database.db, principal.partnerId, sku);
    if (!row) throw new DomainError("PRODUCT_NOT_FOUND", "no such product", { field: "sku" });
    return {
      sku: row.sku,
      barcode: row.barcode,
      name: row.name,
      category: row.category,
      brand: row.brand,
      manufacturer: row.manufacturer,
      excludedFromPointsPayment: row.excluded_from_points_payment === 1,
      excludedFromAccrual: row.excluded_from_accrual === 1,
      minPrice: row.min_price,
    };
  }

  /** The partner's products for the cabinet: SKU, barcode or name starting with `q`, a keyset page. */
  async list(partnerId: number, filter: { q?: string | undefined }, page: PageQuery) {
    return listProducts(this.database.db, partnerId, filter, page);
  }

  /**
   * A chunk of a cabinet import: new SKUs are added, known ones replaced, in one transaction with one
   * audit entry naming every SKU it wrote.
   */
  async importChunk(
    actor: Actor,
    partnerId: number,
    items: readonly ProductInput[],
    now: number,
  ): Promise<{ created: number; updated: number }> {
    rejectDuplicates(items, (p) => p.sku, "sku");
    const skus = items.map((p) => p.sku);
    const result = await this.database.transaction(async (trx) => {
      const known = await trx
        .selectFrom("products")
        .select("sku")
        .where("partner_id", "=", partnerId)
        .where("sku", "in", skus)
        .execute();
      await upsertProductRows(trx, partnerId, items, now);
      const counts = { created: items.length - known.length, updated: known.length };
      await recordAudit(
        trx,
        actor,
        {
          partnerId,
          entityType: "products",
          entityId: skus.length === 1 ? skus[0]! : `${skus[0]}…${skus.at(-1)}`,
          action: "import",
          before: null,
          after: { ...counts, skus },
        },
        now,
      );
      return counts;
    });
    this.directory?.invalidate();
    return result;
  }
}
