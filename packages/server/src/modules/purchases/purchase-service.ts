/**
 * The purchase lifecycle as the surfaces see it: calculate (repeatable) → pay (optional) → confirm, or
 * cancel; then refunds; expire runs from the sweeper. Each is a small command in ./commands over the
 * purchase repository, deciding through the pure state machine (core/purchase-lifecycle.ts). Every call
 * is one transaction that locks the purchase row first and the points account second.
 */
import type { LineState } from "@kopilka/contract";
import { lineStatesOf } from "../../core/purchase-lifecycle.js";
import type { Page, PageQuery } from "../../infra/db/keyset.js";
import { DomainError } from "../../kernel/errors.js";
import type { Principal } from "../../kernel/index.js";
import { readBalance } from "../points/index.js";
import { planPromoCodes } from "../promo-codes/index.js";
import {
  type CalculateOptions,
  type CalculateRequest,
  type CalculationScope,
  calculate,
  scopeOf,
} from "./commands/calculate.js";
import { type CancelOptions, type CancelView, cancel } from "./commands/cancel.js";
import { type ConfirmAnswer, type ConfirmOptions, type ConfirmRequest, confirm } from "./commands/confirm.js";
import { pay } from "./commands/pay.js";
import { type RefundRequestBody, type RefundView, refund } from "./commands/refund.js";
import { type OnResolved, type Resolution, type ResolveOutcome, resolveHanging } from "./commands/resolve.js";
import type { Answer } from "./idempotency.js";
import { type PurchaseDeps, priceReceipt, type ReceiptInput, storeFor, usableCard } from "./pricing.js";
import {
  type ListedPurchase,
  listPurchases,
  type PurchaseFilter,
  purchasesOfCard,
  type RefundEntry,
  refundsOf,
  visiblePurchaseId,
} from "./purchase-queries.js";
import { type PurchaseState, type PurchaseView, parseReceipt, purchaseView } from "./purchase-record.js";
import {
  type HangingPurchase,
  type PurchaseEventListener,
  PurchaseRepository,
  type ReportedRefund,
  type WriteBehindFailure,
} from "./purchase-repository.js";
import { purchasesOfStoreDay, type StoreDayPage, type StoreDayQuery } from "./store-day.js";

export type { CalculateRequest, CalculationScope } from "./commands/calculate.js";
export type { CancelOptions, CancelView } from "./commands/cancel.js";
export type {
  ConfirmAnswer,
  ConfirmOptions,
  ConfirmRequest,
  ConfirmView,
  HangingView,
} from "./commands/confirm.js";
export type { RefundRequestBody, RefundView } from "./commands/refund.js";
export type { OnResolved, Resolution, ResolvedSummary, ResolveOutcome } from "./commands/resolve.js";
export type { Answer } from "./idempotency.js";
export type { ListedPurchase, PurchaseFilter, RefundEntry } from "./purchase-queries.js";

export interface PurchaseHistoryEntry {
  kind: string;
  at: string;
  data: unknown;
}

export interface PurchaseDetail extends PurchaseView {
  lineStates: { lineId: string; state: LineState }[];
  hangingReason: string | null;
  history: PurchaseHistoryEntry[];
}

export class PurchaseService {
  private readonly deps: PurchaseDeps;

  constructor(
    parts: Omit<PurchaseDeps, "repository">,
    onEvent: PurchaseEventListener = () => {},
    onWriteFailure?: WriteBehindFailure,
  ) {
    const repository = new PurchaseRepository(parts.database, onEvent, onWriteFailure);
    this.deps = { ...parts, repository };
  }

  /** Resolves once every calculation answered so far is written: before the database closes. */
  settled(): Promise<void> {
    return this.deps.repository.settled();
  }

  calculate(
    principal: Principal,
    request: CalculateRequest,
    options?: CalculateOptions,
  ): Promise<PurchaseView> {
    return calculate(this.deps, principal, request, options);
  }

  /**
   * A facade's own work over purchases in one soft transaction, as a calculation's (PharmApi: a
   * recalculation with no line to price still replaces the POS's earlier calculation).
   */
  softTransaction<T>(work: (scope: CalculationScope) => Promise<T>): Promise<T> {
    return this.deps.repository.transact((tx) => work(scopeOf(this.deps, tx, this.deps.clock.now())), {
      durable: false,
    });
  }

  bonusPayment(principal: Principal, purchaseId: string, amount: number): Promise<PurchaseView> {
    return pay(this.deps, principal, purchaseId, amount);
  }

  confirm(
    principal: Principal,
    purchaseId: string,
    request: ConfirmRequest,
    options?: ConfirmOptions,
  ): Promise<Answer<ConfirmAnswer>> {
    return confirm(this.deps, principal, purchaseId, request, options);
  }

  cancel(principal: Principal, purchaseId: string, options?: CancelOptions): Promise<Answer<CancelView>> {
    return cancel(this.deps, principal, purchaseId, options);
  }

  refund(principal: Principal, purchaseId: string, request: RefundRequestBody): Promise<Answer<RefundView>> {
    return refund(this.deps, principal, purchaseId, request);
  }

  /** Whether the rules give this receipt anything for the promo code (the till's check with a receipt). */
  async promoCodeApplies(principal: Principal, input: ReceiptInput, code: string): Promise<boolean> {
    const store = await storeFor(this.deps, principal, input.storeCode);
    const card = input.cardNumber ? await usableCard(this.deps, principal.partnerId, input.cardNumber) : null;
    const plan = await planPromoCodes(this.deps.database.db, {
      partnerId: principal.partnerId,
      programId:
        card?.programId ?? (await this.deps.programs.defaultFor(principal.partnerId))?.program.id ?? null,
      cardId: card?.id ?? null,
      presented: [code],
      purchaseExternalId: "",
      now: this.deps.clock.now(),
    });
    if (plan.engineCodes.length === 0) return false;
    const priced = await priceReceipt(
      this.deps,
      principal,
      { ...input, promoCodes: plan.engineCodes },
      store,
      card,
    );
    return priced.evaluation.appliedPromoCodes.length > 0;
  }

  async get(principal: Principal, purchaseId: string): Promise<PurchaseDetail> {
    const { repository, database } = this.deps;
    const purchase = await repository.find(principal, purchaseId);
    const events = await repository.history(purchase.id);
    const balance = purchase.card_id === null ? null : await readBalance(database.db, purchase.card_id);
    const receipt = parseReceipt(purchase);
    const states = lineStatesOf(
      receipt.lines.map((l) => l.lineId),
      purchase.state as PurchaseState,
      receipt.lineStates,
    );
    return {
      ...purchaseView(purchase, receipt, balance),
      lineStates: Object.entries(states).map(([lineId, state]) => ({ lineId, state })),
      hangingReason: purchase.hanging_reason,
      history: events.map((e) => ({
        kind: e.kind,
        at: new Date(e.created_at).toISOString(),
        data: e.data ? JSON.parse(e.data) : null,
      })),
    };
  }

  // ---- the cabinet ------------------------------------------------------------------------------

  /** A page of the purchases a partner may see (its stores', and all under programs it owns). */
  list(viewerPartnerId: number, filter: PurchaseFilter, page: PageQuery): Promise<Page<ListedPurchase>> {
    return listPurchases(this.deps.database.db, viewerPartnerId, filter, page);
  }

  /** A page of one card's purchases that the partner may see. */
  ofCard(viewerPartnerId: number, cardId: number, page: PageQuery): Promise<Page<ListedPurchase>> {
    return purchasesOfCard(this.deps.database.db, viewerPartnerId, cardId, page);
  }

  /** One purchase with its lines, history and refunds, sold by `sellerPartnerId` and visible to the viewer. */
  async detail(
    viewerPartnerId: number,
    sellerPartnerId: number,
    purchaseId: string,
  ): Promise<PurchaseDetail & { refunds: RefundEntry[] }> {
    const id = await visiblePurchaseId(this.deps.database.db, viewerPartnerId, sellerPartnerId, purchaseId);
    if (id === null) throw new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });
    const principal = { credentialId: 0, partnerId: sellerPartnerId, storeId: null, login: "cabinet" };
    return {
      ...(await this.get(principal, purchaseId)),
      refunds: await refundsOf(this.deps.database.db, id),
    };
  }

  /** An operator's decision on a hanging purchase of the partner's own stores (see commands/resolve.ts). */
  resolve(
    partnerId: number,
    purchaseId: string,
    resolution: Resolution,
    userId: number | null,
    onResolved?: OnResolved,
  ): Promise<ResolveOutcome> {
    return resolveHanging(this.deps, partnerId, purchaseId, resolution, userId, onResolved);
  }

  /** Purchases whose late confirm waits for an operator, oldest first (for the cabinet). */
  hanging(partnerId: number, limit = 100): Promise<HangingPurchase[]> {
    return this.deps.repository.hanging(partnerId, limit);
  }

  /** Refunds in [from, to) where the POS stated less than the proportional share, as the program allows. */
  refundsBelowProportional(partnerId: number, from: number, to: number): Promise<ReportedRefund[]> {
    return this.deps.repository.refundsBelowProportional(partnerId, from, to);
  }

  /** One store's purchases of a day, the seller's own only: what a till reconciles its journal with. */
  ofStoreDay(query: StoreDayQuery): Promise<StoreDayPage> {
    return purchasesOfStoreDay(this.deps.database.db, query);
  }
}
