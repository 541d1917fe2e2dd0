/**
 * The application layer of a test app, called directly (no HTTP): what a second protocol (PharmApi) calls.
 */
import type { Principal } from "../../src/kernel/index.js";
import type { PurchaseService } from "../../src/modules/purchases/index.js";
import { type SeededPartner, seedPartner, startTestApp, type TestApp } from "./harness.js";

/** The principal a POS credential of the seeded partner authenticates as. */
export async function principalFor(
  t: TestApp,
  p: SeededPartner,
  which: "any" | "store" = "store",
): Promise<Principal> {
  const row = await t.database.db
    .selectFrom("pos_credentials")
    .select(["id", "store_id", "login"])
    .where("login", "=", p.logins[which])
    .executeTakeFirstOrThrow();
  return { credentialId: row.id, partnerId: p.partnerId, storeId: row.store_id, login: row.login };
}

/**
 * A test app with a seeded partner (a 30-minute cancel window, rich balances), its purchase service and
 * the principal of a till: what the purchase service's own tests start from.
 */
export async function startPurchaseDesk(holdDays: number): Promise<{
  t: TestApp;
  p: SeededPartner;
  purchases: PurchaseService;
  pos: Principal;
}> {
  const t = await startTestApp();
  const p = await seedPartner(t, { program: { holdDays, cancelWindowMinutes: 30 }, richBalance: 200_000 });
  return { t, p, purchases: t.server.services.purchases, pos: await principalFor(t, p) };
}

/** The holds of a purchase, oldest first. */
export async function holdsOf(t: TestApp, purchaseId: string) {
  return t.database.db
    .selectFrom("points_holds as h")
    .innerJoin("purchases as p", "p.id", "h.purchase_id")
    .select(["h.amount", "h.resolution", "h.resolved_at", "h.expires_at"])
    .where("p.external_id", "=", purchaseId)
    .orderBy("h.id")
    .execute();
}

/**
 * Makes the server forget a calculated purchase, as a PostgreSQL crash can (calculate commits without
 * waiting for the disk): its events, its (resolved) holds and its row go.
 */
export async function losePurchase(t: TestApp, purchaseId: string): Promise<void> {
  await t.server.services.purchases.settled();
  const row = await t.database.db
    .selectFrom("purchases")
    .select("id")
    .where("external_id", "=", purchaseId)
    .executeTakeFirstOrThrow();
  await t.database.db.deleteFrom("purchase_events").where("purchase_id", "=", row.id).execute();
  await t.database.db.deleteFrom("points_holds").where("purchase_id", "=", row.id).execute();
  await t.database.db.deleteFrom("purchases").where("id", "=", row.id).execute();
}
