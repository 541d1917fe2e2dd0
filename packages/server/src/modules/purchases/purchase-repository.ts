/**
 * The purchase repository: the only code that writes purchases, purchase_events and refunds. Commands get
 * a PurchaseTx inside one transaction; the events it writes are reported to the listener (metrics) once the
 * transaction has committed, so a rolled-back call is never counted.
 */
import type { Database, Executor, TransactionOptions, Trx } from "../../infra/db/database.js";
import { definedColumns } from "../../infra/db/fixed-inserts.js";
import { rawRows } from "../../infra/db/raw.js";
import type { NewRow, Row, RowUpdate } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/index.js";
import { hangingPurchasesOf } from "./purchase-queries.js";
import { CalculationWriteBehind, type WriteBehindListener } from "./write-behind.js";

/** Told of every event a committed call wrote (calculated, confirmed, refunded, …), e.g. for metrics. */
export type PurchaseEventListener = (kind: string) => void;

export type PurchaseRow = Row<"purchases">;

// Fixed statements of every purchase command (infra/db/raw.ts).
const PURCHASE = "select * from purchases where partner_id = ? and external_id = ?";
const PURCHASE_FOR_UPDATE = `${PURCHASE} for update`;
const INSERT_EVENT = "insert into purchase_events (purchase_id, kind, data, created_at) values (?, ?, ?, ?)";

/** A purchase of the caller by its POS id; a credential bound to a store sees only that store's. */
async function purchaseOf(
  database: Database,
  executor: Executor,
  principal: Principal,
  externalId: string,
  lock: boolean,
): Promise<PurchaseRow | null> {
  const text = lock && database.dialect === "postgres" ? PURCHASE_FOR_UPDATE : PURCHASE;
  const [row] = await rawRows<PurchaseRow>(executor, text, [principal.partnerId, externalId]);
  if (!row) return null;
  if (principal.storeId !== null && principal.storeId !== row.store_id) {
    throw new DomainError("FORBIDDEN", "the purchase belongs to another store", { field: "purchaseId" });
  }
  return row;
}

// The purchase commands write rows of a few fixed shapes: each shape's statement is written once as text
// (infra/db/raw.ts), keyed by its columns, instead of being built and compiled by the query builder per call.
const insertTexts = new Map<string, string>();
const updateTexts = new Map<string, string>();

function statementOf(
  row: object,
  texts: Map<string, string>,
  textOf: (columns: string[]) => string,
): { text: string; values: unknown[] } {
  const { columns, values } = definedColumns(row);
  const key = columns.join(",");
  let text = texts.get(key);
  if (text === undefined) {
    text = textOf(columns);
    texts.set(key, text);
  }
  return { text, values };
}

const notFound = () => new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });

export class PurchaseTx {
  constructor(
    readonly trx: Trx,
    private readonly database: Database,
    private readonly written: string[],
  ) {}

  /** Locks the caller's purchase (first in the lock order); PURCHASE_NOT_FOUND when there is none. */
  async lock(principal: Principal, externalId: string): Promise<PurchaseRow> {
    const row = await purchaseOf(this.database, this.trx, principal, externalId, true);
    if (!row) throw notFound();
    return row;
  }

  lockIfAny(principal: Principal, externalId: string): Promise<PurchaseRow | null> {
    return purchaseOf(this.database, this.trx, principal, externalId, true);
  }

  /** `skipLocked`: undefined also when another transaction holds the row (see Database.forUpdate). */
  async lockById(id: number, options?: { skipLocked?: boolean }): Promise<PurchaseRow | undefined> {
    return this.database
      .forUpdate(this.trx.selectFrom("purchases").selectAll().where("id", "=", id), options)
      .executeTakeFirst();
  }

  /** A new purchase; undefined when the id is taken (a concurrent call inserted it first). */
  async insert(row: NewRow<"purchases">): Promise<PurchaseRow | undefined> {
    const { text, values } = statementOf(row, insertTexts, (columns) => {
      const marks = columns.map(() => "?").join(", ");
      return `insert into purchases (${columns.join(", ")}) values (${marks})
        on conflict (partner_id, external_id) do nothing returning *`;
    });
    const [inserted] = await rawRows<PurchaseRow>(this.trx, text, values);
    return inserted;
  }

  async update(id: number, change: RowUpdate<"purchases">): Promise<void> {
    const { text, values } = statementOf(
      change,
      updateTexts,
      (columns) => `update purchases set ${columns.map((c) => `${c} = ?`).join(", ")} where id = ?`,
    );
    await rawRows(this.trx, text, [...values, id]);
  }

  updateReturning(id: number, change: RowUpdate<"purchases">): Promise<PurchaseRow> {
    return this.trx
      .updateTable("purchases")
      .set(change)
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async event(purchaseId: number, kind: string, data: unknown, now: number): Promise<void> {
    this.written.push(kind);
    await rawRows(this.trx, INSERT_EVENT, [purchaseId, kind, JSON.stringify(data), now]);
  }

  /** The data of the purchase's first event of a kind (answers of rows written before answers were kept). */
  async firstEventData(purchaseId: number, kind: string): Promise<Record<string, unknown> | null> {
    const row = await this.trx
      .selectFrom("purchase_events")
      .select("data")
      .where("purchase_id", "=", purchaseId)
      .where("kind", "=", kind)
      .orderBy("id")
      .executeTakeFirst();
    return row?.data ? (JSON.parse(row.data) as Record<string, unknown>) : null;
  }

  refund(purchaseId: number, refundId: string) {
    return this.trx
      .selectFrom("refunds")
      .select(["request_hash", "response"])
      .where("purchase_id", "=", purchaseId)
      .where("external_id", "=", refundId)
      .executeTakeFirst();
  }

  async insertRefund(row: NewRow<"refunds">): Promise<number> {
    const inserted = await this.trx
      .insertInto("refunds")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    return inserted.id;
  }

  async updateRefund(id: number, change: RowUpdate<"refunds">): Promise<void> {
    await this.trx.updateTable("refunds").set(change).where("id", "=", id).execute();
  }
}

export interface HangingPurchase {
  purchaseId: string;
  storeId: number;
  posCode: string;
  reason: string;
  total: number;
  since: string;
}

export interface ReportedRefund {
  purchaseId: string;
  refundId: string;
  at: string;
  amount: number;
  pointsReturned: number;
  pointsMinimum: number;
  accrualReversed: number;
  accrualMinimum: number;
}

/** Where a lost write-behind batch is told (the service's logger); silent by default (tools, the sweeper). */
export type WriteBehindFailure = (what: string, count: number, error: unknown) => void;

export class PurchaseRepository {
  /** Calculated purchases answered before they are written (write-behind.ts). */
  readonly calculations: CalculationWriteBehind;
  private readonly existing: (parameters: readonly unknown[]) => Promise<{ store_id: number }[]>;

  constructor(
    readonly database: Database,
    private readonly onEvent: PurchaseEventListener = () => {},
    onFailure: WriteBehindFailure = () => {},
  ) {
    const listener: WriteBehindListener = {
      written: (count) => {
        for (let i = 0; i < count; i++) onEvent("calculated");
      },
      lost: (count, error) => onFailure("calculations not written", count, error),
      redoFailed: (error) => onFailure("a calculation taken by another process not redone", 1, error),
    };
    this.calculations = new CalculationWriteBehind(database, listener);
    this.existing = database.prepareRead(
      "select store_id from purchases where partner_id = ? and external_id = ?",
    );
  }

  /**
   * Whether the caller's purchase exists, written or answered and queued: a committed read outside any
   * transaction (the hot path's check before a write-behind calculation). `committed`: whether the table
   * holds it, when the caller has read that already (calculate's read at arrival).
   */
  async exists(principal: Principal, externalId: string, committed?: boolean): Promise<boolean> {
    if (this.calculations.holds(principal.partnerId, externalId)) return true;
    return committed ?? (await this.existing([principal.partnerId, externalId])).length > 0;
  }

  /** Resolves once every calculation this process answered so far is written. */
  settled(): Promise<void> {
    return this.calculations.settled();
  }

  /**
   * One transaction; the events it wrote are reported after the commit. It starts after the calculations
   * answered before it are written, so it finds them (`afterCalculations: false` only for the write-behind's
   * own redo, which runs in that chain).
   */
  async transact<T>(
    work: (tx: PurchaseTx) => Promise<T>,
    options?: TransactionOptions & { afterCalculations?: boolean },
  ): Promise<T> {
    if (options?.afterCalculations !== false) await this.calculations.settled();
    let written: string[] = [];
    const result = await this.database.transaction(async (trx) => {
      // A retried transaction starts its list afresh.
      written = [];
      return work(new PurchaseTx(trx, this.database, written));
    }, options);
    for (const kind of written) this.onEvent(kind);
    return result;
  }

  async find(principal: Principal, externalId: string): Promise<PurchaseRow> {
    await this.calculations.settled();
    const row = await purchaseOf(this.database, this.database.db, principal, externalId, false);
    if (!row) throw notFound();
    return row;
  }

  history(purchaseId: number) {
    return this.database.db
      .selectFrom("purchase_events")
      .select(["kind", "data", "created_at"])
      .where("purchase_id", "=", purchaseId)
      .orderBy("id")
      .execute();
  }

  /** Calculated purchases past their TTL, oldest first: what the sweeper expires. */
  async dueForExpiry(now: number, limit: number): Promise<number[]> {
    const rows = await this.database.db
      .selectFrom("purchases")
      .select("id")
      .where("state", "=", "calculated")
      .where("expires_at", "<=", now)
      .orderBy("expires_at")
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /** Purchases whose late confirm waits for an operator, oldest first. */
  async hanging(partnerId: number, limit: number): Promise<HangingPurchase[]> {
    const rows = await hangingPurchasesOf(this.database.db, partnerId)
      .select(["external_id", "store_id", "pos_code", "hanging_reason", "total", "updated_at"])
      .orderBy("updated_at")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      purchaseId: r.external_id,
      storeId: r.store_id,
      posCode: r.pos_code,
      reason: r.hanging_reason ?? "",
      total: r.total,
      since: new Date(r.updated_at).toISOString(),
    }));
  }

  /** Refunds of a partner in [from, to) where the POS stated less than the proportional share. */
  async refundsBelowProportional(partnerId: number, from: number, to: number): Promise<ReportedRefund[]> {
    const rows = await this.database.db
      .selectFrom("refunds as r")
      .innerJoin("purchases as p", "p.id", "r.purchase_id")
      .select([
        "p.external_id as purchase_external_id",
        "r.external_id",
        "r.created_at",
        "r.amount",
        "r.points_returned",
        "r.points_minimum",
        "r.accrual_reversed",
        "r.accrual_minimum",
      ])
      .where("r.below_proportional", "=", 1)
      .where("r.created_at", ">=", from)
      .where("r.created_at", "<", to)
      .where("p.partner_id", "=", partnerId)
      .orderBy("r.created_at")
      .execute();
    return rows.map((r) => ({
      purchaseId: r.purchase_external_id,
      refundId: r.external_id,
      at: new Date(r.created_at).toISOString(),
      amount: r.amount,
      pointsReturned: r.points_returned,
      pointsMinimum: r.points_minimum,
      accrualReversed: r.accrual_reversed,
      accrualMinimum: r.accrual_minimum,
    }));
  }
}
