/**
 * The purchase state machine: which command may run in which state, and what it does there. Pure: the
 * commands in modules/purchases read the facts, ask here, and carry out the decision in one transaction.
 *
 *   calculate ──► calculated ──confirm──► confirmed ──refund──► partially_refunded ──refund──► refunded
 *      ▲  │ (calculate, pay replace)       │   ▲  │                └───────────refund───────────────┘
 *      └──┘          │                     │   │  └─cancel (within the window)──► cancelled
 *                    ├──cancel──► cancelled│   └──confirm (discount programs, within the window)─┘
 *                    ├──expire──► expired ─┤
 *                    └─────────────────────┴──late confirm with the printed receipt──► confirmed (late)
 *                                                                         or ──► hanging ──cancel──► cancelled
 *
 * Lines carry their own state. In loyalty programs they follow the purchase; in discount programs that move
 * no points each line may be confirmed or cancelled on its own, and confirm and cancel alternate within
 * the window, the last successful call winning (PharmApi's transactions).
 */
import type { ErrorCode, LineState, PurchaseState } from "@kopilka/contract";

export type { LineState, PurchaseState };

export interface PurchaseFacts {
  state: PurchaseState;
  now: number;
  /** When a calculated purchase lapses. */
  expiresAt: number;
  createdAt: number;
  confirmedAt: number | null;
  /** Kind of the program that priced it; null for partners without a program. */
  programKind: string | null;
  cancelWindowMs: number;
  /** A points payment or an accrual: such a purchase never alternates between confirm and cancel. */
  movesPoints: boolean;
  /** A confirm answer is stored: the purchase was confirmed (or its late confirm was kept hanging). */
  confirmAnswered: boolean;
}

export interface Refusal {
  kind: "refuse";
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

const refuse = (code: ErrorCode, message: string, details: Record<string, unknown>): Refusal => ({
  kind: "refuse",
  code,
  message,
  details,
});

/** Confirm and cancel alternate, last call winning, only in discount programs whose purchases move no points. */
export function alternates(f: Pick<PurchaseFacts, "programKind" | "movesPoints">): boolean {
  return f.programKind === "discount" && !f.movesPoints;
}

/**
 * Until when confirm and cancel are accepted after the first answer: loyalty programs count the cancel
 * window from the confirm; alternating discount programs from the calculation (as PharmApi does).
 */
export function windowEnd(f: PurchaseFacts): number {
  const from = alternates(f) ? f.createdAt : (f.confirmedAt ?? f.createdAt);
  return from + f.cancelWindowMs;
}

/** A calculated purchase whose TTL has passed counts as expired even before the sweeper gets to it. */
export function isLapsed(f: Pick<PurchaseFacts, "state" | "expiresAt" | "now">): boolean {
  return f.state === "expired" || (f.state === "calculated" && f.expiresAt <= f.now);
}

// ---------------------------------------------------------------------------------------------------

/** `calculate` on an existing purchase id and `pay`: both replace while the purchase is calculated. */
export type ReplaceDecision = { kind: "replace" } | Refusal;

export function decideReplace(f: PurchaseFacts): ReplaceDecision {
  if (isLapsed(f)) {
    return refuse("PURCHASE_EXPIRED", "the purchase outlived its TTL; calculate a new one", {
      state: "expired",
    });
  }
  if (f.state !== "calculated") {
    return refuse("PURCHASE_STATE_CONFLICT", `the purchase is ${f.state}`, { state: f.state });
  }
  return { kind: "replace" };
}

export type ConfirmDecision =
  /** A calculated purchase within its TTL. */
  | { kind: "confirm" }
  /** Expired, or past its TTL: only with the printed receipt, which must match. */
  | { kind: "confirm_late" }
  /** An alternating purchase (or some of its lines) confirmed again after a cancel, within the window. */
  | { kind: "reconfirm" }
  /** The stored answer of the confirm that put the purchase where it is (or was). */
  | { kind: "replay" }
  | Refusal;

/**
 * `targetsDone`: every line the call names (all when it names none) is already confirmed, so an
 * alternating purchase has nothing new to do and the call is a replay.
 */
export function decideConfirm(f: PurchaseFacts, hasReceipt: boolean, targetsDone: boolean): ConfirmDecision {
  if (isLapsed(f)) {
    // An alternating purchase past its TTL with lines still to confirm has something new to do.
    if (f.confirmAnswered && (!alternates(f) || targetsDone)) return { kind: "replay" };
    if (!hasReceipt) {
      return refuse(
        "PURCHASE_EXPIRED",
        "the purchase outlived its TTL; a late confirm must carry the receipt as printed",
        { state: "expired", field: "receipt" },
      );
    }
    return { kind: "confirm_late" };
  }
  if (alternates(f) && (f.state === "calculated" || f.state === "confirmed" || f.state === "cancelled")) {
    if (f.confirmAnswered && targetsDone) return { kind: "replay" };
    if (f.state === "calculated" && !f.confirmAnswered) return { kind: "confirm" };
    if (f.now > windowEnd(f)) {
      return refuse("CANCEL_WINDOW_CLOSED", "the window for confirm and cancel has passed", {
        state: f.state,
      });
    }
    return { kind: "reconfirm" };
  }
  if (f.confirmAnswered) return { kind: "replay" };
  if (f.state === "calculated") return { kind: "confirm" };
  return refuse("PURCHASE_STATE_CONFLICT", `a ${f.state} purchase cannot be confirmed`, { state: f.state });
}

export type CancelDecision =
  /** Calculated: release the hold. */
  | { kind: "release" }
  /** Confirmed, within the window: give back what it spent, take back what it accrued. */
  | { kind: "reverse" }
  /** Hanging: nothing was applied, so nothing is undone. */
  | { kind: "withdraw" }
  /** Already cancelled: the stored answer. */
  | { kind: "replay" }
  /** Expired: nothing is held any more; answered as it stands. */
  | { kind: "closed" }
  | Refusal;

/** `targetsDone`: every line the call names (all when it names none) is already cancelled. */
export function decideCancel(f: PurchaseFacts, targetsDone: boolean): CancelDecision {
  switch (f.state) {
    case "calculated":
      return targetsDone && alternates(f) ? { kind: "replay" } : { kind: "release" };
    case "hanging":
      return { kind: "withdraw" };
    case "cancelled":
      return { kind: "replay" };
    case "expired":
      return { kind: "closed" };
    case "confirmed":
      if (alternates(f) && targetsDone) return { kind: "replay" };
      if (f.now > windowEnd(f)) {
        return refuse("CANCEL_WINDOW_CLOSED", "the cancel window has passed; refund the purchase instead", {
          confirmedAt: new Date(f.confirmedAt ?? f.createdAt).toISOString(),
        });
      }
      return { kind: "reverse" };
    default:
      return refuse("PURCHASE_STATE_CONFLICT", `a ${f.state} purchase cannot be cancelled`, {
        state: f.state,
      });
  }
}

export type RefundDecision = { kind: "refund" } | Refusal;

export function decideRefund(f: Pick<PurchaseFacts, "state">): RefundDecision {
  if (f.state === "confirmed" || f.state === "partially_refunded") return { kind: "refund" };
  return refuse("PURCHASE_STATE_CONFLICT", `a ${f.state} purchase cannot be refunded`, { state: f.state });
}

export type ExpireDecision = { kind: "expire" } | { kind: "skip" };

export function decideExpire(f: Pick<PurchaseFacts, "state" | "expiresAt" | "now">): ExpireDecision {
  return f.state === "calculated" && f.expiresAt <= f.now ? { kind: "expire" } : { kind: "skip" };
}

/** The state a refund leaves behind. */
export function stateAfterRefund(completesPurchase: boolean): PurchaseState {
  return completesPurchase ? "refunded" : "partially_refunded";
}

// ---------------------------------------------------------------------------------------------------
// Lines

export type LineStates = Readonly<Record<string, LineState>>;

/** Lines of a purchase that never had a per-line operation follow the purchase's state. */
export function lineStatesOf(
  lineIds: readonly string[],
  state: PurchaseState,
  stored: LineStates | undefined,
): Record<string, LineState> {
  const follow: LineState =
    state === "confirmed" || state === "partially_refunded" || state === "refunded"
      ? "confirmed"
      : state === "cancelled"
        ? "cancelled"
        : "open";
  return Object.fromEntries(lineIds.map((id) => [id, stored?.[id] ?? follow]));
}

/**
 * Lines after a confirm or cancel of `subset` (all lines when absent). Returns the unknown line ids instead
 * when the subset names lines that are not on the receipt.
 */
export function applyToLines(
  lines: LineStates,
  command: "confirm" | "cancel",
  subset?: readonly string[],
): { lines: Record<string, LineState> } | { unknown: string[] } {
  const ids = subset ?? Object.keys(lines);
  const unknown = ids.filter((id) => !Object.hasOwn(lines, id));
  if (unknown.length > 0) return { unknown };
  const target: LineState = command === "confirm" ? "confirmed" : "cancelled";
  const next: Record<string, LineState> = { ...lines };
  for (const id of ids) next[id] = target;
  return { lines: next };
}

/**
 * The purchase's state as its lines make it: confirmed while any line is, cancelled once every line is,
 * otherwise still calculated (some lines open).
 */
export function stateOfLines(lines: LineStates): "confirmed" | "cancelled" | "calculated" {
  const states = Object.values(lines);
  if (states.some((s) => s === "confirmed")) return "confirmed";
  if (states.length > 0 && states.every((s) => s === "cancelled")) return "cancelled";
  return "calculated";
}
