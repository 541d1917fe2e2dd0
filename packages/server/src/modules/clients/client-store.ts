/** The clients table: the only code that writes it. Personal data arrives here hashed and encrypted. */
import type { Executor, Trx } from "../../infra/db/database.js";
import {
  containsText,
  keysetPage,
  keysetQuery,
  type Page,
  type PageQuery,
  type SortSpec,
} from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";

export type ClientRow = Row<"clients">;

export interface SealedContacts {
  loginKind: "phone" | "email";
  loginHash: string;
  phoneHash: string | null;
  phoneEnc: string | null;
  emailHash: string | null;
  emailEnc: string | null;
}

export interface NewClient extends SealedContacts {
  partnerId: number;
  programId: number;
  externalId: string | null;
  name: string | null;
  birthDate: string | null;
  consents: string;
  confirmedAt: number | null;
  /** The contact the confirmation code went to (null when not confirmed). */
  confirmedContact: "phone" | "email" | null;
}

/** Inserts a client unless its login is taken (also by a concurrent registration): null then. */
export async function insertClient(trx: Trx, c: NewClient, now: number): Promise<number | null> {
  const row = await trx
    .insertInto("clients")
    .values({
      partner_id: c.partnerId,
      program_id: c.programId,
      external_id: c.externalId,
      name: c.name,
      status: c.confirmedAt === null ? "registered" : "confirmed",
      login_kind: c.loginKind,
      login_hash: c.loginHash,
      phone_hash: c.phoneHash,
      phone_enc: c.phoneEnc,
      email_hash: c.emailHash,
      email_enc: c.emailEnc,
      birth_date: c.birthDate,
      consents: c.consents,
      merged_into: null,
      confirmed_at: c.confirmedAt,
      phone_confirmed_at: c.confirmedContact === "phone" ? c.confirmedAt : null,
      email_confirmed_at: c.confirmedContact === "email" ? c.confirmedAt : null,
      anonymised_at: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(["partner_id", "login_hash"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findClient(
  db: Executor,
  partnerId: number,
  clientId: number,
): Promise<ClientRow | undefined> {
  return db
    .selectFrom("clients")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where("id", "=", clientId)
    .executeTakeFirst();
}

export async function loginTaken(
  db: Executor,
  partnerId: number,
  hashes: readonly string[],
): Promise<boolean> {
  const row = await db
    .selectFrom("clients")
    .select("id")
    .where("partner_id", "=", partnerId)
    .where("login_hash", "in", hashes)
    .executeTakeFirst();
  return row !== undefined;
}

/** Live clients (not anonymised, not merged away) with this phone or e-mail. */
export async function findByContact(
  db: Executor,
  partnerId: number,
  column: "phone_hash" | "email_hash",
  hashes: readonly string[],
): Promise<ClientRow[]> {
  return db
    .selectFrom("clients")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .where(column, "in", hashes)
    .where("status", "in", ["registered", "confirmed"])
    .orderBy("id")
    .execute();
}

export async function listClients(
  db: Executor,
  partnerId: number,
  page: { limit: number; offset: number },
): Promise<ClientRow[]> {
  return db
    .selectFrom("clients")
    .selectAll()
    .where("partner_id", "=", partnerId)
    .orderBy("id")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export type ClientChange = Partial<{
  name: string | null;
  birth_date: string | null;
  consents: string | null;
  status: string;
  login_kind: string | null;
  login_hash: string | null;
  phone_hash: string | null;
  phone_enc: string | null;
  email_hash: string | null;
  email_enc: string | null;
  external_id: string | null;
  merged_into: number | null;
  confirmed_at: number | null;
  phone_confirmed_at: number | null;
  email_confirmed_at: number | null;
  anonymised_at: number | null;
}>;

export async function updateClient(
  trx: Trx,
  clientId: number,
  change: ClientChange,
  now: number,
): Promise<void> {
  await trx
    .updateTable("clients")
    .set({ ...change, updated_at: now })
    .where("id", "=", clientId)
    .execute();
}

/** A unique index refused the write (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** Clients in id order after `afterId`, for a key rotation. */
export async function clientsAfter(db: Executor, afterId: number, limit: number): Promise<ClientRow[]> {
  return db.selectFrom("clients").selectAll().where("id", ">", afterId).orderBy("id").limit(limit).execute();
}

export interface ClientListFilter {
  /** A substring of the name, any case. */
  q?: string;
  status?: string;
}

const CLIENT_SORTS: SortSpec<ClientRow> = {
  id: { column: "id", value: (r) => r.id },
  createdAt: { column: "created_at", value: (r) => Number(r.created_at) },
};

/** A keyset page of a partner's clients. */
export async function clientPage(
  db: Executor,
  partnerId: number,
  filter: ClientListFilter,
  page: PageQuery,
): Promise<Page<ClientRow>> {
  let query = db.selectFrom("clients").selectAll().where("partner_id", "=", partnerId);
  if (filter.q !== undefined) query = query.where(containsText("name", filter.q));
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  const rows = await keysetQuery(query, CLIENT_SORTS, "id", page).execute();
  return keysetPage(
    rows,
    CLIENT_SORTS,
    (r) => r.id,
    page,
    (r) => r,
  );
}

/**
 * What the rules may read about a card's holder (modules/purchases adds whether a purchase was made):
 * null for a card without one. A merged or erased client is no longer registered and has no facts.
 */
export async function holderOfCard(
  db: Executor,
  cardId: number,
): Promise<{
  clientId: number;
  birthDate: string | null;
  registered: boolean;
  phoneConfirmed: boolean;
  emailConfirmed: boolean;
} | null> {
  const row = await db
    .selectFrom("cards")
    .innerJoin("clients", "clients.id", "cards.client_id")
    .select([
      "clients.id",
      "clients.status",
      "clients.birth_date",
      "clients.phone_confirmed_at",
      "clients.email_confirmed_at",
    ])
    .where("cards.id", "=", cardId)
    .executeTakeFirst();
  if (!row) return null;
  const live = row.status !== "merged" && row.status !== "anonymised";
  return {
    clientId: Number(row.id),
    birthDate: live ? row.birth_date : null,
    registered: live,
    phoneConfirmed: live && row.phone_confirmed_at !== null,
    emailConfirmed: live && row.email_confirmed_at !== null,
  };
}
