import type { Executor } from "../../infra/db/database.js";

/** Names of the partner's products by SKU and by barcode, and the barcode of each SKU, for reports. */
export async function productNames(
  db: Executor,
  partnerId: number,
  skus: readonly string[],
  barcodes: readonly string[],
): Promise<{
  bySku: Map<string, string>;
  byBarcode: Map<string, string>;
  barcodeBySku: Map<string, string>;
}> {
  const names = {
    bySku: new Map<string, string>(),
    byBarcode: new Map<string, string>(),
    barcodeBySku: new Map<string, string>(),
  };
  const lookups: [column: "sku" | "barcode", values: string[]][] = [
    ["sku", [...new Set(skus)]],
    ["barcode", [...new Set(barcodes)]],
  ];
  for (const [column, values] of lookups) {
    for (let i = 0; i < values.length; i += 500) {
      const rows = await db
        .selectFrom("products")
        .select(["sku", "barcode", "name"])
        .where("partner_id", "=", partnerId)
        .where(column, "in", values.slice(i, i + 500))
        .execute();
      for (const row of rows) {
        names.bySku.set(row.sku, row.name);
        if (row.barcode) {
          names.byBarcode.set(row.barcode, row.name);
          names.barcodeBySku.set(row.sku, row.barcode);
        }
      }
    }
  }
  return names;
}
