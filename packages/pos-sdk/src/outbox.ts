/**
 * The durable outbox of the calls a till makes after the fiscal receipt: confirm, refund, and cancel of a
 * confirmed purchase. The receipt is printed, so these calls must land, exactly once:
 *
 * - each call is written to a local SQLite file (WAL, synchronous=FULL) before it is sent, so it survives
 *   a crash or a restart of the POS;
 * - it is sent again with exponential backoff and jitter until the server answers definitively (a 2xx, or
 *   a refusal that repeating cannot change) or the call's window ends;
 * - a repeat is safe: the server's confirm, refund and cancel are idempotent (a repeat replays the first
 *   answer), and the body sent is the very one stored, so it is never an `IDEMPOTENCY_CONFLICT`; a confirm
 *   carries the printed receipt, so it can still land after the server lost or expired the purchase;
 * - calls of one purchase go in the order they were written (a cancel never overtakes its confirm);
 * - what could not be delivered stays, with its reason, in `problems()`: a hanging purchase for an operator.
 */
import Database from "better-sqlite3";
import type { KopilkaClient } from "./client.js";
import { KopilkaError, ServerRejectedError, ServerUnavailableError } from "./errors.js";
import type { ConfirmRequest, RefundRequest } from "./types.js";

export type OutboxKind = "confirm" | "refund" | "cancel";
/**
 * `pending`: not delivered yet; `delivered`: the server applied it; `hanging`: the server kept a late
 * confirm for an operator (nothing applied); `failed`: the server refused it definitively; `abandoned`: its
 * window ended before any definitive answer.
 */
export type OutboxStatus = "pending" | "delivered" | "hanging" | "failed" | "abandoned";

export type OutboxCall =
  | { kind: "confirm"; purchaseId: string; body: ConfirmRequest }
  | { kind: "refund"; purchaseId: string; body: RefundRequest }
  | { kind: "cancel"; purchaseId: string; body?: undefined };

export interface OutboxItem {
  id: number;
  key: string;
  kind: OutboxKind;
  purchaseId: string;
  body: unknown;
  createdAt: number;
  /** After this moment the item is abandoned instead of retried. */
  deadline: number;
  attempts: number;
  nextAttemptAt: number;
  status: OutboxStatus;
  /** The last failure: `CODE: message` (a server's refusal, a timeout, a network error). */
  lastError: string | null;
  /** The server's answer once delivered (or kept hanging). */
  answer: unknown;
  updatedAt: number;
}

export interface OutboxOptions {
  /** Retry delays start here and double each attempt (default 1 s)… */
  baseDelayMs?: number;
  /** …up to this (default 60 s); each is jittered between half and all of it. */
  maxDelayMs?: number;
  /**
   * How long each kind of call is retried, counted from when it was written. Confirm: 24 h (a late confirm
   * with the printed receipt can still be applied); refund: 7 days; cancel: 30 min (the demo program's
   * cancel window: after it the server refuses a cancel anyway).
   */
  windowsMs?: Partial<Record<OutboxKind, number>>;
  /** How often the background loop looks for due items (default 1 s). */
  pollIntervalMs?: number;
  now?: () => number;
  random?: () => number;
  /** Told every change of an item (delivered, retried, failed). */
  onChange?: (item: OutboxItem) => void;
}

export const DEFAULT_OUTBOX_WINDOWS_MS: Record<OutboxKind, number> = {
  confirm: 24 * 3_600_000,
  refund: 7 * 24 * 3_600_000,
  cancel: 30 * 60_000,
};

/** The delay before attempt `attempt + 1`: exponential, capped, jittered, never before Retry-After. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
  retryAfterMs: number | null = null,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  const jittered = Math.floor(exponential / 2 + random() * (exponential / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Refusals that repeating the same call may still turn (the server asks to wait, or the token failed). */
function transient(error: ServerRejectedError): boolean {
  return error.status === 401 || error.status === 408 || error.status === 429;
}

interface Row {
  id: number;
  key: string;
  kind: OutboxKind;
  purchase_id: string;
  body: string;
  created_at: number;
  deadline: number;
  attempts: number;
  next_attempt_at: number;
  status: OutboxStatus;
  last_error: string | null;
  answer: string | null;
  updated_at: number;
}

const itemOf = (r: Row): OutboxItem => ({
  id: r.id,
  key: r.key,
  kind: r.kind,
  purchaseId: r.purchase_id,
  body: JSON.parse(r.body),
  createdAt: r.created_at,
  deadline: r.deadline,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  status: r.status,
  lastError: r.last_error,
  answer: r.answer === null ? null : JSON.parse(r.answer),
  updatedAt: r.updated_at,
});

export interface DrainSummary {
  attempted: number;
  delivered: number;
  pending: number;
}

export class Outbox {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly windows: Record<OutboxKind, number>;
  private readonly inFlight = new Map<number, Promise<OutboxItem>>();
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<DrainSummary> | null = null;

  constructor(
    file: string,
    private readonly client: KopilkaClient,
    private readonly options: OutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.windows = { ...DEFAULT_OUTBOX_WINDOWS_MS, ...options.windowsMs };
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // Written before the fiscal call is sent: must be on disk when enqueue returns.
    this.db.pragma("synchronous = FULL");
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        purchase_id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        status TEXT NOT NULL,
        last_error TEXT,
        answer TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS outbox_status ON outbox (status, next_attempt_at);
      CREATE INDEX IF NOT EXISTS outbox_purchase ON outbox (purchase_id, id);
    `);
  }

  /**
   * Writes the call durably and returns it; the same key (kind, purchase, refund id) written again returns
   * the first item unchanged, so a till that repeats itself after a crash queues nothing twice.
   */
  enqueue(call: OutboxCall, options: { windowMs?: number } = {}): OutboxItem {
    const key =
      call.kind === "refund"
        ? `refund:${call.purchaseId}:${call.body.refundId}`
        : `${call.kind}:${call.purchaseId}`;
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO outbox (key, kind, purchase_id, body, created_at, deadline, next_attempt_at, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (key) DO NOTHING`,
      )
      .run(
        key,
        call.kind,
        call.purchaseId,
        JSON.stringify(call.body ?? null),
        now,
        now + (options.windowMs ?? this.windows[call.kind]),
        now,
        now,
      );
    return this.byKey(key)!;
  }

  get(id: number): OutboxItem | null {
    const row = this.db.prepare("SELECT * FROM outbox WHERE id = ?").get(id) as Row | undefined;
    return row ? itemOf(row) : null;
  }

  byKey(key: string): OutboxItem | null {
    const row = this.db.prepare("SELECT * FROM outbox WHERE key = ?").get(key) as Row | undefined;
    return row ? itemOf(row) : null;
  }

  list(status?: OutboxStatus): OutboxItem[] {
    const rows = (
      status
        ? this.db.prepare("SELECT * FROM outbox WHERE status = ? ORDER BY id").all(status)
        : this.db.prepare("SELECT * FROM outbox ORDER BY id").all()
    ) as Row[];
    return rows.map(itemOf);
  }

  /** What could not be delivered: hanging purchases for an operator, each with its reason. */
  problems(): OutboxItem[] {
    return (
      this.db
        .prepare("SELECT * FROM outbox WHERE status IN ('hanging', 'failed', 'abandoned') ORDER BY id")
        .all() as Row[]
    ).map(itemOf);
  }

  pendingCount(): number {
    return (
      this.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'pending'").get() as { n: number }
    ).n;
  }

  /**
   * One attempt now (whatever its schedule), unless an earlier call of the same purchase is still pending
   * (then that one is attempted first) or the item is settled. Resolves with the item as it stands after.
   */
  deliver(id: number): Promise<OutboxItem> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const attempt = this.attempt(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, attempt);
    return attempt;
  }

  /** Attempts the item until it settles or `timeoutMs` passes; what is still pending stays for the loop. */
  async settle(id: number, timeoutMs: number): Promise<OutboxItem> {
    const until = this.now() + timeoutMs;
    let item = await this.deliver(id);
    // Known offline (nothing reaches the server): the cashier does not wait; the loop keeps trying.
    while (item.status === "pending" && this.now() < until && !this.client.offline) {
      const wait = Math.min(Math.max(0, item.nextAttemptAt - this.now()), until - this.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.now() >= until) break;
      item = await this.deliver(id);
    }
    return item;
  }

  /** One pass: every pending item that is due, oldest first. */
  drain(): Promise<DrainSummary> {
    this.draining ??= this.drainOnce().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /** Delivers until nothing is pending or `timeoutMs` passes; returns what is still pending. */
  async drainAll(timeoutMs: number): Promise<number> {
    const until = this.now() + timeoutMs;
    for (;;) {
      await this.drain();
      const pending = this.list("pending");
      if (pending.length === 0 || this.now() >= until) return pending.length;
      const soonest = Math.min(...pending.map((p) => p.nextAttemptAt));
      const wait = Math.min(Math.max(soonest - this.now(), 10), until - this.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Runs `drain` every `pollIntervalMs` in the background until `stop`. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.drain()
        .catch(() => {})
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, this.options.pollIntervalMs ?? 1_000);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inFlight.values(), ...(this.draining ? [this.draining] : [])]);
  }

  async close(): Promise<void> {
    await this.stop();
    this.db.close();
  }

  private async drainOnce(): Promise<DrainSummary> {
    const now = this.now();
    const due = (
      this.db
        .prepare("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id")
        .all(now) as Row[]
    ).map(itemOf);
    let attempted = 0;
    let delivered = 0;
    const blocked = new Set<string>();
    for (const item of due) {
      // One purchase's calls in order: if its earlier call did not settle, the later ones wait.
      if (blocked.has(item.purchaseId)) continue;
      attempted++;
      const after = await this.deliver(item.id);
      if (after.status === "delivered") delivered++;
      if (after.status === "pending") blocked.add(item.purchaseId);
    }
    return { attempted, delivered, pending: this.pendingCount() };
  }

  private earlierPending(item: OutboxItem): OutboxItem | null {
    const row = this.db
      .prepare(
        "SELECT * FROM outbox WHERE purchase_id = ? AND id < ? AND status = 'pending' ORDER BY id LIMIT 1",
      )
      .get(item.purchaseId, item.id) as Row | undefined;
    return row ? itemOf(row) : null;
  }

  private async attempt(id: number): Promise<OutboxItem> {
    const item = this.get(id);
    if (!item) throw new Error(`no outbox item ${id}`);
    if (item.status !== "pending") return item;
    const earlier = this.earlierPending(item);
    if (earlier) {
      await this.deliver(earlier.id);
      if (this.get(earlier.id)?.status === "pending") return item;
    }
    this.db
      .prepare("UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE id = ?")
      .run(this.now(), id);
    try {
      const { status, answer } = await this.send(item);
      return this.update(id, { status, answer: JSON.stringify(answer), last_error: null });
    } catch (error) {
      return this.failed(this.get(id)!, error);
    }
  }

  private async send(item: OutboxItem): Promise<{ status: OutboxStatus; answer: unknown }> {
    switch (item.kind) {
      case "confirm": {
        const outcome = await this.client.confirm(item.purchaseId, item.body as ConfirmRequest);
        return { status: outcome.kind === "hanging" ? "hanging" : "delivered", answer: outcome.view };
      }
      case "refund": {
        const { view } = await this.client.refund(item.purchaseId, item.body as RefundRequest);
        return { status: "delivered", answer: view };
      }
      case "cancel": {
        const { view } = await this.client.cancel(item.purchaseId);
        return { status: "delivered", answer: view };
      }
    }
  }

  private failed(item: OutboxItem, error: unknown): OutboxItem {
    const reason =
      error instanceof ServerRejectedError || error instanceof ServerUnavailableError
        ? `${error.code}: ${error.message}`
        : error instanceof KopilkaError
          ? `${error.kind.toUpperCase()}: ${error.message}`
          : `ERROR: ${String(error)}`;
    if (error instanceof ServerRejectedError && !transient(error)) {
      return this.update(item.id, { status: "failed", last_error: reason });
    }
    const now = this.now();
    if (now >= item.deadline) return this.update(item.id, { status: "abandoned", last_error: reason });
    const retryAfter =
      error instanceof ServerUnavailableError
        ? error.retryAfterMs
        : error instanceof ServerRejectedError && typeof error.details.retryAfterSeconds === "number"
          ? error.details.retryAfterSeconds * 1000
          : null;
    const delay = backoffDelay(
      item.attempts,
      this.options.baseDelayMs ?? 1_000,
      this.options.maxDelayMs ?? 60_000,
      this.random,
      retryAfter,
    );
    return this.update(item.id, {
      last_error: reason,
      next_attempt_at: Math.min(now + delay, Math.max(item.deadline, now)),
    });
  }

  private update(
    id: number,
    change: Partial<Pick<Row, "status" | "answer" | "last_error" | "next_attempt_at">>,
  ) {
    const sets = Object.keys(change).map((k) => `${k} = @${k}`);
    this.db
      .prepare(`UPDATE outbox SET ${[...sets, "updated_at = @updated_at"].join(", ")} WHERE id = @id`)
      .run({ ...change, updated_at: this.now(), id });
    const item = this.get(id)!;
    this.options.onChange?.(item);
    return item;
  }
}
