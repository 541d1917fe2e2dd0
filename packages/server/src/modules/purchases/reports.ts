/**
 * Read-only views of purchases for reports: the lines discount programs gave, as the PharmApi
 * reconciliation report lists them. Writes nothing; the purchase commands own these tables.
 */
import { lineStatesOf } from "../../core/purchase-lifecycle.js";
import type { Executor } from "../../infra/db/database.js";
import { parseReceipt } from "./purchase-record.js";

/** A confirmed receipt line of a discount program. Amounts in kopecks, quantities in thousandths. */
export interface DiscountSaleLine {
  purchaseId: string;
  /** When the discount was calculated: the sale's moment (confirm follows within the program's window). */
  soldAt: number;
  storeId: number;
  posCode: string;
  cardNumber: string | null;
  programId: number;
  programCode: string;
  programName: string;
  /** The line's id in the purchase: for PharmApi purchases, the line's transaction code. */
  lineId: string;
  sku: string | null;
  barcode: string | null;
  quantity: number;
  unitPrice: number;
  /** Before the discount. */
  amount: number;
  discount: number;
  /** What the customer pays: amount − discount. */
  total: number;
}

/** Purchase states in which a confirmed line stays a sale (a later refund is the chain's own matter). */
const SOLD_STATES = ["confirmed", "partially_refunded", "refunded"] as const;

/**
 * The partner's confirmed, discounted lines of discount programs (`programs.kind = 'discount'`)
 * calculated in [from, to), oldest first. A line cancelled on its own (PharmApi alternation) is left out.
 */
export async function discountSaleLines(
  db: Executor,
  partnerId: number,
  from: number,
  to: number,
): Promise<DiscountSaleLine[]> {
  const rows = await db
    .selectFrom("purchases")
    .innerJoin("programs", "programs.id", "purchases.program_id")
    .select([
      "purchases.external_id",
      "purchases.created_at",
      "purchases.store_id",
      "purchases.pos_code",
      "purchases.state",
      "purchases.receipt",
      "programs.id as program_id",
      "programs.code as program_code",
      "programs.name as program_name",
    ])
    .where("purchases.partner_id", "=", partnerId)
    .where("purchases.created_at", ">=", from)
    .where("purchases.created_at", "<", to)
    .where("purchases.state", "in", SOLD_STATES)
    .where("programs.kind", "=", "discount")
    .orderBy("purchases.created_at")
    .orderBy("purchases.id")
    .execute();
  const lines: DiscountSaleLine[] = [];
  for (const row of rows) {
    const receipt = parseReceipt(row);
    const states = lineStatesOf(
      receipt.lines.map((l) => l.lineId),
      row.state as (typeof SOLD_STATES)[number],
      receipt.lineStates,
    );
    for (const line of receipt.lines) {
      // Only discounted lines carry a transaction of the program; the rest of the receipt is not its sale.
      if (states[line.lineId] !== "confirmed" || line.discount <= 0) continue;
      lines.push({
        purchaseId: row.external_id,
        soldAt: row.created_at,
        storeId: row.store_id,
        posCode: row.pos_code,
        cardNumber: receipt.cardNumber,
        programId: row.program_id,
        programCode: row.program_code,
        programName: row.program_name,
        lineId: line.lineId,
        sku: line.sku,
        barcode: line.barcode,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        amount: line.amount,
        discount: line.discount,
        total: line.amount - line.discount,
      });
    }
  }
  return lines;
}
