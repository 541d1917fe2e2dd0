/**
 * The two-phase purchase protocol: calculate (repeatable) → bonus-payment (optional) → confirm, or cancel;
 * then refunds. Every call is one transaction that locks the purchase row first and the points account
 * second, so concurrent calls on one purchase or one card serialize and a replay finds the first answer.
 */

import { lineAmount } from "../../core/arithmetic.js";
import { createBasicEngine } from "../../core/engine/basic-engine.js";
import type { CashierMessage, EngineResult, ProductFacts } from "../../core/engine/types.js";
import { assertCanSpend } from "../../core/ledger.js";
import { applyPointsPayment, type LineSource, pricedLines, totalsOf } from "../../core/receipt.js";
import { applyRefund, planRefund, type RefundPlan } from "../../core/refund.js";
import type { Database, Executor, TransactionOptions, Trx } from "../../infra/db/database.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";
import type { Clock, Principal } from "../../kernel/index.js";
import { type Card, cardStatus, findCard } from "../cards/index.js";
import { findProducts } from "../catalog/index.js";
import {
  accrue,
  type CardBalance,
  changeHold,
  credit,
  type EntryContext,
  lockAccount,
  readBalance,
  reverseAccrual,
  spendHeld,
} from "../points/index.js";
import type { LoadedProgram, ProgramCatalog } from "../programs/index.js";
import type { Store, StoreDirectory } from "../stores/index.js";
import { canonicalHash } from "./canonical-hash.js";
import {
  type PurchaseState,
  type PurchaseView,
  parseReceipt,
  purchaseView,
  type StoredReceipt,
} from "./purchase-record.js";

/** Receipts above this (100 million rubles) are refused: far beyond any till, far below 2^53. */
const MAX_RECEIPT_TOTAL = 10_000_000_000;
/** Calculated purchases of partners without a program still need a lifetime. */
const DEFAULT_TTL_SECONDS = 1800;

export interface CalculateRequest {
  purchaseId: string;
  storeCode: string;
  posCode: string;
  cardNumber?: string;
  promoCodes?: string[];
  lines: {
    lineId: string;
    sku?: string;
    barcode?: string;
    quantity: number;
    price: number;
    amount?: number;
  }[];
}

export interface ConfirmRequest {
  fiscal?: { fn?: string; fd?: string; fpd?: string };
  receiptNumber?: string;
}

export interface RefundRequestBody {
  refundId: string;
  lines?: { lineId: string; quantity: number }[];
  pointsToReturn?: number;
  accrualToReverse?: number;
}

export interface ConfirmView extends PurchaseView {
  receipt: { accrued: number; spent: number; balance: CardBalance | null };
}

export interface CancelView extends PurchaseView {
  pointsReleased: number;
  pointsReturned: number;
  accrualReversed: number;
}

export interface RefundView {
  refundId: string;
  purchaseId: string;
  state: PurchaseState;
  amount: number;
  pointsReturned: number;
  accrualReversed: number;
  lines: RefundPlan["lines"];
  balance: CardBalance | null;
}

export interface PurchaseHistoryEntry {
  kind: string;
  at: string;
  data: unknown;
}

/** Told of every event a committed call wrote (calculated, confirmed, refunded, …), e.g. for metrics. */
export type PurchaseEventListener = (kind: string) => void;

export class PurchaseService {
  /** Events written by each open transaction, reported once it has committed. */
  private readonly pending = new WeakMap<Trx, string[]>();

  constructor(
    private readonly database: Database,
    private readonly programs: ProgramCatalog,
    private readonly stores: StoreDirectory,
    private readonly clock: Clock,
    private readonly onEvent: PurchaseEventListener = () => {},
  ) {}

  private async transact<T>(work: (trx: Trx) => Promise<T>, options?: TransactionOptions): Promise<T> {
    let written: string[] = [];
    const result = await this.database.transaction(async (trx) => {
      written = [];
      this.pending.set(trx, written);
      return work(trx);
    }, options);
    for (const kind of written) this.onEvent(kind);
    return result;
  }

  async calculate(principal: Principal, request: CalculateRequest): Promise<PurchaseView> {
    const store = await this.storeFor(principal, request.storeCode);
    const card = request.cardNumber ? await this.usableCard(principal.partnerId, request.cardNumber) : null;
    const loaded = card
      ? await this.programs.get(card.programId)
      : await this.programs.defaultFor(principal.partnerId);
    const sources = await this.lineSources(principal.partnerId, request.lines);
    const evaluation = evaluate(loaded, sources, card, request.promoCodes ?? []);
    if (evaluation.subtotal > MAX_RECEIPT_TOTAL) {
      throw new DomainError("RECEIPT_TOO_LARGE", `the receipt total exceeds ${MAX_RECEIPT_TOTAL} kopecks`, {
        field: "lines",
      });
    }
    const freshLines = pricedLines(sources, evaluation);
    const requestHash = canonicalHash(request);
    const now = this.clock.now();
    const ttlMs = ttlSecondsOf(loaded) * 1000;
    const receipt: StoredReceipt = {
      storeCode: store.code,
      cardNumber: card?.number ?? null,
      lines: freshLines,
      promoCodes: { applied: evaluation.appliedPromoCodes, unknown: evaluation.unknownPromoCodes },
      messages: evaluation.messages,
    };
    const totals = totalsOf(freshLines);
    const columns = {
      program_id: loaded?.program.id ?? null,
      store_id: store.id,
      pos_code: request.posCode,
      card_id: card?.id ?? null,
      request_hash: requestHash,
      receipt: JSON.stringify(receipt),
      subtotal: totals.subtotal,
      discount_total: totals.discount,
      total: totals.total,
      points_limit: evaluation.pointsPaymentLimit,
      points_accrued: totals.accrual,
      expires_at: now + ttlMs,
      updated_at: now,
    };

    // Soft state: on PostgreSQL it may commit without waiting for the WAL flush; confirm is durable.
    return this.transact(
      async (trx) => {
        const inserted = await trx
          .insertInto("purchases")
          .values({
            ...columns,
            partner_id: principal.partnerId,
            external_id: request.purchaseId,
            state: "calculated",
            points_spent: 0,
            refunded_amount: 0,
            points_returned: 0,
            accrual_reversed: 0,
            created_at: now,
          })
          .onConflict((oc) => oc.columns(["partner_id", "external_id"]).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (inserted) {
          await this.event(
            trx,
            inserted.id,
            "calculated",
            { total: totals.total, lines: freshLines.length },
            now,
          );
          return purchaseView(inserted, receipt, card ? await readBalance(trx, card.id) : null);
        }

        const existing = await this.lockPurchase(trx, principal, request.purchaseId);
        this.assertOpen(existing, now);
        let lines = freshLines;
        let held = 0;
        const messages: CashierMessage[] = [...receipt.messages];
        if (existing.points_spent > 0) {
          const sameCard = existing.card_id === (card?.id ?? null);
          if (sameCard && existing.points_spent <= evaluation.pointsPaymentLimit) {
            lines = applyPointsPayment(freshLines, existing.points_spent, evaluation.pointsPaymentLimit);
            held = existing.points_spent;
          } else {
            messages.push({
              code: "POINTS_PAYMENT_RESET",
              text: "Чек изменился: оплата баллами отменена, укажите её заново",
            });
          }
          if (held !== existing.points_spent && existing.card_id !== null) {
            const account = await lockAccount(this.database, trx, existing.card_id);
            await changeHold(trx, account, held - existing.points_spent, now);
          }
        }
        const updated = { ...receipt, lines, messages };
        const row = await trx
          .updateTable("purchases")
          .set({
            ...columns,
            receipt: JSON.stringify(updated),
            points_spent: held,
            points_accrued: totalsOf(lines).accrual,
          })
          .where("id", "=", existing.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.event(trx, existing.id, "recalculated", { total: totals.total, pointsHeld: held }, now);
        return purchaseView(row, updated, card ? await readBalance(trx, card.id) : null);
      },
      { durable: false },
    );
  }

  async bonusPayment(principal: Principal, purchaseId: string, amount: number): Promise<PurchaseView> {
    const now = this.clock.now();
    return this.transact(
      async (trx) => {
        const purchase = await this.lockPurchase(trx, principal, purchaseId);
        this.assertOpen(purchase, now);
        if (purchase.card_id === null) {
          throw new DomainError("CARD_REQUIRED", "the purchase has no card to pay with points", {
            field: "amount",
          });
        }
        const status = await cardStatus(trx, purchase.card_id);
        if (status === "blocked")
          throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "cardNumber" });
        if (status === "accrual_only" && amount > 0) {
          throw new DomainError("CARD_ACCRUAL_ONLY", "the card only accrues points", { field: "amount" });
        }
        const receipt = parseReceipt(purchase);
        const lines = applyPointsPayment(receipt.lines, amount, purchase.points_limit);
        const loaded = await this.programOf(purchase, trx);
        const account = await lockAccount(this.database, trx, purchase.card_id);
        assertCanSpend(account, amount, purchase.points_spent);
        await changeHold(trx, account, amount - purchase.points_spent, now);
        const updated = { ...receipt, lines };
        const row = await trx
          .updateTable("purchases")
          .set({
            receipt: JSON.stringify(updated),
            points_spent: amount,
            points_accrued: totalsOf(lines).accrual,
            expires_at: now + ttlSecondsOf(loaded) * 1000,
            updated_at: now,
          })
          .where("id", "=", purchase.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await this.event(trx, purchase.id, "bonus_payment", { amount }, now);
        return purchaseView(row, updated, await readBalance(trx, purchase.card_id));
      },
      // Durable: the till prints the points payment, so the hold must survive any crash.
    );
  }

  async confirm(principal: Principal, purchaseId: string, request: ConfirmRequest): Promise<ConfirmView> {
    const confirmHash = canonicalHash(request);
    const now = this.clock.now();
    return this.transact(async (trx) => {
      const purchase = await this.lockPurchase(trx, principal, purchaseId);
      if (purchase.confirm_response !== null) {
        if (purchase.confirm_hash !== confirmHash) {
          throw new DomainError("IDEMPOTENCY_CONFLICT", "the purchase was confirmed with other fiscal data", {
            field: "fiscal",
          });
        }
        return JSON.parse(purchase.confirm_response) as ConfirmView;
      }
      this.assertOpen(purchase, now);
      let receipt = parseReceipt(purchase);
      let accrualLotId: number | null = null;
      let balance: CardBalance | null = null;
      if (purchase.card_id !== null) {
        const loaded = await this.programOf(purchase, trx);
        const account = await lockAccount(this.database, trx, purchase.card_id);
        const ctx = { purchaseId: purchase.id, now };
        // The sale is fiscalised, so held points are spent whatever happened to the card since; a card
        // blocked in the meantime earns nothing (and its lines then carry no accrual a refund could take).
        await spendHeld(trx, account, purchase.points_spent, ctx);
        if ((await cardStatus(trx, purchase.card_id)) === "blocked") {
          receipt = { ...receipt, lines: receipt.lines.map((l) => ({ ...l, accrual: 0 })) };
        }
        accrualLotId = await accrue(
          trx,
          account,
          totalsOf(receipt.lines).accrual,
          {
            holdDays: loaded?.program.holdDays ?? 0,
            lifetimeDays: loaded?.program.pointsLifetimeDays ?? null,
          },
          ctx,
        );
        balance = await readBalance(trx, purchase.card_id);
      }
      const totals = totalsOf(receipt.lines);
      const row: Row<"purchases"> = {
        ...purchase,
        state: "confirmed",
        receipt: JSON.stringify(receipt),
        points_accrued: totals.accrual,
        confirmed_at: now,
        accrual_lot_id: accrualLotId,
        fiscal: request.fiscal || request.receiptNumber ? JSON.stringify(request) : null,
        confirm_hash: confirmHash,
        updated_at: now,
      };
      const view: ConfirmView = {
        ...purchaseView(row, receipt, balance),
        receipt: { accrued: totals.accrual, spent: purchase.points_spent, balance },
      };
      await trx
        .updateTable("purchases")
        .set({
          state: row.state,
          receipt: row.receipt,
          points_accrued: row.points_accrued,
          confirmed_at: row.confirmed_at,
          accrual_lot_id: row.accrual_lot_id,
          fiscal: row.fiscal,
          confirm_hash: row.confirm_hash,
          confirm_response: JSON.stringify(view),
          updated_at: now,
        })
        .where("id", "=", purchase.id)
        .execute();
      const summary = { accrued: totals.accrual, spent: purchase.points_spent };
      await this.event(trx, purchase.id, "confirmed", summary, now);
      return view;
    });
  }

  async cancel(principal: Principal, purchaseId: string): Promise<CancelView> {
    const now = this.clock.now();
    return this.transact(async (trx) => {
      const purchase = await this.lockPurchase(trx, principal, purchaseId);
      const state = purchase.state as PurchaseState;
      const receipt = parseReceipt(purchase);
      const finish = async (
        row: Row<"purchases">,
        shown: StoredReceipt,
        released: number,
        returned: number,
        reversed: number,
      ): Promise<CancelView> => ({
        ...purchaseView(row, shown, row.card_id === null ? null : await readBalance(trx, row.card_id)),
        pointsReleased: released,
        pointsReturned: returned,
        accrualReversed: reversed,
      });
      if (state === "cancelled" || state === "expired") {
        // A repeated cancel answers as the first one did: what it released is in the history.
        const first = await trx
          .selectFrom("purchase_events")
          .select("data")
          .where("purchase_id", "=", purchase.id)
          .where("kind", "=", "cancelled")
          .orderBy("id")
          .executeTakeFirst();
        const released = first?.data
          ? Number((JSON.parse(first.data) as { released?: number }).released ?? 0)
          : 0;
        return finish(purchase, receipt, released, purchase.points_returned, purchase.accrual_reversed);
      }
      if (state === "partially_refunded" || state === "refunded") {
        throw new DomainError("PURCHASE_STATE_CONFLICT", `a ${state} purchase cannot be cancelled`, {
          state,
        });
      }
      let released = 0;
      let returned = 0;
      let reversed = 0;
      let lines = receipt.lines;
      if (state === "calculated") {
        if (purchase.card_id !== null && purchase.points_spent > 0) {
          const account = await lockAccount(this.database, trx, purchase.card_id);
          await changeHold(trx, account, -purchase.points_spent, now);
          released = purchase.points_spent;
        }
      } else {
        const loaded = await this.programOf(purchase, trx);
        const windowMs = (loaded?.program.cancelWindowMinutes ?? 0) * 60_000;
        if (now > (purchase.confirmed_at ?? 0) + windowMs) {
          throw new DomainError(
            "CANCEL_WINDOW_CLOSED",
            "the cancel window has passed; refund the purchase instead",
            {
              confirmedAt: new Date(purchase.confirmed_at ?? 0).toISOString(),
            },
          );
        }
        const plan = planRefund(lines, {});
        lines = applyRefund(lines, plan);
        reversed = await this.reverseOnAccount(trx, purchase, plan, loaded, {
          now,
          note: "purchase cancelled",
        });
        returned = plan.pointsReturned;
      }
      const updatedReceipt = { ...receipt, lines };
      const row: Row<"purchases"> = {
        ...purchase,
        state: "cancelled",
        receipt: JSON.stringify(updatedReceipt),
        points_spent: state === "calculated" ? 0 : purchase.points_spent,
        points_returned: purchase.points_returned + returned,
        accrual_reversed: purchase.accrual_reversed + reversed,
        closed_at: now,
        updated_at: now,
      };
      await trx
        .updateTable("purchases")
        .set({
          state: row.state,
          receipt: row.receipt,
          points_spent: row.points_spent,
          points_returned: row.points_returned,
          accrual_reversed: row.accrual_reversed,
          closed_at: now,
          updated_at: now,
        })
        .where("id", "=", purchase.id)
        .execute();
      await this.event(trx, purchase.id, "cancelled", { from: state, released, returned, reversed }, now);
      return finish(row, updatedReceipt, released, returned, reversed);
    });
  }

  async refund(principal: Principal, purchaseId: string, request: RefundRequestBody): Promise<RefundView> {
    const requestHash = canonicalHash(request);
    const now = this.clock.now();
    return this.transact(async (trx) => {
      const purchase = await this.lockPurchase(trx, principal, purchaseId);
      const previous = await trx
        .selectFrom("refunds")
        .select(["request_hash", "response"])
        .where("purchase_id", "=", purchase.id)
        .where("external_id", "=", request.refundId)
        .executeTakeFirst();
      if (previous) {
        if (previous.request_hash !== requestHash) {
          throw new DomainError("IDEMPOTENCY_CONFLICT", "this refundId was used with a different body", {
            field: "refundId",
          });
        }
        return JSON.parse(previous.response) as RefundView;
      }
      const state = purchase.state as PurchaseState;
      if (state !== "confirmed" && state !== "partially_refunded") {
        throw new DomainError("PURCHASE_STATE_CONFLICT", `a ${state} purchase cannot be refunded`, { state });
      }
      const receipt = parseReceipt(purchase);
      const plan = planRefund(receipt.lines, {
        ...(request.lines ? { lines: request.lines } : {}),
        ...(request.pointsToReturn !== undefined ? { pointsToReturn: request.pointsToReturn } : {}),
        ...(request.accrualToReverse !== undefined ? { accrualToReverse: request.accrualToReverse } : {}),
      });
      const lines = applyRefund(receipt.lines, plan);
      const nextState: PurchaseState = plan.completesPurchase ? "refunded" : "partially_refunded";
      const refundRow = await trx
        .insertInto("refunds")
        .values({
          purchase_id: purchase.id,
          external_id: request.refundId,
          request_hash: requestHash,
          amount: plan.amount,
          points_returned: plan.pointsReturned,
          accrual_reversed: plan.accrualReversed,
          response: "{}",
          created_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      let balance: CardBalance | null = null;
      let accrualReversed = 0;
      if (purchase.card_id !== null) {
        const loaded = await this.programOf(purchase, trx);
        accrualReversed = await this.reverseOnAccount(trx, purchase, plan, loaded, {
          refundId: refundRow.id,
          now,
          note: `refund ${request.refundId}`,
        });
        balance = await readBalance(trx, purchase.card_id);
      }
      await trx
        .updateTable("purchases")
        .set({
          state: nextState,
          receipt: JSON.stringify({ ...receipt, lines }),
          refunded_amount: purchase.refunded_amount + plan.amount,
          points_returned: purchase.points_returned + plan.pointsReturned,
          accrual_reversed: purchase.accrual_reversed + accrualReversed,
          closed_at: plan.completesPurchase ? now : null,
          updated_at: now,
        })
        .where("id", "=", purchase.id)
        .execute();
      const view: RefundView = {
        refundId: request.refundId,
        purchaseId: purchase.external_id,
        state: nextState,
        amount: plan.amount,
        pointsReturned: plan.pointsReturned,
        accrualReversed,
        lines: plan.lines,
        balance,
      };
      await trx
        .updateTable("refunds")
        .set({ accrual_reversed: accrualReversed, response: JSON.stringify(view) })
        .where("id", "=", refundRow.id)
        .execute();
      await this.event(
        trx,
        purchase.id,
        "refunded",
        { refundId: request.refundId, amount: plan.amount },
        now,
      );
      return view;
    });
  }

  async get(
    principal: Principal,
    purchaseId: string,
  ): Promise<PurchaseView & { history: PurchaseHistoryEntry[] }> {
    const { db } = this.database;
    const purchase = await this.purchaseRow(db, principal, purchaseId, false);
    const events = await db
      .selectFrom("purchase_events")
      .select(["kind", "data", "created_at"])
      .where("purchase_id", "=", purchase.id)
      .orderBy("id")
      .execute();
    const balance = purchase.card_id === null ? null : await readBalance(db, purchase.card_id);
    return {
      ...purchaseView(purchase, parseReceipt(purchase), balance),
      history: events.map((e) => ({
        kind: e.kind,
        at: new Date(e.created_at).toISOString(),
        data: e.data ? JSON.parse(e.data) : null,
      })),
    };
  }

  private async storeFor(principal: Principal, storeCode: string): Promise<Store> {
    const store = await this.stores.byCode(principal.partnerId, storeCode);
    if (!store?.active)
      throw new DomainError("STORE_NOT_FOUND", `no store ${storeCode}`, { field: "storeCode" });
    if (principal.storeId !== null && principal.storeId !== store.id) {
      throw new DomainError("FORBIDDEN", "this credential acts for another store", { field: "storeCode" });
    }
    return store;
  }

  private async usableCard(partnerId: number, number: string): Promise<Card> {
    const card = await findCard(this.database.db, partnerId, number);
    if (!card) throw new DomainError("CARD_NOT_FOUND", "no such card", { field: "cardNumber" });
    if (card.status === "blocked")
      throw new DomainError("CARD_BLOCKED", "the card is blocked", { field: "cardNumber" });
    return card;
  }

  private async lineSources(partnerId: number, lines: CalculateRequest["lines"]): Promise<ReceiptSource[]> {
    const seen = new Set<string>();
    lines.forEach((line, i) => {
      if (seen.has(line.lineId)) {
        throw new DomainError("DUPLICATE_LINE_ID", `lineId ${line.lineId} appears twice`, {
          field: `lines[${i}].lineId`,
        });
      }
      seen.add(line.lineId);
      if (line.sku === undefined && line.barcode === undefined) {
        throw new DomainError("VALIDATION_FAILED", "a line needs a sku or a barcode", {
          field: `lines[${i}].sku`,
        });
      }
    });
    const skus = lines.flatMap((l) => (l.sku !== undefined ? [l.sku] : []));
    const barcodes = lines.flatMap((l) =>
      l.sku === undefined && l.barcode !== undefined ? [l.barcode] : [],
    );
    const found = await findProducts(this.database.db, partnerId, skus, barcodes);
    return lines.map((line, i) => {
      const product =
        (line.sku !== undefined ? found.bySku.get(line.sku) : undefined) ??
        (line.barcode !== undefined ? found.byBarcode.get(line.barcode) : undefined) ??
        null;
      const full = lineAmount(line.price, line.quantity);
      if (line.amount !== undefined && line.amount > full) {
        throw new DomainError("LINE_AMOUNT_TOO_HIGH", `amount exceeds price × quantity (${full})`, {
          field: `lines[${i}].amount`,
          max: full,
        });
      }
      return {
        lineId: line.lineId,
        sku: product?.sku ?? line.sku ?? null,
        barcode: line.barcode ?? null,
        productKnown: product !== null,
        quantity: line.quantity,
        unitPrice: line.price,
        amount: line.amount ?? full,
        product,
      };
    });
  }

  private lockPurchase(trx: Trx, principal: Principal, purchaseId: string): Promise<Row<"purchases">> {
    return this.purchaseRow(trx, principal, purchaseId, true);
  }

  /** The caller's purchase by its POS id; `lock` takes the row lock a change needs. */
  private async purchaseRow(
    executor: Executor,
    principal: Principal,
    purchaseId: string,
    lock: boolean,
  ): Promise<Row<"purchases">> {
    const query = executor
      .selectFrom("purchases")
      .selectAll()
      .where("partner_id", "=", principal.partnerId)
      .where("external_id", "=", purchaseId);
    const row = await (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
    if (!row) throw new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });
    if (principal.storeId !== null && principal.storeId !== row.store_id) {
      throw new DomainError("FORBIDDEN", "the purchase belongs to another store", { field: "purchaseId" });
    }
    return row;
  }

  /** A purchase still open for calculate, bonus payment and confirm. */
  private assertOpen(row: Row<"purchases">, now: number): void {
    if (row.state === "expired" || (row.state === "calculated" && row.expires_at <= now)) {
      throw new DomainError("PURCHASE_EXPIRED", "the purchase outlived its TTL; calculate a new one", {
        state: "expired",
      });
    }
    if (row.state !== "calculated") {
      throw new DomainError("PURCHASE_STATE_CONFLICT", `the purchase is ${row.state}`, { state: row.state });
    }
  }

  private programOf(purchase: Row<"purchases">, trx: Trx): Promise<LoadedProgram | null> {
    return purchase.program_id === null ? Promise.resolve(null) : this.programs.get(purchase.program_id, trx);
  }

  /**
   * Gives back spent points and takes back accrued ones, as a cancel or a refund plan says. Returns the
   * accrual actually taken back: points of the accrual that already expired are not taken twice.
   */
  private async reverseOnAccount(
    trx: Trx,
    purchase: Row<"purchases">,
    plan: RefundPlan,
    loaded: LoadedProgram | null,
    ctx: Omit<EntryContext, "purchaseId">,
  ): Promise<number> {
    if (purchase.card_id === null) return 0;
    const account = await lockAccount(this.database, trx, purchase.card_id);
    const entry = { ...ctx, purchaseId: purchase.id };
    const lifetime = loaded?.program.pointsLifetimeDays ?? null;
    await credit(trx, account, plan.pointsReturned, "reversal", lifetime, entry);
    return reverseAccrual(trx, account, purchase.accrual_lot_id, plan.accrualReversed, entry);
  }

  private async event(trx: Trx, purchaseId: number, kind: string, data: unknown, now: number): Promise<void> {
    this.pending.get(trx)?.push(kind);
    await trx
      .insertInto("purchase_events")
      .values({ purchase_id: purchaseId, kind, data: JSON.stringify(data), created_at: now })
      .execute();
  }
}

function ttlSecondsOf(loaded: LoadedProgram | null): number {
  return loaded?.program.purchaseTtlSeconds ?? DEFAULT_TTL_SECONDS;
}

type ReceiptSource = LineSource & { amount: number; product: ProductFacts | null };

/** Partners without a loyalty program still get their receipts priced: by an engine with no rules. */
const NO_RULES = createBasicEngine([], { maxPointsPaymentShareBp: 0 });

function evaluate(
  loaded: LoadedProgram | null,
  sources: ReceiptSource[],
  card: Card | null,
  promoCodes: string[],
): EngineResult {
  return (loaded?.engine ?? NO_RULES).evaluate({
    lines: sources.map((s) => ({
      lineId: s.lineId,
      product: s.product,
      quantity: s.quantity,
      unitPrice: s.unitPrice,
      amount: s.amount,
    })),
    card: card ? { status: card.status, level: card.level } : null,
    promoCodes,
  });
}
