/** What the purchase commands share: the facts the state machine decides on, and the lines a call names. */
import type { LineState, PurchaseState } from "@kopilka/contract";
import {
  alternates,
  lineStatesOf,
  type PurchaseFacts,
  type Refusal,
} from "../../../core/purchase-lifecycle.js";
import { DomainError } from "../../../kernel/errors.js";
import type { LoadedProgram } from "../../programs/index.js";
import type { StoredReceipt } from "../purchase-record.js";
import type { PurchaseRow } from "../purchase-repository.js";

export function factsOf(row: PurchaseRow, loaded: LoadedProgram | null, now: number): PurchaseFacts {
  return {
    state: row.state as PurchaseState,
    now,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    programKind: loaded?.program.kind ?? null,
    cancelWindowMs: (loaded?.program.cancelWindowMinutes ?? 0) * 60_000,
    movesPoints: row.points_spent > 0 || row.points_accrued > 0,
    confirmAnswered: row.confirm_response !== null,
  };
}

export function refusal(decision: Refusal): DomainError {
  return new DomainError(decision.code, decision.message, decision.details);
}

/**
 * The lines a confirm or cancel names, checked: naming lines is for alternating (discount) purchases
 * only, and every line named must be on the receipt.
 */
export function targetLines(
  facts: PurchaseFacts,
  receipt: StoredReceipt,
  lineIds: readonly string[] | undefined,
): { states: Record<string, LineState>; targets: string[] } {
  const states = lineStatesOf(
    receipt.lines.map((l) => l.lineId),
    facts.state,
    receipt.lineStates,
  );
  if (lineIds === undefined) return { states, targets: Object.keys(states) };
  if (!alternates(facts)) {
    throw new DomainError("LINES_NOT_SEPARABLE", "this purchase is confirmed and cancelled as a whole", {
      field: "lines",
    });
  }
  lineIds.forEach((id, i) => {
    if (!Object.hasOwn(states, id)) {
      throw new DomainError("VALIDATION_FAILED", `line ${id} is not on the receipt`, {
        field: `lines[${i}]`,
        reason: "not on the receipt",
      });
    }
  });
  return { states, targets: [...lineIds] };
}
