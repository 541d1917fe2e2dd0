/**
 * A cabinet change and its audit entries in one transaction: the same rule AdminService follows, for the
 * desks that sit beside it. An entry whose before and after read the same is not written.
 */
import type { ErrorCode } from "@kopilka/contract";
import { type Database, isUniqueViolation, type Trx } from "../../infra/db/database.js";
import { type Clock, DomainError } from "../../kernel/index.js";
import { type Actor, type AuditEntryInput, recordAudit } from "../audit/index.js";

export async function recordChanges(
  trx: Trx,
  actor: Actor,
  entries: AuditEntryInput | AuditEntryInput[] | null,
  now: number,
): Promise<void> {
  for (const entry of entries === null ? [] : Array.isArray(entries) ? entries : [entries]) {
    if (JSON.stringify(entry.before) !== JSON.stringify(entry.after))
      await recordAudit(trx, actor, entry, now);
  }
}

export async function audited<T>(
  database: Database,
  clock: Clock,
  actor: Actor,
  work: (trx: Trx, now: number) => Promise<{ result: T; audit: AuditEntryInput | AuditEntryInput[] | null }>,
  taken?: { code: ErrorCode; field: string; message: string },
): Promise<T> {
  try {
    return await database.transaction(async (trx) => {
      const now = clock.now();
      const { result, audit } = await work(trx, now);
      await recordChanges(trx, actor, audit, now);
      return result;
    });
  } catch (error) {
    if (taken && isUniqueViolation(error))
      throw new DomainError(taken.code, taken.message, { field: taken.field });
    throw error;
  }
}
