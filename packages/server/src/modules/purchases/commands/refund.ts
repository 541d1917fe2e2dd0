/**
 * refund: the whole receipt or chosen lines; gives back the spent points and takes back the accrual of the
 * returned goods, in proportion, or as the POS states within the program's refund policy. Idempotent by
 * refundId: a repeat is a replay of the first answer; the same refundId with another body is a conflict.
 */
import type { PurchaseState } from "@kopilka/contract";
import { decideRefund, stateAfterRefund } from "../../../core/purchase-lifecycle.js";
import { applyRefund, applyRefundPolicy, planRefund, type RefundPlan } from "../../../core/refund.js";
import type { Principal } from "../../../kernel/index.js";
import { countRefund, recordingRefusedHits } from "../../anti-fraud/index.js";
import { balanceOf, type CardBalance, credit, lockAccount, reverseAccrual } from "../../points/index.js";
import { storeTimeZone } from "../../stores/index.js";
import { canonicalHash } from "../canonical-hash.js";
import { type Answer, firstAnswer, replay } from "../idempotency.js";
import { type PurchaseDeps, programOf } from "../pricing.js";
import { parseReceipt } from "../purchase-record.js";
import { receiptText } from "../receipt-text.js";
import { refusal } from "./shared.js";

export interface RefundRequestBody {
  refundId: string;
  lines?: { lineId: string; quantity: number }[];
  pointsToReturn?: number;
  accrualToReverse?: number;
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
  belowProportional: boolean;
}

export async function refund(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  request: RefundRequestBody,
): Promise<Answer<RefundView>> {
  const hash = canonicalHash(request);
  const now = deps.clock.now();
  return recordingRefusedHits(deps.database, now, deps.onCapHit, () =>
    refundOnce(deps, principal, purchaseId, request, hash, now),
  );
}

function refundOnce(
  deps: PurchaseDeps,
  principal: Principal,
  purchaseId: string,
  request: RefundRequestBody,
  hash: string,
  now: number,
): Promise<Answer<RefundView>> {
  return deps.repository.transact(async (tx) => {
    const purchase = await tx.lock(principal, purchaseId);
    const previous = await tx.refund(purchase.id, request.refundId);
    if (previous) {
      return replay<RefundView>(
        { response: previous.response, hash: previous.request_hash },
        hash,
        { state: purchase.state as PurchaseState },
        { field: "refundId", message: "this refundId was used with a different body" },
      );
    }
    const decision = decideRefund({ state: purchase.state as PurchaseState });
    if (decision.kind === "refuse") throw refusal(decision);
    const receipt = parseReceipt(purchase);
    const stated = {
      ...(request.lines ? { lines: request.lines } : {}),
      ...(request.pointsToReturn !== undefined ? { pointsToReturn: request.pointsToReturn } : {}),
      ...(request.accrualToReverse !== undefined ? { accrualToReverse: request.accrualToReverse } : {}),
    };
    const loaded = await programOf(deps, purchase.program_id, tx.trx);
    const plan = planRefund(receipt.lines, stated);
    // Anti-fraud (modules/anti-fraud): each refund counts against the POS credential's daily cap.
    if (loaded?.program.antiFraud) {
      await countRefund(tx.trx, {
        caps: loaded.program.antiFraud,
        partnerId: principal.partnerId,
        programId: loaded.program.id,
        credentialId: principal.credentialId,
        purchaseId: purchase.id,
        now,
        timeZone: (await storeTimeZone(tx.trx, purchase.store_id)) ?? "UTC",
      });
    }
    const policy = applyRefundPolicy(
      receipt.lines,
      stated,
      loaded?.program.refundPolicy === "pos_may_state_lower",
    );
    const lines = applyRefund(receipt.lines, plan);
    const nextState = stateAfterRefund(plan.completesPurchase);
    const refundRowId = await tx.insertRefund({
      purchase_id: purchase.id,
      external_id: request.refundId,
      request_hash: hash,
      amount: plan.amount,
      points_returned: plan.pointsReturned,
      accrual_reversed: plan.accrualReversed,
      points_minimum: policy.minimum.pointsToReturn,
      accrual_minimum: policy.minimum.accrualToReverse,
      below_proportional: policy.belowProportional ? 1 : 0,
      response: "{}",
      created_at: now,
    });
    let balance: CardBalance | null = null;
    let accrualReversed = 0;
    if (purchase.card_id !== null) {
      const account = await lockAccount(deps.database, tx.trx, purchase.card_id);
      const entry = {
        purchaseId: purchase.id,
        refundId: refundRowId,
        now,
        note: `refund ${request.refundId}`,
      };
      const lifetime = loaded?.program.pointsLifetimeDays ?? null;
      await credit(tx.trx, account, plan.pointsReturned, "reversal", lifetime, entry);
      // What of the accrual already expired (or was taken back) is not taken a second time.
      accrualReversed = await reverseAccrual(
        tx.trx,
        account,
        purchase.accrual_lot_id,
        plan.accrualReversed,
        entry,
      );
      balance = balanceOf(account);
    }
    await tx.update(purchase.id, {
      state: nextState,
      receipt: receiptText({ ...receipt, lines }),
      refunded_amount: purchase.refunded_amount + plan.amount,
      points_returned: purchase.points_returned + plan.pointsReturned,
      accrual_reversed: purchase.accrual_reversed + accrualReversed,
      closed_at: plan.completesPurchase ? now : null,
      updated_at: now,
    });
    const view: RefundView = {
      refundId: request.refundId,
      purchaseId: purchase.external_id,
      state: nextState,
      amount: plan.amount,
      pointsReturned: plan.pointsReturned,
      accrualReversed,
      lines: plan.lines,
      balance,
      belowProportional: policy.belowProportional,
    };
    await tx.updateRefund(refundRowId, { accrual_reversed: accrualReversed, response: JSON.stringify(view) });
    await tx.event(
      purchase.id,
      "refunded",
      {
        refundId: request.refundId,
        amount: plan.amount,
        ...(policy.belowProportional
          ? {
              belowProportional: {
                pointsToReturn: { stated: plan.pointsReturned, minimum: policy.minimum.pointsToReturn },
                accrualToReverse: { stated: plan.accrualReversed, minimum: policy.minimum.accrualToReverse },
              },
            }
          : {}),
      },
      now,
    );
    return firstAnswer(view, { state: nextState });
  });
}
