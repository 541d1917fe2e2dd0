/**
 * `kopilka-pos reconcile --day YYYY-MM-DD [--fix]`: the till's journal of receipts (journal.ts) against the
 * server's purchases of this till for that day (`GET /v1/stores/{store}/purchases?day=&posCode=`).
 *
 * The day is the store's: the server says which instants it spans, and the journal is read for the
 * receipts printed in them, so the till's own clock zone does not matter. A receipt the server lists on
 * another day (calculated before midnight, printed after) is looked up by its id before it is called
 * missing. What differs:
 *
 * - `missing`: the till printed the receipt, the server has no such purchase;
 * - `state`: the server has it, but not as the till does (calculated or expired: the confirm never
 *   landed; hanging: kept for an operator; cancelled while the till sold it);
 * - `amounts`: both say sold, but the totals or points differ;
 * - `unknown`: the server has a confirmed purchase of this till that the journal does not know.
 *
 * `--fix` lands what the till owes the server: a confirm still in the outbox is delivered now; one the
 * outbox gave up on (failed, abandoned) or that only the journal still holds is sent again with the very
 * body of the first time. That is safe: confirm is idempotent, and with the printed receipt it is also
 * accepted after the purchase expired or was lost (a late confirm). Amount differences and purchases
 * unknown to the till are for people: they are listed, never "fixed" by the till.
 */
import { type ConfirmRequest, type KopilkaClient, type Outbox, ServerRejectedError } from "@kopilka/pos-sdk";
import type { Journal, JournalEntry } from "./journal.js";

export interface ServerPurchase {
  purchaseId: string;
  posCode: string;
  state: string;
  cardNumber: string | null;
  subtotal: number;
  discount: number;
  total: number;
  pointsSpent: number;
  pointsAccrued: number;
  refundedAmount: number;
  createdAt: string;
  confirmedAt: string | null;
}

interface DayPage {
  timezone: string;
  from: string;
  to: string;
  items: ServerPurchase[];
  nextCursor: string | null;
}

export type DifferenceKind = "missing" | "state" | "amounts" | "unknown";

export interface Difference {
  kind: DifferenceKind;
  purchaseId: string;
  /** For people: what the till says and what the server says. */
  detail: string;
  local: JournalEntry | null;
  server: ServerPurchase | null;
}

export interface Reconciliation {
  day: string;
  timezone: string;
  /** Receipts of the journal that day. */
  local: number;
  /** Purchases of the server that day that are sales (confirmed or refunded since). */
  serverSales: number;
  differences: Difference[];
}

const DAY_MS = 86_400_000;

/** States of a purchase the till sold and did not cancel: refunds later are the till's own doing too. */
const SOLD = new Set(["confirmed", "partially_refunded", "refunded"]);

export interface ReconcileScope {
  day: string;
  storeCode: string;
  posCode: string;
}

/** The server's purchases of the till's day, every page. */
async function serverDay(client: KopilkaClient, scope: ReconcileScope) {
  const items: ServerPurchase[] = [];
  let cursor: string | null = null;
  let first: DayPage | null = null;
  do {
    const q = new URLSearchParams({ day: scope.day, posCode: scope.posCode, limit: "1000" });
    if (cursor) q.set("cursor", cursor);
    const page: DayPage = (
      await client.request<DayPage>(
        "purchase",
        "GET",
        `/v1/stores/${encodeURIComponent(scope.storeCode)}/purchases?${q}`,
      )
    ).body;
    first ??= page;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { timezone: first!.timezone, from: Date.parse(first!.from), to: Date.parse(first!.to), items };
}

/** A purchase by id, as the day list shows it; null when the server has none. */
async function serverPurchase(client: KopilkaClient, purchaseId: string): Promise<ServerPurchase | null> {
  try {
    const p = await client.purchase(purchaseId);
    return {
      purchaseId: p.purchaseId,
      posCode: p.posCode,
      state: p.state,
      cardNumber: p.cardNumber ?? null,
      subtotal: p.totals.subtotal,
      discount: p.totals.discount,
      total: p.totals.total,
      pointsSpent: p.totals.pointsPaid,
      pointsAccrued: p.totals.accrual,
      refundedAmount: p.refunded.amount,
      createdAt: "",
      confirmedAt: p.confirmedAt ?? null,
    };
  } catch (error) {
    if (error instanceof ServerRejectedError && error.code === "PURCHASE_NOT_FOUND") return null;
    throw error;
  }
}

function compare(local: JournalEntry, server: ServerPurchase | null, cancelled: boolean): Difference | null {
  const base = { purchaseId: local.purchaseId, local, server };
  if (!server) return { ...base, kind: "missing", detail: `till: ${local.status}; server: no such purchase` };
  const expected = cancelled ? new Set(["cancelled"]) : SOLD;
  if (!expected.has(server.state)) {
    const till = cancelled ? "cancelled" : local.status;
    return { ...base, kind: "state", detail: `till: ${till}; server: ${server.state}` };
  }
  if (cancelled) return null;
  const fields = (["subtotal", "discount", "total", "pointsSpent", "pointsAccrued"] as const).filter(
    (f) => local[f] !== server[f],
  );
  if (fields.length === 0) return null;
  return {
    ...base,
    kind: "amounts",
    detail: fields.map((f) => `${f} till ${local[f]}, server ${server[f]}`).join("; "),
  };
}

/** Compares one day. The outbox's confirms are written to the journal first, so that it is complete. */
export async function reconcile(
  client: KopilkaClient,
  journal: Journal,
  outbox: Outbox,
  scope: ReconcileScope,
): Promise<Reconciliation> {
  const day = await serverDay(client, scope);
  const items = outbox.list();
  // Receipts of the day and a day either side (printed after midnight, calculated before), not the
  // whole history of the till.
  for (const item of items)
    if (item.createdAt >= day.from - DAY_MS && item.createdAt < day.to + DAY_MS) journal.record(item);
  const cancelled = new Set(items.filter((i) => i.kind === "cancel").map((i) => i.purchaseId));
  const onServer = new Map(day.items.map((p) => [p.purchaseId, p]));
  const local = journal
    .between(day.from, day.to)
    .filter((e) => e.storeCode === scope.storeCode && e.posCode === scope.posCode);
  const differences: Difference[] = [];
  for (const entry of local) {
    // Not in the day's list: maybe on the day before (calculated before midnight); ask by id.
    const server = onServer.get(entry.purchaseId) ?? (await serverPurchase(client, entry.purchaseId));
    const d = compare(entry, server, cancelled.has(entry.purchaseId));
    if (d) differences.push(d);
  }
  const known = new Set(local.map((e) => e.purchaseId));
  for (const p of day.items) {
    if (known.has(p.purchaseId) || !(SOLD.has(p.state) || p.state === "hanging")) continue;
    // Printed on another day (after midnight) is still the till's own.
    if (journal.get(p.purchaseId)) continue;
    differences.push({
      kind: "unknown",
      purchaseId: p.purchaseId,
      detail: `till: no receipt; server: ${p.state}`,
      local: null,
      server: p,
    });
  }
  return {
    day: scope.day,
    timezone: day.timezone,
    local: local.length,
    serverSales: day.items.filter((p) => SOLD.has(p.state)).length,
    differences,
  };
}

export interface FixResult {
  purchaseId: string;
  /** `delivered`, or why not. */
  outcome: string;
}

/**
 * Lands the confirms the server lacks (`missing`, or `state` where the server has it calculated or
 * expired): delivered from the outbox when it still holds it pending, otherwise sent again as stored.
 */
export async function fix(
  client: KopilkaClient,
  journal: Journal,
  outbox: Outbox,
  found: Reconciliation,
): Promise<FixResult[]> {
  const results: FixResult[] = [];
  for (const d of found.differences) {
    const owed =
      d.local !== null &&
      (d.kind === "missing" || (d.kind === "state" && ["calculated", "expired"].includes(d.server!.state)));
    if (!owed) continue;
    const item = outbox.byKey(`confirm:${d.purchaseId}`);
    try {
      if (item && item.status === "pending") {
        const after = await outbox.settle(item.id, client.timeoutOf("confirm"));
        journal.record(after);
        results.push({
          purchaseId: d.purchaseId,
          outcome: after.status === "delivered" ? "delivered" : `${after.status}: ${after.lastError ?? ""}`,
        });
        continue;
      }
      const body = (item?.body ?? d.local!.confirmBody) as ConfirmRequest;
      const outcome = await client.confirm(d.purchaseId, body);
      if (outcome.kind === "hanging") {
        journal.settle(d.purchaseId, "hanging", outcome.view.hanging.reason);
        results.push({ purchaseId: d.purchaseId, outcome: `hanging: ${outcome.view.hanging.reason}` });
      } else {
        journal.settle(d.purchaseId, "confirmed", null);
        results.push({ purchaseId: d.purchaseId, outcome: "delivered" });
      }
    } catch (error) {
      const code = error instanceof ServerRejectedError ? `${error.code}: ` : "";
      results.push({
        purchaseId: d.purchaseId,
        outcome: `not delivered: ${code}${(error as Error).message}`,
      });
    }
  }
  return results;
}
