/**
 * Replays. confirm, cancel and refund are idempotent: a repeat returns the first answer, says it is a
 * replay, and carries the purchase's current state beside it, so a POS retrying a confirm of a purchase
 * cancelled since is never told it is still confirmed. The same key with another body is a conflict.
 */
import { DomainError } from "../../kernel/errors.js";
import type { CurrentState } from "./purchase-record.js";
import { parsePackedLines } from "./receipt-text.js";

export interface Answer<T> {
  /** The answer with `current` set to where the purchase stands now. */
  answer: T & { current: CurrentState };
  /** True when this is the stored answer of an earlier call with the same key. */
  replayed: boolean;
}

export function firstAnswer<T>(answer: T, current: CurrentState): Answer<T> {
  return { answer: { ...answer, current }, replayed: false };
}

/**
 * The stored answer of the first call, when `hash` (the body of this call) matches the first call's;
 * IDEMPOTENCY_CONFLICT naming `field` otherwise. A null stored hash matches any body (calls without one).
 */
export function replay<T>(
  stored: { response: string; hash: string | null },
  hash: string | null,
  current: CurrentState,
  conflict: { field: string; message: string },
): Answer<T> {
  if (stored.hash !== null && hash !== null && stored.hash !== hash) {
    throw new DomainError("IDEMPOTENCY_CONFLICT", conflict.message, { field: conflict.field });
  }
  const first = parsePackedLines<T>(stored.response);
  return { answer: { ...first, current }, replayed: true };
}
