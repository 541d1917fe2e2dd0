/**
 * Sales of program products as the chain reports them (PharmApi `sellout`, native `POST /v1/sellout`): both
 * discounted and full-price ones, one row per receipt line. The protocol's key, store + voucher + line
 * within the calendar year of the sale, makes a resend idempotent: the row is written over with what was
 * sent last (so a chain can correct a line), never duplicated. One call is one transaction.
 */
import type { Database } from "../../infra/db/database.js";
import type { NewRow } from "../../infra/db/schema.js";
import type { Clock } from "../../kernel/clock.js";
import { DomainError } from "../../kernel/errors.js";
import { storeIdsByCodes } from "../stores/index.js";

export interface SelloutLine {
  storeCode: string;
  voucherId: string;
  orderId: string;
  soldAt: number;
  /** Local date and time of the sale as sent, YYYY-MM-DDTHH:MM:SS, and its offset. */
  soldLocal: string;
  utcOffsetMinutes: number;
  /** Calendar year of the local date: part of the key. */
  year: number;
  barcode: string | null;
  qrCode: string | null;
  productCode: string;
  name: string;
  /** Kopecks per pack. */
  price: number;
  /** Thousandths of a pack. */
  count: number;
  /** Kopecks, the whole line. */
  discount: number;
  sumToPay: number;
  cardNumber: string | null;
  transaction: string | null;
  fiscal: { fn: string; fd: string; fpd: string } | null;
  /** The request field of this line, for `details.field`. */
  field: string;
}

export interface SelloutResult {
  /** Lines written, new or over an earlier line with the same key. */
  lines: number;
}

const CHUNK = 400;

export class SelloutService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async record(
    partnerId: number,
    lines: readonly SelloutLine[],
    source: "pharmapi" | "pos-v1",
  ): Promise<SelloutResult> {
    const now = this.clock.now();
    const stores = await storeIdsByCodes(
      this.database.db,
      partnerId,
      lines.map((l) => l.storeCode),
    );
    const seen = new Map<string, string>();
    for (const line of lines) {
      const store = stores.get(line.storeCode);
      if (!store) {
        throw new DomainError("STORE_NOT_FOUND", `no store ${line.storeCode}`, {
          field: `${line.field}.storeCode`,
          storeCode: line.storeCode,
        });
      }
      const key = JSON.stringify([store.id, line.year, line.voucherId, line.orderId]);
      const first = seen.get(key);
      if (first !== undefined) {
        throw new DomainError("DUPLICATE_ITEM", `line ${line.voucherId}/${line.orderId} is sent twice`, {
          field: line.field,
          first,
        });
      }
      seen.set(key, line.field);
    }
    await this.database.transaction(async (trx) => {
      for (let i = 0; i < lines.length; i += CHUNK) {
        const values: NewRow<"sellout_lines">[] = lines.slice(i, i + CHUNK).map((l) => ({
          partner_id: partnerId,
          store_id: stores.get(l.storeCode)!.id,
          year: l.year,
          voucher_id: l.voucherId,
          order_id: l.orderId,
          sold_at: l.soldAt,
          sold_local: l.soldLocal,
          utc_offset_minutes: l.utcOffsetMinutes,
          barcode: l.barcode,
          qr_code: l.qrCode,
          product_code: l.productCode,
          name: l.name,
          price: l.price,
          count: l.count,
          discount: l.discount,
          sum_to_pay: l.sumToPay,
          card_number: l.cardNumber,
          transaction_code: l.transaction,
          fn: l.fiscal?.fn ?? null,
          fd: l.fiscal?.fd ?? null,
          fpd: l.fiscal?.fpd ?? null,
          source,
          created_at: now,
          updated_at: now,
        }));
        await trx
          .insertInto("sellout_lines")
          .values(values)
          .onConflict((oc) =>
            oc.columns(["store_id", "year", "voucher_id", "order_id"]).doUpdateSet((eb) => ({
              sold_at: eb.ref("excluded.sold_at"),
              sold_local: eb.ref("excluded.sold_local"),
              utc_offset_minutes: eb.ref("excluded.utc_offset_minutes"),
              barcode: eb.ref("excluded.barcode"),
              qr_code: eb.ref("excluded.qr_code"),
              product_code: eb.ref("excluded.product_code"),
              name: eb.ref("excluded.name"),
              price: eb.ref("excluded.price"),
              count: eb.ref("excluded.count"),
              discount: eb.ref("excluded.discount"),
              sum_to_pay: eb.ref("excluded.sum_to_pay"),
              card_number: eb.ref("excluded.card_number"),
              transaction_code: eb.ref("excluded.transaction_code"),
              fn: eb.ref("excluded.fn"),
              fd: eb.ref("excluded.fd"),
              fpd: eb.ref("excluded.fpd"),
              source: eb.ref("excluded.source"),
              updated_at: eb.ref("excluded.updated_at"),
            })),
          )
          .execute();
      }
    });
    return { lines: lines.length };
  }
}
