/**
 * What the cabinet reads of purchases: keyset lists by partner (with the tenancy of programs that span
 * chains) and by card, and a purchase's refunds. Reads only: the repository stays the only writer.
 *
 * A partner sees its own stores' purchases, whatever program priced them, and every purchase under a
 * program it owns, in the stores of its participants too. A participant therefore sees only its own
 * stores' purchases under a program offered to it.
 */
import type { PurchaseState } from "@kopilka/contract";
import { sql } from "kysely";
import type { Executor } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import { sharedProgramIds } from "../programs/index.js";

export interface PurchaseFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  storeCode?: string;
  state?: PurchaseState;
  cardNumber?: string;
  /** Only purchases priced by this program (a code of the viewer's or one offered to it). */
  programCode?: string;
  /** The till's code as the POS sent it. */
  posCode?: string;
}

export interface ListedPurchase {
  purchaseId: string;
  /** The partner whose store sold it (another one's only under a program the viewer owns). */
  partnerCode: string;
  storeCode: string;
  posCode: string;
  programCode: string | null;
  cardNumber: string | null;
  state: PurchaseState;
  hangingReason: string | null;
  subtotal: number;
  discount: number;
  total: number;
  pointsSpent: number;
  pointsAccrued: number;
  refundedAmount: number;
  createdAt: string;
  confirmedAt: string | null;
}

interface PurchaseListRow {
  id: number;
  external_id: string;
  partner_code: string;
  store_code: string;
  pos_code: string;
  program_code: string | null;
  card_number: string | null;
  state: string;
  hanging_reason: string | null;
  subtotal: number;
  discount_total: number;
  total: number;
  points_spent: number;
  points_accrued: number;
  refunded_amount: number;
  created_at: number;
  confirmed_at: number | null;
}

const SORTS: SortSpec<PurchaseListRow> = {
  createdAt: { column: "p.created_at", value: (r) => Number(r.created_at) },
  total: { column: "p.total", value: (r) => Number(r.total) },
};

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function listed(r: PurchaseListRow): ListedPurchase {
  return {
    purchaseId: r.external_id,
    partnerCode: r.partner_code,
    storeCode: r.store_code,
    posCode: r.pos_code,
    programCode: r.program_code,
    cardNumber: r.card_number,
    state: r.state as PurchaseState,
    hangingReason: r.hanging_reason,
    subtotal: Number(r.subtotal),
    discount: Number(r.discount_total),
    total: Number(r.total),
    pointsSpent: Number(r.points_spent),
    pointsAccrued: Number(r.points_accrued),
    refundedAmount: Number(r.refunded_amount),
    createdAt: iso(r.created_at)!,
    confirmedAt: iso(r.confirmed_at),
  };
}

/** `shared`: the programs the viewer owns that other partners take part in (`sharedProgramIds`). */
function visibleTo(db: Executor, viewerPartnerId: number, shared: readonly number[]) {
  return db
    .selectFrom("purchases as p")
    .innerJoin("partners as sp", "sp.id", "p.partner_id")
    .innerJoin("stores as s", "s.id", "p.store_id")
    .leftJoin("programs as g", "g.id", "p.program_id")
    .leftJoin("cards as c", "c.id", "p.card_id")
    .select([
      "p.id",
      "p.external_id",
      "sp.code as partner_code",
      "s.code as store_code",
      "p.pos_code",
      "g.code as program_code",
      "c.number as card_number",
      "p.state",
      "p.hanging_reason",
      "p.subtotal",
      "p.discount_total",
      "p.total",
      "p.points_spent",
      "p.points_accrued",
      "p.refunded_amount",
      "p.created_at",
      "p.confirmed_at",
    ])
    .where((eb) =>
      // Without shared programs the condition is the partner alone, so the newest-first page walks the
      // (partner_id, created_at, id) index instead of sorting every purchase of the platform.
      shared.length === 0
        ? eb("p.partner_id", "=", viewerPartnerId)
        : eb.or([eb("p.partner_id", "=", viewerPartnerId), eb("p.program_id", "in", shared)]),
    );
}

export async function listPurchases(
  db: Executor,
  viewerPartnerId: number,
  filter: PurchaseFilter,
  page: PageQuery,
): Promise<Page<ListedPurchase>> {
  let query = visibleTo(db, viewerPartnerId, await sharedProgramIds(db, viewerPartnerId));
  if (filter.from !== undefined) query = query.where("p.created_at", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("p.created_at", "<", filter.to);
  if (filter.state !== undefined) query = query.where("p.state", "=", filter.state);
  if (filter.storeCode !== undefined) query = query.where("s.code", "=", filter.storeCode);
  if (filter.cardNumber !== undefined) query = query.where("c.number", "=", filter.cardNumber);
  if (filter.programCode !== undefined) query = query.where("g.code", "=", filter.programCode);
  if (filter.posCode !== undefined) query = query.where("p.pos_code", "=", filter.posCode);
  const rows = (await keysetQuery(query, SORTS, "p.id", page).execute()) as PurchaseListRow[];
  return keysetPage(rows, SORTS, (r) => r.id, page, listed);
}

/** Purchases made with one card, in keyset pages. */
export async function purchasesOfCard(
  db: Executor,
  viewerPartnerId: number,
  cardId: number,
  page: PageQuery,
): Promise<Page<ListedPurchase>> {
  const shared = await sharedProgramIds(db, viewerPartnerId);
  const query = visibleTo(db, viewerPartnerId, shared).where("p.card_id", "=", cardId);
  const rows = (await keysetQuery(query, SORTS, "p.id", page).execute()) as PurchaseListRow[];
  return keysetPage(rows, SORTS, (r) => r.id, page, listed);
}

/**
 * The selling partner of a purchase the viewer may see: `sellerPartnerId` (the viewer itself by default)
 * when the purchase is the viewer's or priced by a program the viewer owns; null otherwise.
 */
export async function visiblePurchaseId(
  db: Executor,
  viewerPartnerId: number,
  sellerPartnerId: number,
  externalId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom("purchases as p")
    .leftJoin("programs as g", "g.id", "p.program_id")
    .select(["p.id", "p.partner_id", "g.partner_id as owner_id"])
    .where("p.partner_id", "=", sellerPartnerId)
    .where("p.external_id", "=", externalId)
    .executeTakeFirst();
  if (!row) return null;
  return row.partner_id === viewerPartnerId || row.owner_id === viewerPartnerId ? row.id : null;
}

export interface RefundEntry {
  refundId: string;
  amount: number;
  pointsReturned: number;
  accrualReversed: number;
  belowProportional: boolean;
  at: string;
}

export async function refundsOf(db: Executor, purchaseRowId: number): Promise<RefundEntry[]> {
  const rows = await db
    .selectFrom("refunds")
    .select([
      "external_id",
      "amount",
      "points_returned",
      "accrual_reversed",
      "below_proportional",
      "created_at",
    ])
    .where("purchase_id", "=", purchaseRowId)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    refundId: r.external_id,
    amount: Number(r.amount),
    pointsReturned: Number(r.points_returned),
    accrualReversed: Number(r.accrual_reversed),
    belowProportional: Number(r.below_proportional) === 1,
    at: iso(r.created_at)!,
  }));
}

/**
 * The partner's hanging purchases (a late confirm waiting for an operator). Unary plus keeps SQLite off
 * the (partner, created) index, which would read every purchase of the partner: the state index finds
 * the few hanging ones. PostgreSQL reads it as the same number.
 */
export function hangingPurchasesOf(db: Executor, partnerId: number) {
  return db
    .selectFrom("purchases")
    .where("state", "=", "hanging")
    .where(sql`+${sql.ref("partner_id")}`, "=", partnerId);
}

/** How many purchases hang right now, for a store and a program when given. */
export async function countHanging(
  db: Executor,
  partnerId: number,
  filter: { storeId?: number; programId?: number } = {},
): Promise<number> {
  const row = await hangingPurchasesOf(db, partnerId)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .$if(filter.storeId !== undefined, (q) => q.where("store_id", "=", filter.storeId!))
    .$if(filter.programId !== undefined, (q) => q.where("program_id", "=", filter.programId!))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
