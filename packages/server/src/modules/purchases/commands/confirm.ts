/**
 * confirm: after the fiscal receipt, spends the held points and books the accrual. A repeat is a replay:
 * the first answer, marked, with the purchase's current state beside it.
 *
 * Late confirm: the till printed the receipt, then its confirm arrived after the purchase expired, or the
 * server lost the calculated purchase (PostgreSQL commits those without waiting for the disk). With the
 * receipt as printed it is applied when the receipt matches what the server calculated (the stored
 * purchase, or a lost one priced again with the same rules version) and the points it spent are still free;
 * the answer says `late`. Otherwise the purchase is kept `hanging`, with the reason, for an operator, and
 * nothing is applied: nothing is lost and nothing is applied twice. A receipt sent with a timely confirm is
 * checked the same way: a discount other than the one printed is never confirmed.
 */
import type { HangingReason, PurchaseState } from "@kopilka/contract";
import { sum } from "../../../core/arithmetic.js";
import { compareReceipt, type PrintedReceipt, type ReceiptMismatch } from "../../../core/printed-receipt.js";
import { formatDateRu } from "../../../core/promo-codes.js";
import {
  alternates,
  applyToLines,
  decideConfirm,
  type LineStates,
  stateOfLines,
} from "../../../core/purchase-lifecycle.js";
import { applyPointsPayment, type PricedLine, totalsOf } from "../../../core/receipt.js";
import { DomainError } from "../../../kernel/errors.js";
import type { Principal } from "../../../kernel/index.js";
import { consumeUsage, releaseUsage } from "../../anti-fraud/index.js";
import { type Card, cardStatus } from "../../cards/index.js";
import { consumeDiscountLimits, releaseDiscountLimits } from "../../discount-programs/index.js";
import { type LevelChange, levelAfterConfirm } from "../../levels/index.js";
import {
  accrue,
  balanceOf,
  type CardBalance,
  holdAndSpend,
  lockAccount,
  releaseHold,
  spendHold,
} from "../../points/index.js";
import { type LoadedProgram, parseRulesVersion } from "../../programs/index.js";
import { consumePromoCodes, issuePersonalCode, releasePromoCodes } from "../../promo-codes/index.js";
import { storeTimeZone } from "../../stores/index.js";
import { canonicalHash } from "../canonical-hash.js";
import { type Answer, firstAnswer, replay } from "../idempotency.js";
import { type Priced, type PurchaseDeps, priceReceipt, programOf, storeFor, usableCard } from "../pricing.js";
import {
  issuedAtConfirm,
  type PurchaseView,
  parseReceipt,
  purchaseView,
  type StoredReceipt,
} from "../purchase-record.js";
import type { PurchaseRow, PurchaseTx } from "../purchase-repository.js";
import { packedLinesText, receiptText } from "../receipt-text.js";
import { factsOf, refusal, targetLines } from "./shared.js";

export interface ConfirmRequest {
  fiscal?: { fn?: string; fd?: string; fpd?: string };
  receiptNumber?: string;
  /** The receipt as printed: required for a late confirm, checked whenever present. */
  receipt?: PrintedReceipt;
  /** Move the card up to the level its base reaches with this purchase (modules/levels). */
  upgradeLevel?: boolean;
}

export interface ConfirmOptions {
  /** Lines to confirm (discount programs that move no points); all when absent. */
  lineIds?: readonly string[];
}

export interface ConfirmView extends PurchaseView {
  receipt: { accrued: number; spent: number; balance: CardBalance | null };
  late: boolean;
  level?: LevelChange;
  issuedPromoCodes?: IssuedPromoCode[];
}

/** A personal code this purchase earned, for the receipt. */
export interface IssuedPromoCode {
  code: string;
  campaign: string;
  validTo: string | null;
  /** For the receipt, in Russian. */
  message: string;
}

export interface HangingView {
  purchaseId: string;
  state: "hanging";
  late: boolean;
  hanging: { reason: HangingReason; message: string };
}

export type ConfirmAnswer = ConfirmView | HangingView;

const LOST = Symbol("lost");
const TAKEN = Symbol("taken");

const MESSAGES: Record<HangingReason, string> = {
  RECEIPT_MISMATCH: "the printed receipt differs from what the server calculated",
  POINTS_UNAVAILABLE: "the points the receipt spent are no longer available on the card",
  RULES_VERSION_UNKNOWN: "the rules the purchase was priced with can no longer be rebuilt",
  CARD_UNUSABLE: "the card on the receipt is unknown or blocked",
  PROMO_CODE_UNAVAILABLE: "a promo code the receipt used has no uses left",
};

export async function confirm(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  request: ConfirmRequest,
  options: ConfirmOptions = {},
): Promise<Answer<ConfirmAnswer>> {
  const hash = canonicalHash(request);
  // Twice at most: a lost purchase priced again may meet a concurrent call that created the id meanwhile.
  for (let attempt = 0; ; attempt++) {
    const known = await deps.repository.transact((tx) =>
      confirmKnown(deps, tx, principal, purchaseId, request, hash, options.lineIds),
    );
    if (known !== LOST) return known;
    const printed = request.receipt;
    if (!printed) throw new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });
    // Pricing reads the catalogue outside any transaction (on SQLite a transaction holds the only connection).
    const lost = await priceLost(deps, principal, purchaseId, printed);
    const result = await deps.repository.transact((tx) =>
      confirmLost(deps, tx, principal, purchaseId, request, printed, hash, lost),
    );
    if (result !== TAKEN || attempt > 0) {
      if (result === TAKEN)
        throw new Error(`purchase ${purchaseId} appeared and vanished during a late confirm`);
      return result;
    }
  }
}

async function confirmKnown(
  deps: PurchaseDeps,
  tx: PurchaseTx,
  principal: Principal,
  purchaseId: string,
  request: ConfirmRequest,
  hash: string,
  lineIds: readonly string[] | undefined,
): Promise<Answer<ConfirmAnswer> | typeof LOST> {
  const now = deps.clock.now();
  const row = await tx.lockIfAny(principal, purchaseId);
  if (!row) {
    if (!request.receipt)
      throw new DomainError("PURCHASE_NOT_FOUND", "no such purchase", { field: "purchaseId" });
    return LOST;
  }
  const loaded = await programOf(deps, row.program_id, tx.trx);
  const facts = factsOf(row, loaded, now);
  const receipt = parseReceipt(row);
  const { states, targets } = targetLines(facts, receipt, lineIds);
  const targetsDone = targets.every((id) => states[id] === "confirmed");
  const decision = decideConfirm(facts, request.receipt !== undefined, targetsDone);
  if (decision.kind === "refuse") throw refusal(decision);
  if (decision.kind === "replay") {
    return replay<ConfirmAnswer>(
      { response: row.confirm_response ?? "{}", hash: row.confirm_hash },
      hash,
      { state: row.state as PurchaseState },
      { field: "fiscal", message: "the purchase was confirmed with other data" },
    );
  }
  const late = decision.kind === "confirm_late";
  if (request.receipt) {
    const mismatch = compareReceipt(request.receipt, receipt);
    if (mismatch) {
      return hang(deps, tx, row, request, hash, { reason: "RECEIPT_MISMATCH", mismatch, late }, now);
    }
  }
  const lineStates = alternates(facts) ? { states, targets } : null;
  return apply(deps, tx, row, loaded, receipt, request, hash, { late, lineStates }, now);
}

interface ApplyOptions {
  late: boolean;
  /** Alternating purchases: their line states and the lines this call confirms. */
  lineStates: { states: LineStates; targets: string[] } | null;
}

/** Confirms: spends the points (from the open hold, or freshly when the hold is gone) and books the accrual. */
async function apply(
  deps: PurchaseDeps,
  tx: PurchaseTx,
  row: PurchaseRow,
  loaded: LoadedProgram | null,
  receipt: StoredReceipt,
  request: ConfirmRequest,
  hash: string,
  options: ApplyOptions,
  now: number,
): Promise<Answer<ConfirmAnswer>> {
  // The store's zone, read in this transaction at most once, only by the parts that need it.
  let zone: Promise<string> | undefined;
  const storeZone = () => (zone ??= storeTimeZone(tx.trx, row.store_id).then((z) => z ?? "UTC"));
  // --- promo codes (modules/promo-codes): reservations become uses; a lapsed one is taken again or the
  // purchase hangs rather than exceed a code's limit. Lock order: purchase, promo codes, points account.
  // Only a receipt that applied codes has reservations.
  const missing =
    receipt.promoCodes.applied.length === 0
      ? []
      : await consumePromoCodes(tx.trx, {
          purchaseId: row.id,
          cardId: row.card_id,
          appliedCodes: receipt.promoCodes.applied,
          partnerId: row.partner_id,
          programId: row.program_id,
          now,
        });
  if (missing.length > 0) {
    return hang(deps, tx, row, request, hash, { reason: "PROMO_CODE_UNAVAILABLE", late: options.late }, now);
  }
  // --- end promo codes
  // Discount programs: the confirmed lines' limit holds are consumed (a released one is taken again or refused).
  const confirming = options.lineStates?.targets ?? null;
  await consumeDiscountLimits(deps.database, tx.trx, row, loaded?.program.code ?? null, confirming, now);
  let lines = receipt.lines;
  let accrualLotId = row.accrual_lot_id;
  let balance: CardBalance | null = null;
  let spent = 0;
  if (row.card_id !== null && options.lineStates === null) {
    const account = await lockAccount(deps.database, tx.trx, row.card_id);
    const ctx = { purchaseId: row.id, now };
    // The sale is fiscalised, so held points are spent whatever happened to the card since.
    if (row.state === "calculated") {
      // Only a purchase with a points payment has a hold (of exactly that amount).
      if (row.points_spent > 0) spent = await spendHold(tx.trx, account, ctx);
    } else {
      const wanted = sum(lines.map((l) => l.pointsPaid));
      if (wanted > account.active - account.held) {
        const late = options.late;
        return hang(deps, tx, row, request, hash, { reason: "POINTS_UNAVAILABLE", late }, now);
      }
      await holdAndSpend(tx.trx, account, wanted, ctx);
      spent = wanted;
    }
    // A card blocked in the meantime earns nothing (and its lines then carry no accrual a refund could take).
    if ((await cardStatus(tx.trx, row.card_id)) === "blocked") {
      lines = lines.map((l) => ({ ...l, accrual: 0 }));
    }
    const accrued = totalsOf(lines).accrual;
    accrualLotId = await accrue(
      tx.trx,
      account,
      accrued,
      { holdDays: loaded?.program.holdDays ?? 0, lifetimeDays: loaded?.program.pointsLifetimeDays ?? null },
      ctx,
    );
    balance = balanceOf(account);
    // Anti-fraud (modules/anti-fraud): the reservations become what was really spent and accrued.
    if (loaded?.program.antiFraud) {
      await consumeUsage(tx.trx, {
        caps: loaded.program.antiFraud,
        programId: loaded.program.id,
        cardId: row.card_id,
        purchaseId: row.id,
        spent,
        accrued,
        now,
        timeZone: await storeZone(),
      });
    }
  }
  let state: PurchaseState = "confirmed";
  let stored: StoredReceipt = { ...receipt, lines };
  if (options.lineStates) {
    const next = applyToLines(options.lineStates.states, "confirm", options.lineStates.targets);
    if ("unknown" in next) throw new Error("confirm named lines that are not on the receipt");
    state = stateOfLines(next.lines);
    stored = { ...stored, lineStates: next.lines };
  }
  const totals = totalsOf(lines);
  // --- card levels (modules/levels): an upgrade asked for, or the program's upgrade at every confirm
  const level =
    row.card_id !== null && options.lineStates === null
      ? await levelAfterConfirm(tx.trx, {
          cardId: row.card_id,
          programId: row.program_id,
          purchaseId: row.id,
          requested: request.upgradeLevel === true,
          thisPurchase: { amount: totals.total, accrued: totals.accrual },
          now,
        })
      : null;
  // --- end card levels
  // --- promo codes issued by rules (modules/promo-codes): the card's personal codes for a next purchase
  const issued =
    row.card_id !== null && options.lineStates === null && receipt.issueOnConfirm
      ? await issueRuleCodes(tx, row, row.card_id, receipt, storeZone, now)
      : [];
  // --- end issued promo codes
  const fiscal =
    request.fiscal || request.receiptNumber
      ? JSON.stringify({ fiscal: request.fiscal, receiptNumber: request.receiptNumber })
      : null;
  const confirmed: PurchaseRow = {
    ...row,
    state,
    receipt: receiptText(stored),
    points_spent: options.lineStates ? row.points_spent : spent,
    points_accrued: totals.accrual,
    confirmed_at: now,
    closed_at: null,
    accrual_lot_id: accrualLotId,
    fiscal,
    confirm_hash: hash,
    hanging_reason: null,
    updated_at: now,
  };
  const view: ConfirmView = {
    ...purchaseView(confirmed, stored, balance),
    receipt: { accrued: totals.accrual, spent, balance },
    late: options.late,
    ...(level ? { level } : {}),
    ...(issued.length > 0
      ? { issuedPromoCodes: issued, messages: [...stored.messages, ...issued.map(issuedMessage)] }
      : {}),
  };
  await tx.update(row.id, {
    state: confirmed.state,
    // Most confirms leave the receipt as calculated: a few kilobytes not written again.
    ...(confirmed.receipt !== row.receipt ? { receipt: confirmed.receipt } : {}),
    points_spent: confirmed.points_spent,
    points_accrued: confirmed.points_accrued,
    confirmed_at: now,
    closed_at: null,
    accrual_lot_id: accrualLotId,
    fiscal,
    confirm_hash: hash,
    confirm_response: packedLinesText(view),
    hanging_reason: null,
    updated_at: now,
  });
  await tx.event(
    row.id,
    "confirmed",
    {
      accrued: totals.accrual,
      spent,
      ...(options.late ? { late: true } : {}),
      ...(options.lineStates ? { lines: options.lineStates.targets } : {}),
      ...(issued.length > 0 ? { issuedPromoCodes: issued.length } : {}),
    },
    now,
  );
  return firstAnswer<ConfirmAnswer>(view, { state: confirmed.state as PurchaseState });
}

/** One single-use code per `issue_promo_code` the receipt's rules asked for, in the confirm's transaction. */
async function issueRuleCodes(
  tx: PurchaseTx,
  row: PurchaseRow,
  cardId: number,
  receipt: StoredReceipt,
  timeZone: () => Promise<string>,
  now: number,
): Promise<IssuedPromoCode[]> {
  if (row.program_id === null) return [];
  const issued: IssuedPromoCode[] = [];
  for (const instruction of receipt.issueOnConfirm ?? []) {
    const { code, validTo } = await issuePersonalCode(tx.trx, {
      partnerId: row.partner_id,
      programId: row.program_id,
      cardId,
      campaign: instruction.campaign,
      validDays: instruction.validDays,
      now,
    });
    const until = validTo === null ? "" : `, действует до ${formatDateRu(validTo, await timeZone())}`;
    issued.push({
      code,
      campaign: instruction.campaign,
      validTo: validTo === null ? null : new Date(validTo).toISOString(),
      message: `Промокод на следующую покупку: ${code}${until}`,
    });
  }
  return issued;
}

function issuedMessage(issued: IssuedPromoCode) {
  return { code: "PROMO_CODE_ISSUED", text: issued.message };
}

interface HangingCause {
  reason: HangingReason;
  late: boolean;
  mismatch?: ReceiptMismatch;
}

/** Keeps the purchase for an operator: nothing applied, its hold released, the printed receipt kept. */
async function hang(
  deps: PurchaseDeps,
  tx: PurchaseTx,
  row: PurchaseRow,
  request: ConfirmRequest,
  hash: string,
  cause: HangingCause,
  now: number,
): Promise<Answer<ConfirmAnswer>> {
  // Promo codes: nothing is applied, so a use this confirm consumed before it hung is given back too.
  await releasePromoCodes(tx.trx, row.id, now, { consumed: true });
  await releaseDiscountLimits(tx.trx, row, null, now); // discount programs
  await releaseUsage(tx.trx, row.id, now); // anti-fraud caps
  if (row.state === "calculated" && row.card_id !== null && row.points_spent > 0) {
    const account = await lockAccount(deps.database, tx.trx, row.card_id);
    await releaseHold(tx.trx, account, row.id, "released", now);
  }
  const view: HangingView = {
    purchaseId: row.external_id,
    state: "hanging",
    late: cause.late,
    hanging: { reason: cause.reason, message: MESSAGES[cause.reason] },
  };
  await tx.update(row.id, {
    state: "hanging",
    hanging_reason: cause.reason,
    points_spent: 0,
    confirm_hash: hash,
    confirm_response: JSON.stringify(view),
    fiscal:
      request.fiscal || request.receiptNumber
        ? JSON.stringify({ fiscal: request.fiscal, receiptNumber: request.receiptNumber })
        : null,
    closed_at: null,
    updated_at: now,
  });
  await tx.event(
    row.id,
    "confirm_hanging",
    {
      reason: cause.reason,
      late: cause.late,
      ...(cause.mismatch ? { mismatch: cause.mismatch } : {}),
      printed: request.receipt ?? null,
    },
    now,
  );
  return firstAnswer<ConfirmAnswer>(view, { state: "hanging" });
}

// ---------------------------------------------------------------------------------------------------
// A purchase the server no longer has

interface LostPricing {
  priced: Priced;
  /** Set when the card on the receipt cannot be used: the purchase is priced without it and hangs. */
  cardProblem: boolean;
}

async function priceLost(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  printed: PrintedReceipt,
): Promise<LostPricing> {
  const store = await storeFor(deps, principal, printed.storeCode);
  let card: Card | null = null;
  let cardProblem = false;
  if (printed.cardNumber !== undefined) {
    try {
      card = await usableCard(deps, principal.partnerId, printed.cardNumber);
    } catch (error) {
      if (
        !(error instanceof DomainError) ||
        (error.code !== "CARD_NOT_FOUND" && error.code !== "CARD_BLOCKED")
      )
        throw error;
      cardProblem = true;
    }
  }
  const input = {
    purchaseId,
    storeCode: printed.storeCode,
    ...(printed.promoCodes ? { promoCodes: printed.promoCodes } : {}),
    lines: printed.lines.map((l) => ({
      lineId: l.lineId,
      ...(l.sku !== undefined ? { sku: l.sku } : {}),
      ...(l.barcode !== undefined ? { barcode: l.barcode } : {}),
      quantity: l.quantity,
      price: l.price,
      ...(l.amount !== undefined ? { amount: l.amount } : {}),
    })),
  };
  const exactRules = async () => {
    const loaded = await namedVersion(deps, principal, card, printed.rulesVersion);
    return loaded ? { loaded } : {};
  };
  return {
    priced: await priceReceipt(deps, principal, input, store, card, await exactRules()),
    cardProblem,
  };
}

/**
 * The exact program version the printed receipt names, when it is one of the card's program (or, without a
 * card, of the partner's default program) and still recorded; otherwise undefined: the receipt is priced
 * with the current rules, for the record, and hangs (RULES_VERSION_UNKNOWN).
 */
async function namedVersion(
  deps: PurchaseDeps,
  principal: Principal,
  card: Card | null,
  rulesVersion: string | undefined,
): Promise<LoadedProgram | undefined> {
  const named = rulesVersion ? parseRulesVersion(rulesVersion) : null;
  if (!named) return undefined;
  const programId = card
    ? card.programId
    : ((await deps.programs.defaultFor(principal.partnerId))?.program.id ?? null);
  if (programId !== named.programId) return undefined;
  return (await deps.programs.atVersion(programId, named.version)) ?? undefined;
}

function sameRulesVersion(printed: string | undefined, priced: string): boolean {
  const a = printed ? parseRulesVersion(printed) : null;
  const b = parseRulesVersion(priced);
  return a !== null && b !== null && a.programId === b.programId && a.version === b.version;
}

/** The lines as the till would have had them after its points payment; null when the payment cannot fit. */
function withPayment(priced: Priced, pointsSpent: number): PricedLine[] | null {
  try {
    return applyPointsPayment(priced.lines, pointsSpent, priced.evaluation.pointsPaymentLimit);
  } catch (error) {
    if (error instanceof DomainError) return null;
    throw error;
  }
}

async function confirmLost(
  deps: PurchaseDeps,
  tx: PurchaseTx,
  principal: Principal,
  purchaseId: string,
  request: ConfirmRequest,
  printed: PrintedReceipt,
  hash: string,
  { priced, cardProblem }: LostPricing,
): Promise<Answer<ConfirmAnswer> | typeof TAKEN> {
  const now = deps.clock.now();
  const paid = withPayment(priced, printed.pointsSpent);
  const lines = paid ?? priced.lines;
  const receipt: StoredReceipt = {
    storeCode: priced.store.code,
    cardNumber: priced.card?.number ?? printed.cardNumber ?? null,
    lines,
    promoCodes: {
      applied: priced.evaluation.appliedPromoCodes,
      unknown: priced.evaluation.unknownPromoCodes,
    },
    messages: priced.evaluation.messages,
    ...issuedAtConfirm(priced.card, priced.evaluation.instructions),
  };
  const totals = totalsOf(lines);
  const row = await tx.insert({
    partner_id: principal.partnerId,
    external_id: purchaseId,
    program_id: priced.loaded?.program.id ?? null,
    store_id: priced.store.id,
    pos_code: printed.posCode,
    card_id: priced.card?.id ?? null,
    // Recorded as hanging until it is applied in this same transaction.
    state: "hanging",
    request_hash: canonicalHash(printed),
    receipt: receiptText(receipt),
    subtotal: totals.subtotal,
    discount_total: totals.discount,
    total: totals.total,
    points_limit: priced.evaluation.pointsPaymentLimit,
    points_spent: 0,
    points_accrued: totals.accrual,
    refunded_amount: 0,
    points_returned: 0,
    accrual_reversed: 0,
    rules_version: priced.rulesVersion,
    applied_rules: priced.evaluation.appliedRules,
    expires_at: now,
    created_at: now,
    updated_at: now,
  });
  if (!row) return TAKEN;
  await tx.event(row.id, "recovered", { rulesVersion: priced.rulesVersion }, now);
  const cause = (reason: HangingReason, mismatch?: ReceiptMismatch): HangingCause => ({
    reason,
    late: true,
    ...(mismatch ? { mismatch } : {}),
  });
  if (cardProblem) return hang(deps, tx, row, request, hash, cause("CARD_UNUSABLE"), now);
  if (!sameRulesVersion(printed.rulesVersion, priced.rulesVersion)) {
    return hang(deps, tx, row, request, hash, cause("RULES_VERSION_UNKNOWN"), now);
  }
  const mismatch = paid
    ? compareReceipt(printed, receipt)
    : {
        field: "receipt.pointsSpent",
        printed: printed.pointsSpent,
        calculated: priced.evaluation.pointsPaymentLimit,
      };
  if (mismatch) return hang(deps, tx, row, request, hash, cause("RECEIPT_MISMATCH", mismatch), now);
  return apply(deps, tx, row, priced.loaded, receipt, request, hash, { late: true, lineStates: null }, now);
}
