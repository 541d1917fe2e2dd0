/** Codes given on the command line, resolved to ids, with a one-line answer when there is none. */
import type { Database } from "../../infra/db/database.js";
import { CliError } from "../support.js";

export async function partnerIdOf(database: Database, code: string): Promise<number> {
  const { findPartnerByCode } = await import("../../modules/partners/index.js");
  const partner = await findPartnerByCode(database.db, code);
  if (!partner) throw new CliError(`no partner with code ${code}`);
  return partner.id;
}

export async function storeIdOf(
  database: Database,
  partnerId: number,
  partnerCode: string,
  code: string,
): Promise<number> {
  const { findStoreId } = await import("../../modules/stores/index.js");
  const id = await findStoreId(database.db, partnerId, code);
  if (id === null) throw new CliError(`partner ${partnerCode} has no store with code ${code}`);
  return id;
}
