/** Partners: the retail chains, each a tenant that never sees another's data. */
import { type Executor, isUniqueViolation } from "../../infra/db/database.js";
import {
  containsText,
  keysetPage,
  keysetQuery,
  type Page,
  type PageQuery,
  type SortSpec,
} from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";
import { DomainError } from "../../kernel/errors.js";

export async function createPartner(db: Executor, code: string, name: string, now: number): Promise<number> {
  try {
    const row = await db
      .insertInto("partners")
      .values({ code, name, created_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  } catch (error) {
    if (isUniqueViolation(error))
      throw new DomainError("ALREADY_EXISTS", `partner ${code} already exists`, {
        field: "code",
        value: code,
      });
    throw error;
  }
}

export async function findPartnerByCode(db: Executor, code: string): Promise<{ id: number } | null> {
  return (await db.selectFrom("partners").select("id").where("code", "=", code).executeTakeFirst()) ?? null;
}

/** Whether any partner exists: demo data only ever loads into a database that has none. */
export async function hasPartners(db: Executor): Promise<boolean> {
  return (await db.selectFrom("partners").select("id").limit(1).executeTakeFirst()) !== undefined;
}

export interface PartnerRecord {
  id: number;
  code: string;
  name: string;
  createdAt: number;
}

const PARTNER_SORTS: SortSpec<Row<"partners">> = {
  code: { column: "code", value: (r) => r.code },
  name: { column: "name", value: (r) => r.name },
  createdAt: { column: "created_at", value: (r) => r.created_at },
};

function partnerFromRow(row: Row<"partners">): PartnerRecord {
  return { id: row.id, code: row.code, name: row.name, createdAt: row.created_at };
}

export async function getPartnerByCode(db: Executor, code: string): Promise<PartnerRecord | null> {
  const row = await db.selectFrom("partners").selectAll().where("code", "=", code).executeTakeFirst();
  return row ? partnerFromRow(row) : null;
}

export async function partnersByIds(
  db: Executor,
  ids: readonly number[],
): Promise<Map<number, PartnerRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("partners")
    .selectAll()
    .where("id", "in", [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, partnerFromRow(r)]));
}

export async function listPartners(
  db: Executor,
  filter: { q?: string },
  page: PageQuery,
): Promise<Page<PartnerRecord>> {
  let query = db.selectFrom("partners").selectAll();
  if (filter.q) {
    const q = filter.q;
    query = query.where((eb) => eb.or([containsText("code", q), containsText("name", q)]));
  }
  const rows = await keysetQuery(query, PARTNER_SORTS, "id", page).execute();
  return keysetPage(rows, PARTNER_SORTS, (r) => r.id, page, partnerFromRow);
}

export async function renamePartner(db: Executor, id: number, name: string): Promise<void> {
  await db.updateTable("partners").set({ name }).where("id", "=", id).execute();
}
