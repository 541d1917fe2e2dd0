/**
 * What the purchase commands call for purchases a discount program priced, each in the command's own
 * transaction after the purchase row is locked: consume the confirmed lines' limit holds, release the
 * cancelled or lapsed ones. Purchases of other programs return at once, without a query.
 */
import type { Database, Trx } from "../../infra/db/database.js";
import { compiledDiscountProgram, parseDiscountRulesVersion } from "./compiled.js";
import { consumeLimits, releaseLimits } from "./limits.js";

interface PurchaseRef {
  id: number;
  rules_version: string | null;
}

export async function consumeDiscountLimits(
  database: Database,
  trx: Trx,
  purchase: PurchaseRef,
  programCode: string | null,
  lineIds: readonly string[] | null,
  now: number,
): Promise<void> {
  const version = parseDiscountRulesVersion(purchase.rules_version);
  if (!version) return;
  const program =
    programCode === null
      ? null
      : await compiledDiscountProgram(
          database,
          trx,
          { id: version.programId, code: programCode },
          version.version,
        );
  await consumeLimits(trx, { purchaseId: purchase.id, lineIds, program, now });
}

export async function releaseDiscountLimits(
  trx: Trx,
  purchase: PurchaseRef,
  lineIds: readonly string[] | null,
  now: number,
): Promise<void> {
  if (!parseDiscountRulesVersion(purchase.rules_version)) return;
  await releaseLimits(trx, purchase.id, lineIds, now);
}
