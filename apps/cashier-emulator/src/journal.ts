/**
 * The till's journal of fiscal receipts sold with loyalty: one row per purchase whose receipt was printed
 * (its confirm written to the outbox) or confirmed by the server, with what the receipt says (amounts,
 * points) and what became of the confirm. `kopilka-pos reconcile` compares it with the server's purchases.
 *
 * It lives in the emulator's own SQLite file beside the outbox (`<outbox>.journal`), not in the SDK's
 * outbox table: the outbox is a queue of calls with its own schema and retention, and a journal is the
 * till's record of sales. Each row is built from the confirm's outbox item (its stored body is the
 * printed receipt), so writing it twice, or again from the outbox after a crash, gives the same row; the
 * body is kept so that a confirm the server never got can be sent again even after the outbox let it go.
 */
import type { OutboxItem } from "@kopilka/pos-sdk";
import Database from "better-sqlite3";
import { lineAmount } from "./amounts.js";

/** `printed`: the confirm is queued; the others as the outbox settled it. */
export type JournalStatus = "printed" | "confirmed" | "hanging" | "failed" | "abandoned";

export interface JournalEntry {
  purchaseId: string;
  storeCode: string;
  posCode: string;
  receiptNumber: string | null;
  cardNumber: string | null;
  /** When the receipt was printed (the confirm written), epoch ms. */
  printedAt: number;
  subtotal: number;
  discount: number;
  total: number;
  pointsSpent: number;
  pointsAccrued: number;
  status: JournalStatus;
  /** The confirm as sent (fiscal data, the printed receipt): what a re-send sends again. */
  confirmBody: unknown;
  lastError: string | null;
  acknowledgedAt: number | null;
}

interface Row {
  purchase_id: string;
  store_code: string;
  pos_code: string;
  receipt_number: string | null;
  card_number: string | null;
  printed_at: number;
  subtotal: number;
  discount: number;
  total: number;
  points_spent: number;
  points_accrued: number;
  status: JournalStatus;
  confirm_body: string;
  last_error: string | null;
  acknowledged_at: number | null;
}

interface PrintedLine {
  quantity: number;
  price: number;
  amount?: number;
  discount: number;
}

interface ConfirmBody {
  receiptNumber?: string;
  receipt?: {
    storeCode: string;
    posCode: string;
    cardNumber?: string;
    lines: PrintedLine[];
    pointsSpent: number;
    pointsAccrued: number;
  };
}

/** The printed line's amount, or the server's computation of it. */
function amountOf(line: PrintedLine): number {
  return line.amount ?? lineAmount(line.price, line.quantity);
}

const STATUS_OF: Partial<Record<OutboxItem["status"], JournalStatus>> = {
  pending: "printed",
  delivered: "confirmed",
  hanging: "hanging",
  failed: "failed",
  abandoned: "abandoned",
};

export class Journal {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // A receipt the till printed must not vanish with a power cut.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS receipts (
        purchase_id TEXT PRIMARY KEY,
        store_code TEXT NOT NULL,
        pos_code TEXT NOT NULL,
        receipt_number TEXT,
        card_number TEXT,
        printed_at INTEGER NOT NULL,
        subtotal INTEGER NOT NULL,
        discount INTEGER NOT NULL,
        total INTEGER NOT NULL,
        points_spent INTEGER NOT NULL,
        points_accrued INTEGER NOT NULL,
        status TEXT NOT NULL,
        confirm_body TEXT NOT NULL,
        last_error TEXT,
        acknowledged_at INTEGER,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS receipts_printed ON receipts (printed_at);
    `);
  }

  /** The journal beside an outbox file. */
  static fileFor(outboxFile: string): string {
    return `${outboxFile}.journal`;
  }

  /**
   * Writes (or brings up to date) the receipt of a confirm in the outbox. Other kinds, and a confirm
   * without the printed receipt, are not receipts of this journal and are ignored.
   */
  record(item: OutboxItem, now = Date.now()): JournalEntry | null {
    if (item.kind !== "confirm") return null;
    const body = item.body as ConfirmBody | null;
    const receipt = body?.receipt;
    if (!receipt) return null;
    return this.write(item.purchaseId, body, item.createdAt, STATUS_OF[item.status] ?? "printed", {
      lastError: item.lastError,
      acknowledgedAt: item.status === "delivered" ? item.updatedAt : null,
      now,
    });
  }

  /** A confirm sent by the till itself (seed 004's order: the sale is sent before printing) and answered. */
  recordConfirmed(purchaseId: string, body: ConfirmBody, at = Date.now()): JournalEntry | null {
    if (!body.receipt) return null;
    return this.write(purchaseId, body, at, "confirmed", { lastError: null, acknowledgedAt: at, now: at });
  }

  /** A re-sent confirm's outcome (reconcile --fix). */
  settle(purchaseId: string, status: JournalStatus, lastError: string | null, now = Date.now()): void {
    this.db
      .prepare(
        `UPDATE receipts SET status = ?, last_error = ?, acknowledged_at = CASE WHEN ? = 'confirmed' THEN ? ELSE acknowledged_at END, updated_at = ?
         WHERE purchase_id = ?`,
      )
      .run(status, lastError, status, now, now, purchaseId);
  }

  private write(
    purchaseId: string,
    body: ConfirmBody,
    printedAt: number,
    status: JournalStatus,
    o: { lastError: string | null; acknowledgedAt: number | null; now: number },
  ): JournalEntry {
    const receipt = body.receipt!;
    const subtotal = receipt.lines.reduce((s, l) => s + amountOf(l), 0);
    const discount = receipt.lines.reduce((s, l) => s + l.discount, 0);
    // The first write keeps its print time; a later one brings the status (never back to printed).
    this.db
      .prepare(
        `INSERT INTO receipts (purchase_id, store_code, pos_code, receipt_number, card_number, printed_at, subtotal,
           discount, total, points_spent, points_accrued, status, confirm_body, last_error, acknowledged_at, updated_at)
         VALUES (@purchaseId, @storeCode, @posCode, @receiptNumber, @cardNumber, @printedAt, @subtotal, @discount,
           @total, @pointsSpent, @pointsAccrued, @status, @body, @lastError, @acknowledgedAt, @now)
         ON CONFLICT (purchase_id) DO UPDATE SET
           status = CASE WHEN excluded.status = 'printed' THEN receipts.status ELSE excluded.status END,
           last_error = excluded.last_error,
           acknowledged_at = COALESCE(receipts.acknowledged_at, excluded.acknowledged_at),
           updated_at = excluded.updated_at`,
      )
      .run({
        purchaseId,
        storeCode: receipt.storeCode,
        posCode: receipt.posCode,
        receiptNumber: body.receiptNumber ?? null,
        cardNumber: receipt.cardNumber ?? null,
        printedAt,
        subtotal,
        discount,
        total: subtotal - discount,
        pointsSpent: receipt.pointsSpent,
        pointsAccrued: receipt.pointsAccrued,
        status,
        body: JSON.stringify(body),
        lastError: o.lastError,
        acknowledgedAt: o.acknowledgedAt,
        now: o.now,
      });
    return this.get(purchaseId)!;
  }

  get(purchaseId: string): JournalEntry | null {
    const row = this.db.prepare("SELECT * FROM receipts WHERE purchase_id = ?").get(purchaseId) as
      | Row
      | undefined;
    return row ? entryOf(row) : null;
  }

  /** Receipts printed in [from, to) (epoch ms), in print order. */
  between(from: number, to: number): JournalEntry[] {
    return (
      this.db
        .prepare(
          "SELECT * FROM receipts WHERE printed_at >= ? AND printed_at < ? ORDER BY printed_at, purchase_id",
        )
        .all(from, to) as Row[]
    ).map(entryOf);
  }

  close(): void {
    this.db.close();
  }
}

function entryOf(r: Row): JournalEntry {
  return {
    purchaseId: r.purchase_id,
    storeCode: r.store_code,
    posCode: r.pos_code,
    receiptNumber: r.receipt_number,
    cardNumber: r.card_number,
    printedAt: Number(r.printed_at),
    subtotal: Number(r.subtotal),
    discount: Number(r.discount),
    total: Number(r.total),
    pointsSpent: Number(r.points_spent),
    pointsAccrued: Number(r.points_accrued),
    status: r.status,
    confirmBody: JSON.parse(r.confirm_body),
    lastError: r.last_error,
    acknowledgedAt: r.acknowledged_at === null ? null : Number(r.acknowledged_at),
  };
}
