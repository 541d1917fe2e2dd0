/** What the cabinet reads of cards: keyset lists with filters, and one card with its holder and history links. */
import type { CardStatus } from "@kopilka/contract";
import { available } from "../../core/ledger.js";
import type { Executor } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import type { CardBalance } from "../points/index.js";

export interface CardFilter {
  number?: string;
  status?: CardStatus;
  programCode?: string;
  virtual?: boolean;
  /** Cards of these clients (an exact search by the holder's phone or e-mail resolves to ids). */
  clientIds?: readonly number[];
}

export interface ListedCard {
  id: number;
  programId: number;
  number: string;
  programCode: string;
  status: CardStatus;
  level: string | null;
  virtual: boolean;
  clientId: number | null;
  replacedBy: string | null;
  balance: CardBalance;
  createdAt: string;
  updatedAt: string;
}

interface CardRow {
  id: number;
  program_id: number;
  number: string;
  code: string;
  status: string;
  level: string | null;
  virtual: number;
  client_id: number | null;
  replaced_number: string | null;
  active: number | null;
  pending: number | null;
  held: number | null;
  created_at: number;
  updated_at: number;
}

const SORTS: SortSpec<CardRow> = {
  number: { column: "c.number", value: (r) => r.number },
  createdAt: { column: "c.created_at", value: (r) => Number(r.created_at) },
};

function cardRows(db: Executor, partnerId: number) {
  return db
    .selectFrom("cards as c")
    .innerJoin("programs as g", "g.id", "c.program_id")
    .leftJoin("points_accounts as a", "a.card_id", "c.id")
    .leftJoin("cards as r", "r.id", "c.replaced_by")
    .select([
      "c.id",
      "c.program_id",
      "c.number",
      "g.code",
      "c.status",
      "c.level",
      "c.virtual",
      "c.client_id",
      "r.number as replaced_number",
      "a.active",
      "a.pending",
      "a.held",
      "c.created_at",
      "c.updated_at",
    ])
    .where("c.partner_id", "=", partnerId);
}

function listed(r: CardRow): ListedCard {
  const b = { active: Number(r.active ?? 0), pending: Number(r.pending ?? 0), held: Number(r.held ?? 0) };
  return {
    id: r.id,
    programId: r.program_id,
    number: r.number,
    programCode: r.code,
    status: r.status as CardStatus,
    level: r.level,
    virtual: r.virtual === 1,
    clientId: r.client_id,
    replacedBy: r.replaced_number,
    balance: { ...b, available: available(b) },
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}

export async function listCards(
  db: Executor,
  partnerId: number,
  filter: CardFilter,
  page: PageQuery,
): Promise<Page<ListedCard>> {
  if (filter.clientIds !== undefined && filter.clientIds.length === 0) return { items: [], nextCursor: null };
  let query = cardRows(db, partnerId);
  if (filter.number !== undefined) query = query.where("c.number", "=", filter.number);
  if (filter.status !== undefined) query = query.where("c.status", "=", filter.status);
  if (filter.programCode !== undefined) query = query.where("g.code", "=", filter.programCode);
  if (filter.virtual !== undefined) query = query.where("c.virtual", "=", filter.virtual ? 1 : 0);
  if (filter.clientIds !== undefined) query = query.where("c.client_id", "in", [...filter.clientIds]);
  const rows = (await keysetQuery(query, SORTS, "c.id", page).execute()) as CardRow[];
  return keysetPage(rows, SORTS, (r) => r.id, page, listed);
}

/** One card of the partner by its number, or null. */
export async function cardByNumber(
  db: Executor,
  partnerId: number,
  number: string,
): Promise<ListedCard | null> {
  const row = (await cardRows(db, partnerId).where("c.number", "=", number).executeTakeFirst()) as
    | CardRow
    | undefined;
  return row ? listed(row) : null;
}
