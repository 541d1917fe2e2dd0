/**
 * Sales of program products as the chain reports them (PharmApi `sellout`, native `POST /v1/sellout`): both
 * discounted and full-price ones, one row per receipt line. The protocol's key, store + voucher + line
 * within the calendar year of the sale, makes a resend idempotent: the row is written over with what was
 * sent last (so a chain can correct a line), never duplicated. One call is one transaction.
 */
import { parseOffsetDateTime, productCodeOf, sumToPayMatches } from "../../core/pharmacy-data.js";
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

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A sell-out line as the native API takes it: the sale's time as ISO 8601 text with its offset. */
export interface NativeSelloutLine {
  storeCode: string;
  voucherId: string;
  lineId: string;
  soldAt: string;
  barcode?: string;
  qrCode?: string;
  name: string;
  price: number;
  quantity: number;
  discount: number;
  sumToPay: number;
  cardNumber?: string;
  transaction?: string;
  fiscal?: { fn: string; fd: string; fpd: string };
}

/** The native line as the service records it; an unreadable time is refused with the line's field. */
export function selloutLineOfNative(input: NativeSelloutLine, index: number): SelloutLine {
  const field = `lines[${index}]`;
  const when = parseOffsetDateTime(input.soldAt);
  if (!when) {
    throw new DomainError("VALIDATION_FAILED", "soldAt is not an ISO 8601 date-time with an offset", {
      field: `${field}.soldAt`,
      reason: "ISO 8601 with an offset, e.g. 2026-03-05T16:59:57+03:00",
    });
  }
  const barcode = input.barcode ?? null;
  const qrCode = input.qrCode ?? null;
  return {
    storeCode: input.storeCode,
    voucherId: input.voucherId,
    orderId: input.lineId,
    soldAt: when.epochMs,
    soldLocal: when.local,
    utcOffsetMinutes: when.offsetMinutes,
    year: when.year,
    barcode,
    qrCode,
    productCode: productCodeOf(barcode, qrCode),
    name: input.name,
    price: input.price,
    count: input.quantity,
    discount: input.discount,
    sumToPay: input.sumToPay,
    cardNumber: input.cardNumber ?? null,
    transaction: input.transaction ?? null,
    fiscal: input.fiscal ?? null,
    field,
  };
}

/** The rules every line keeps, whichever surface sent it (the PharmApi adapter checks them first, in Russian). */
function checkLine(line: SelloutLine): void {
  if (!line.productCode) {
    throw new DomainError("STOCK_ITEM_UNIDENTIFIED", "a barcode or a DataMatrix code is required", {
      field: `${line.field}.barcode`,
    });
  }
  if ((line.cardNumber === null) !== (line.transaction === null)) {
    throw new DomainError("CARD_TRANSACTION_PAIR", "card number and transaction come together", {
      field: `${line.field}.${line.cardNumber === null ? "cardNumber" : "transaction"}`,
    });
  }
  if (line.count <= 0) {
    throw new DomainError("VALIDATION_FAILED", "the quantity must be positive", {
      field: `${line.field}.quantity`,
    });
  }
  const sum = sumToPayMatches(line.price, line.count, line.discount, line.sumToPay);
  if (!sum.ok) {
    throw new DomainError("SUM_TO_PAY_MISMATCH", `sum to pay should be ${sum.expected}`, {
      field: `${line.field}.sumToPay`,
      expected: sum.expected,
    });
  }
}

export class SelloutService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async record(
    partnerId: number,
    lines: readonly SelloutLine[],
    source: "pharmapi" | "pos-v1",
    /** A store-bound credential reports its own store's sales only. */
    boundStoreId: number | null = null,
  ): Promise<SelloutResult> {
    for (const line of lines) checkLine(line);
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
      if (boundStoreId !== null && store.id !== boundStoreId) {
        throw new DomainError("FORBIDDEN", "a store-bound credential reports its own store only", {
          field: `${line.field}.storeCode`,
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
    // Rows in key order: two calls that share keys lock them in the same order and never deadlock.
    const ordered = [...lines].sort(
      (a, b) =>
        stores.get(a.storeCode)!.id - stores.get(b.storeCode)!.id ||
        a.year - b.year ||
        compareText(a.voucherId, b.voucherId) ||
        compareText(a.orderId, b.orderId),
    );
    await this.database.transaction(async (trx) => {
      for (let i = 0; i < ordered.length; i += CHUNK) {
        const values: NewRow<"sellout_lines">[] = ordered.slice(i, i + CHUNK).map((l) => ({
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

/** Sell-out of one product in one store over a period, discounted and full-price lines apart. */
export interface SelloutTotal {
  storeId: number;
  productCode: string;
  name: string;
  /** true: lines with a discount. */
  discounted: boolean;
  lines: number;
  /** Thousandths of a pack. */
  count: number;
  /** Kopecks before the discount (sum to pay + discount, as sent). */
  amount: number;
  discount: number;
  sumToPay: number;
}

/** Sell-out lines sold in [from, to), added up per store, product and kind of sale. */
export async function selloutTotals(
  db: Database["db"],
  partnerId: number,
  from: number,
  to: number,
): Promise<SelloutTotal[]> {
  const rows = await db
    .selectFrom("sellout_lines")
    .select((eb) => [
      "store_id",
      "product_code",
      eb.fn.min("name").as("name"),
      eb.case().when("discount", ">", 0).then(1).else(0).end().as("discounted"),
      eb.fn.countAll<number>().as("lines"),
      eb.fn.sum<number>("count").as("count"),
      eb.fn.sum<number>("discount").as("discount"),
      eb.fn.sum<number>("sum_to_pay").as("sum_to_pay"),
    ])
    .where("partner_id", "=", partnerId)
    .where("sold_at", ">=", from)
    .where("sold_at", "<", to)
    .groupBy(["store_id", "product_code", "discounted"])
    .orderBy("store_id")
    .orderBy("product_code")
    .execute();
  return rows.map((r) => ({
    storeId: r.store_id,
    productCode: r.product_code,
    name: String(r.name),
    discounted: Number(r.discounted) === 1,
    lines: Number(r.lines),
    count: Number(r.count),
    amount: Number(r.sum_to_pay) + Number(r.discount),
    discount: Number(r.discount),
    sumToPay: Number(r.sum_to_pay),
  }));
}
