/**
 * Calculated purchases written behind the answer. A calculation is soft state: a till that printed the
 * receipt can always confirm it later with the printed receipt (late confirm), so a new calculated
 * purchase that holds nothing (no points payment, no promo code to reserve) is answered at once and
 * written with the others answered until a WRITE_LINGER_MS timer fires (later when the loop is busy), in
 * one soft transaction (SQLite: no fsync, and on the soft-write thread when it is on, beside the event
 * loop; PostgreSQL: synchronous_commit off).
 *
 * What a crash between the answer and the write loses: those calculations, nothing else. Their points,
 * promo codes and limits were never taken. The till's confirm then finds no purchase and is answered
 * `PURCHASE_NOT_FOUND`; with the printed receipt in the body it is accepted as a late confirm
 * (docs/pos-integration.md), the same path that covers a purchase lost by PostgreSQL.
 *
 * Every other command on purchases first waits for the writes queued before it (`settled`), so within
 * one process a confirm, a bonus payment or a repeated calculate always finds the purchase. Another
 * process may calculate the same purchase id at the same moment: the insert then finds the id taken,
 * and the calculation is redone the ordinary way (a replacement), as if it had come second.
 */
import type { Database } from "../../infra/db/database.js";
import type { NewRow } from "../../infra/db/schema.js";

export interface PendingCalculation {
  partnerId: number;
  externalId: string;
  row: NewRow<"purchases">;
  event: Record<string, unknown>;
  /**
   * The id was taken when the row reached the database: calculate again the ordinary way. It runs inside
   * the write chain, so it must not wait for `settled` (that would wait for itself).
   */
  redo: () => Promise<unknown>;
}

export interface WriteBehindListener {
  /** A batch reached the database: one "calculated" event per purchase written. */
  written(count: number): void;
  /** A batch could not be written: those calculations are gone (late confirm covers them). */
  lost(count: number, error: unknown): void;
  /** A redone calculation failed. */
  redoFailed(error: unknown): void;
}

/**
 * How long (ms) a batch waits for more calculations before it is written. Under a moderate load each turn
 * of the event loop answers one calculation, and writing each in a transaction of its own made the
 * commits a large part of the work: in the bench, waiting for the calculations of a few milliseconds
 * raised calculate at full load by about a tenth and lowered the p99 at half load from 37 to 28 ms (3
 * rounds each; 25 ms and more made the batches long enough to delay the answers around them). Nothing
 * waits for it: a command on purchases writes the batch at once (`settled`), and a crash loses these
 * milliseconds' calculations the way it loses a turn's (a late confirm covers them).
 */
export const WRITE_LINGER_MS = 5;

/** After a failed write, how long calculations are written before they are answered. */
const OUTAGE_PAUSE_MS = 1000;

/**
 * Calculations answered and not yet written, at most: beyond it new ones take the ordinary path, which
 * waits for these first. Without a bound, a database slower than the tills (PostgreSQL at full load: each
 * batch's round trips wait for turns of a busy event loop, so the next batch is larger still) lets the
 * backlog grow for as long as the load lasts, and every confirm, bonus payment and get_discount, which wait
 * for it (`settled`), then waits for seconds. 256 rows are two statements of 128; in the bench on
 * PostgreSQL, 1,024 gave calculate the same rate with a p99 of 500 ms, 256 one of 200 ms.
 */
export const MAX_UNWRITTEN = 256;

const keyOf = (partnerId: number, externalId: string) => `${partnerId}\u0000${externalId}`;

export class CalculationWriteBehind {
  private queue: PendingCalculation[] = [];
  /** Purchases answered and not yet committed: queued, or in the batch being written. */
  private readonly unwritten = new Set<string>();
  /** The pending write of the queue, while one is scheduled. */
  private timer: NodeJS.Timeout | null = null;
  /** The chain of batch writes: each batch starts after the previous one ended, so order is kept. */
  private writing: Promise<void> = Promise.resolve();
  /** When the last batch could not be written: for a second after it, calculations take the ordinary path. */
  private failedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly database: Database,
    private readonly listener: WriteBehindListener,
    private readonly maxUnwritten = MAX_UNWRITTEN,
  ) {}

  /**
   * Whether new calculations may be answered before they are written: not while writes fail (an outage),
   * so that tills learn of it at calculate (503, retryable) instead of after the fiscal receipt; and not
   * while `maxUnwritten` wait, so that the database sets the pace.
   */
  accepting(): boolean {
    return this.unwritten.size < this.maxUnwritten && performance.now() - this.failedAt > OUTAGE_PAUSE_MS;
  }

  /** Whether this process answered a calculation of that purchase that is not written yet. */
  holds(partnerId: number, externalId: string): boolean {
    return this.unwritten.has(keyOf(partnerId, externalId));
  }

  /**
   * Queues a calculation; false when one of the same purchase is already queued or being written (two
   * calculations of a new id at once): the caller then takes the ordinary path, a replacement after it.
   */
  add(item: PendingCalculation): boolean {
    const key = keyOf(item.partnerId, item.externalId);
    if (this.unwritten.has(key)) return false;
    this.queue.push(item);
    this.unwritten.add(key);
    this.timer ??= setTimeout(() => this.flush(), WRITE_LINGER_MS);
    return true;
  }

  /** Resolves once every calculation added so far is written (or known lost). */
  settled(): Promise<void> {
    if (this.unwritten.size === 0) return Promise.resolve();
    if (this.queue.length > 0) this.flush();
    return this.writing;
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writing.then(() => this.write(batch));
  }

  private async write(batch: PendingCalculation[]): Promise<void> {
    let taken: PendingCalculation[] = [];
    try {
      const { inserted, skipped } = await this.database.insertWithChildren(
        {
          parent: { table: "purchases", rows: batch.map((p) => p.row), key: ["partner_id", "external_id"] },
          child: {
            table: "purchase_events",
            rows: batch.map(
              (p): Omit<NewRow<"purchase_events">, "purchase_id"> => ({
                kind: "calculated",
                data: JSON.stringify(p.event),
                created_at: p.row.created_at,
              }),
            ),
            parentIdColumn: "purchase_id",
          },
        },
        { durable: false },
      );
      taken = skipped.map((index) => batch[index]!);
      this.listener.written(inserted);
    } catch (error) {
      taken = [];
      this.failedAt = performance.now();
      this.listener.lost(batch.length, error);
    } finally {
      for (const p of batch) this.unwritten.delete(keyOf(p.partnerId, p.externalId));
    }
    // Within the chain, so that `settled` covers them; a redo must not wait for `settled` itself.
    for (const p of taken) await p.redo().catch((error) => this.listener.redoFailed(error));
  }
}
