/**
 * calculate: prices a receipt and keeps it as a `calculated` purchase. A repeat with the same purchase id
 * while it is calculated is a replacement: the changed receipt is priced again, and a points payment that
 * still fits is kept (its hold follows the new lifetime), otherwise released with a message to the cashier.
 * Soft state: a new purchase that reserves nothing is answered at once and written behind, in batches
 * (write-behind.ts); the others commit without waiting for the disk. A late confirm covers a lost one.
 */
import type { CashierMessage } from "../../../core/engine/types.js";
import { decideReplace } from "../../../core/purchase-lifecycle.js";
import { applyPointsPayment, totalsOf } from "../../../core/receipt.js";
import type { Trx } from "../../../infra/db/database.js";
import { type Principal, withRepricingOnQuotaTaken } from "../../../kernel/index.js";
import {
  extendUsage,
  localDay,
  recordHit,
  releaseSpending,
  releaseUsage,
  reserveAccrual,
} from "../../anti-fraud/index.js";
import type { Card } from "../../cards/index.js";
import { reserveLimits } from "../../discount-programs/index.js";
import { committedBalance, extendHold, lockAccount, readBalance, releaseHold } from "../../points/index.js";
import {
  type PlanRequest,
  planPromoCodes,
  promoOutcomeOf,
  reservePromoCodes,
  withPromoCodeRetry,
} from "../../promo-codes/index.js";
import { arrivalHash } from "../canonical-hash.js";
import {
  type PurchaseDeps,
  priceReceipt,
  type ReceiptInput,
  requestCard,
  storeFor,
  ttlSecondsOf,
  usableCardOnArrival,
} from "../pricing.js";
import { issuedAtConfirm, type PurchaseView, purchaseView, type StoredReceipt } from "../purchase-record.js";
import type { PurchaseTx } from "../purchase-repository.js";
import { receiptText } from "../receipt-text.js";
import { cancelWithin } from "./cancel.js";
import { factsOf, refusal } from "./shared.js";

export interface CalculateRequest extends ReceiptInput {
  purchaseId: string;
  posCode: string;
}

/** What a caller's own work inside a calculation's transaction may do (CalculateOptions). */
export interface CalculationScope {
  readonly trx: Trx;
  /** Cancels another purchase of the caller in this transaction: one the calculation replaces. */
  cancel(principal: Principal, purchaseId: string): Promise<void>;
}

/**
 * A facade's own records written atomically with the calculation (PharmApi: the purchases a recalculation
 * replaces are cancelled, its transaction codes recorded). Such a calculation is never written behind.
 */
export interface CalculateOptions {
  /**
   * Purchases (row ids) whose discount limit holds `before` releases: pricing, which runs before the
   * transaction, does not count them against the card's limits (the reservation counts again under lock).
   */
  releasing?: readonly number[];
  /** Runs first in the calculation's transaction, and again when the transaction is retried. */
  before?: (scope: CalculationScope) => Promise<void>;
  /** Runs last in the calculation's transaction with its answer, and again when it is retried. */
  after?: (scope: CalculationScope, view: PurchaseView) => Promise<void>;
  /** The request's card as the caller read it moments before (committed), so it is not read again. */
  card?: Card;
}

export function scopeOf(deps: PurchaseDeps, tx: PurchaseTx, now: number): CalculationScope {
  return {
    trx: tx.trx,
    cancel: async (owner, purchaseId) => {
      await cancelWithin(deps, tx, owner, purchaseId, {}, now);
    },
  };
}

export function calculate(
  deps: PurchaseDeps,
  principal: Principal,
  request: CalculateRequest,
  options: CalculateOptions = {},
): Promise<PurchaseView> {
  // Promo codes: a code a concurrent purchase took is refused and the receipt priced again without it.
  // Quota a concurrent purchase took (a discount program's limit, the card's daily accrual allowance) is
  // priced again: the line then says so, or the accrual is trimmed more.
  // The caller's card is as it was read before the first pricing; a later one reads it again.
  let pricings = 0;
  const { card: _readBefore, ...later } = options;
  return withRepricingOnQuotaTaken(() =>
    withPromoCodeRetry((refused) =>
      calculateOnce(deps, principal, request, refused, true, pricings++ === 0 ? options : later),
    ),
  );
}

async function calculateOnce(
  deps: PurchaseDeps,
  principal: Principal,
  request: CalculateRequest,
  refusedCodes: PlanRequest["refused"],
  /** False for the write-behind's redo of a calculation whose id another process took meanwhile. */
  mayWriteBehind: boolean,
  options: CalculateOptions = {},
): Promise<PurchaseView> {
  const store = await storeFor(deps, principal, request.storeCode);
  // A calculation that may be written behind reads the card, its balance and whether the purchase id is
  // taken at once (pricing.ts); the others read the balance and the purchase in their transaction.
  const mayBeBehind = mayWriteBehind && !options.before && !options.after;
  const arrival =
    request.cardNumber && mayBeBehind
      ? await usableCardOnArrival(deps, principal.partnerId, request.cardNumber, request.purchaseId)
      : null;
  const card =
    arrival?.card ?? (await requestCard(deps, principal.partnerId, request.cardNumber, options.card));
  // --- promo codes (modules/promo-codes): judged before pricing, the engine sees only usable ones
  const promo = await planPromoCodes(deps.database.db, {
    partnerId: principal.partnerId,
    programId: card?.programId ?? (await deps.programs.defaultFor(principal.partnerId))?.program.id ?? null,
    cardId: card?.id ?? null,
    presented: request.promoCodes ?? [],
    purchaseExternalId: request.purchaseId,
    now: deps.clock.now(),
    timeZone: store.timezone,
    ...(refusedCodes ? { refused: refusedCodes } : {}),
  });
  const forEngine = request.promoCodes ? { ...request, promoCodes: promo.engineCodes } : request;
  const priced = await priceReceipt(deps, principal, forEngine, store, card, {
    purchaseId: request.purchaseId,
    ...(options.releasing ? { releasing: options.releasing } : {}),
  });
  const { evaluation, loaded } = priced;
  const promoOutcome = promoOutcomeOf(promo, evaluation);
  // --- end promo codes
  const now = deps.clock.now();
  const receipt: StoredReceipt = {
    storeCode: store.code,
    cardNumber: card?.number ?? null,
    lines: priced.lines,
    promoCodes: promoOutcome.promoCodes,
    messages: promoOutcome.messages,
    ...issuedAtConfirm(card, evaluation.instructions),
  };
  const totals = totalsOf(priced.lines);
  const expiresAt = now + ttlSecondsOf(loaded) * 1000;
  const columns = {
    program_id: loaded?.program.id ?? null,
    store_id: store.id,
    pos_code: request.posCode,
    card_id: card?.id ?? null,
    request_hash: arrivalHash(request),
    receipt: receiptText(receipt),
    subtotal: totals.subtotal,
    discount_total: totals.discount,
    total: totals.total,
    points_limit: evaluation.pointsPaymentLimit,
    points_accrued: totals.accrual,
    rules_version: priced.rulesVersion,
    applied_rules: evaluation.appliedRules,
    expires_at: expiresAt,
    updated_at: now,
  };

  const newPurchase = {
    ...columns,
    partner_id: principal.partnerId,
    external_id: request.purchaseId,
    state: "calculated",
    points_spent: 0,
    refunded_amount: 0,
    points_returned: 0,
    accrual_reversed: 0,
    created_at: now,
  };

  // Discount programs (modules/discount-programs): the lines' packs are reserved against the card's limits.
  const reserveDiscountLimits = async (
    tx: { trx: Parameters<typeof reserveLimits>[0] },
    purchaseId: number,
  ) => {
    const discount = priced.discountProgram;
    if (!discount || !card) return;
    const lines = discount.evaluation.lines;
    await reserveLimits(tx.trx, {
      program: discount.compiled,
      cardNumber: card.number,
      purchaseId,
      lines,
      expiresAt,
      now,
      timeZone: store.timezone,
    });
  };

  // --- anti-fraud (modules/anti-fraud): a program with caps reserves the card's accrual
  const caps = card ? (loaded?.program.antiFraud ?? null) : null;
  const accrualCapped = caps !== null && evaluation.messages.some((m) => m.code === "ACCRUAL_CAPPED");
  const antiFraud = async (
    tx: { trx: Parameters<typeof reserveAccrual>[0] },
    purchaseId: number,
    accrual: number,
  ) => {
    if (!caps || !card || !loaded) return;
    await reserveAccrual(tx.trx, {
      caps,
      programId: loaded.program.id,
      cardId: card.id,
      purchaseId,
      accrual,
      expiresAt,
      now,
      timeZone: store.timezone,
    });
    if (accrualCapped) {
      const day = localDay(now, store.timezone);
      const hit = { partnerId: principal.partnerId, programId: loaded.program.id, day };
      await recordHit(
        tx.trx,
        { ...hit, cap: "maxAccrualPerCardPerDay", subjectKind: "card", subjectId: card.id },
        now,
      );
    }
  };
  const told = <T>(view: T): T => {
    if (caps && accrualCapped) deps.onCapHit?.("maxAccrualPerCardPerDay");
    return view;
  };
  // --- end anti-fraud

  // Nothing to reserve and no purchase to replace: answer now, write behind (write-behind.ts).
  if (
    mayBeBehind &&
    deps.repository.calculations.accepting() &&
    promo.byKey.size === 0 &&
    !priced.discountProgram &&
    caps?.maxAccrualPerCardPerDay == null &&
    !(await deps.repository.exists(principal, request.purchaseId, arrival?.purchaseTaken))
  ) {
    const queued = deps.repository.calculations.add({
      partnerId: principal.partnerId,
      externalId: request.purchaseId,
      row: newPurchase,
      event: { total: totals.total, lines: priced.lines.length },
      redo: () => calculateOnce(deps, principal, request, refusedCodes, false),
    });
    if (queued) {
      const balance = card ? (arrival?.balance ?? (await committedBalance(deps.database, card.id))) : null;
      return purchaseView({ ...newPurchase, confirmed_at: null }, receipt, balance);
    }
  }

  const write = async (tx: PurchaseTx): Promise<PurchaseView> => {
    const inserted = await tx.insert(newPurchase);
    if (inserted) {
      const reserve = { purchaseId: inserted.id, cardId: card?.id ?? null, expiresAt, now };
      await reservePromoCodes(tx.trx, promo, evaluation.appliedPromoCodes, reserve); // promo codes
      await reserveDiscountLimits(tx, inserted.id); // discount programs
      await antiFraud(tx, inserted.id, totals.accrual); // anti-fraud caps
      await tx.event(inserted.id, "calculated", { total: totals.total, lines: priced.lines.length }, now);
      return purchaseView(inserted, receipt, card ? await readBalance(tx.trx, card.id) : null);
    }

    const existing = await tx.lock(principal, request.purchaseId);
    const decision = decideReplace(factsOf(existing, loaded, now));
    if (decision.kind === "refuse") throw refusal(decision);
    const reserve = { purchaseId: existing.id, cardId: card?.id ?? null, expiresAt, now };
    await reservePromoCodes(tx.trx, promo, evaluation.appliedPromoCodes, reserve); // promo codes
    await reserveDiscountLimits(tx, existing.id); // discount programs
    let lines = priced.lines;
    let held = 0;
    const messages: CashierMessage[] = [...receipt.messages];
    const sameCard = existing.card_id === (card?.id ?? null);
    const keepsPayment =
      existing.points_spent > 0 && sameCard && existing.points_spent <= evaluation.pointsPaymentLimit;
    if (keepsPayment) {
      lines = applyPointsPayment(priced.lines, existing.points_spent, evaluation.pointsPaymentLimit);
      held = existing.points_spent;
    }
    // Anti-fraud (lock order: purchase, anti-fraud lock, points account): another card gives back all
    // of the old one's usage; the reservations follow the purchase's new lifetime.
    if (!sameCard && existing.card_id !== null) await releaseUsage(tx.trx, existing.id, now);
    await antiFraud(tx, existing.id, totalsOf(lines).accrual);
    if (caps) {
      if (keepsPayment) await extendUsage(tx.trx, existing.id, expiresAt, now);
      else await releaseSpending(tx.trx, existing.id, now);
    }
    if (keepsPayment) {
      await extendHold(tx.trx, existing.id, expiresAt);
    } else if (existing.points_spent > 0) {
      messages.push({
        code: "POINTS_PAYMENT_RESET",
        text: "Чек изменился: оплата баллами отменена, укажите её заново",
      });
      if (existing.card_id !== null) {
        const account = await lockAccount(deps.database, tx.trx, existing.card_id);
        await releaseHold(tx.trx, account, existing.id, "released", now);
      }
    }
    const updated = { ...receipt, lines, messages };
    const row = await tx.updateReturning(existing.id, {
      ...columns,
      receipt: receiptText(updated),
      points_spent: held,
      points_accrued: totalsOf(lines).accrual,
    });
    await tx.event(existing.id, "recalculated", { total: totals.total, pointsHeld: held }, now);
    return purchaseView(row, updated, card ? await readBalance(tx.trx, card.id) : null);
  };
  const view = await deps.repository.transact(
    async (tx) => {
      const scope = scopeOf(deps, tx, now);
      await options.before?.(scope);
      const written = await write(tx);
      await options.after?.(scope, written);
      return written;
    },
    { durable: false, afterCalculations: mayWriteBehind },
  );
  return told(view);
}
