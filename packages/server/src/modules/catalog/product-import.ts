/** Products from a file import, inside the caller's transaction (the import decides what is atomic). */
import type { Trx } from "../../infra/db/database.js";
import { type ProductInput, productRow } from "./products.js";

export async function upsertProductRows(
  trx: Trx,
  partnerId: number,
  items: readonly ProductInput[],
  now: number,
): Promise<void> {
  if (items.length === 0) return;
  await trx
    .insertInto("products")
    .values(items.map((p) => productRow(partnerId, p, now)))
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
