/**
 * The audit log of the admin surface: who (user id, or none for the command line), when, from which
 * address, what (entity type, id, action) and the entity before and after. Services write an entry in
 * the same transaction as the change it describes, so there is never a change without its entry.
 */
import type { Executor } from "../../infra/db/database.js";
import { keysetPage, keysetQuery, type Page, type PageQuery, type SortSpec } from "../../infra/db/keyset.js";
import type { Row } from "../../infra/db/schema.js";

/** Who acts: a cabinet user through the admin API, or the command line (no user). */
export interface Actor {
  userId: number | null;
  /** Client address, or "cli". */
  address: string | null;
}

export interface AuditEntryInput {
  partnerId: number | null;
  entityType: string;
  entityId: string | number;
  action: string;
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  id: number;
  at: number;
  userId: number | null;
  address: string | null;
  partnerId: number | null;
  entityType: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

export async function recordAudit(
  db: Executor,
  actor: Actor,
  entry: AuditEntryInput,
  now: number,
): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      at: now,
      user_id: actor.userId,
      address: actor.address,
      partner_id: entry.partnerId,
      entity_type: entry.entityType,
      entity_id: String(entry.entityId),
      action: entry.action,
      before: entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export interface AuditFilter {
  /** Only this partner's entries; undefined for the whole platform. */
  partnerId?: number;
  userId?: number;
  entityType?: string;
  entityId?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
}

const SORTS: SortSpec<Row<"audit_log">> = { id: { column: "audit_log.id", value: (r) => r.id } };

function entryFromRow(row: Row<"audit_log">): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    userId: row.user_id,
    address: row.address,
    partnerId: row.partner_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    action: row.action,
    before: row.before === null ? null : JSON.parse(row.before),
    after: row.after === null ? null : JSON.parse(row.after),
  };
}

/** Newest first by default (`-id`); ids grow with time, so the order is the order of the changes. */
export async function listAudit(
  db: Executor,
  filter: AuditFilter,
  page: PageQuery,
): Promise<Page<AuditEntry>> {
  let q = db.selectFrom("audit_log").selectAll();
  if (filter.partnerId !== undefined) q = q.where("partner_id", "=", filter.partnerId);
  if (filter.userId !== undefined) q = q.where("user_id", "=", filter.userId);
  if (filter.entityType !== undefined) q = q.where("entity_type", "=", filter.entityType);
  if (filter.entityId !== undefined) q = q.where("entity_id", "=", filter.entityId);
  if (filter.from !== undefined) q = q.where("at", ">=", filter.from);
  if (filter.to !== undefined) q = q.where("at", "<", filter.to);
  const rows = await keysetQuery(q, SORTS, "audit_log.id", page).execute();
  return keysetPage(rows, SORTS, (r) => r.id, page, entryFromRow);
}
