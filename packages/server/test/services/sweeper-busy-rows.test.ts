/**
 * On PostgreSQL the sweeper skips what a till (or another process's sweeper) holds at the moment instead
 * of queueing behind it, and takes it on the next sweep. On SQLite one writer runs at a time, so a row
 * can never be held while the sweeper runs: there is nothing to test there.
 *
 * Each test holds a row lock in an open transaction and sweeps from inside it: a sweeper that waited for
 * the lock would never return, and the test would time out.
 */

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/kernel/index.js";
import { type PurchaseService, sweepOnce } from "../../src/modules/purchases/index.js";
import { expectLedgerBalanced, receipt, type SeededPartner, type TestApp } from "../support/harness.js";
import { startPurchaseDesk } from "../support/services.js";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

describe.skipIf(!process.env.TEST_DATABASE_URL)("the sweeper on PostgreSQL", { timeout: 30_000 }, () => {
  let t: TestApp;
  let p: SeededPartner;
  let purchases: PurchaseService;
  let pos: Principal;

  beforeAll(async () => {
    ({ t, p, purchases, pos } = await startPurchaseDesk(1));
  });
  afterAll(async () => t?.close());

  const purchaseRowId = async (externalId: string) =>
    (
      await t.database.db
        .selectFrom("purchases")
        .select("id")
        .where("external_id", "=", externalId)
        .executeTakeFirstOrThrow()
    ).id;

  it("skips a purchase a till holds, and expires it on the next sweep", async () => {
    for (const id of ["busy-1", "free-1"]) {
      await purchases.calculate(pos, receipt(p, id));
      await purchases.bonusPayment(pos, id, 500);
    }
    t.clock.advance(31 * MINUTE);
    const busy = await purchaseRowId("busy-1");

    const whileHeld = await t.database.transaction(async (trx) => {
      await sql`select id from purchases where id = ${busy} for update`.execute(trx);
      return sweepOnce(t.database, t.clock.now());
    });
    expect(whileHeld.expiredPurchases).toBe(1);
    const states = await t.database.db
      .selectFrom("purchases")
      .select(["external_id", "state"])
      .where("external_id", "in", ["busy-1", "free-1"])
      .orderBy("external_id")
      .execute();
    expect(states).toEqual([
      { external_id: "busy-1", state: "calculated" },
      { external_id: "free-1", state: "expired" },
    ]);

    expect((await sweepOnce(t.database, t.clock.now())).expiredPurchases).toBe(1);
    const after = await t.database.db
      .selectFrom("purchases")
      .select("state")
      .where("id", "=", busy)
      .executeTakeFirstOrThrow();
    expect(after.state).toBe("expired");
    await expectLedgerBalanced(t);
  });

  it("leaves the pending points of an account a till holds for the next sweep", async () => {
    await purchases.calculate(pos, receipt(p, "accrue-1"));
    await purchases.confirm(pos, "accrue-1", {});
    const card = await t.database.db
      .selectFrom("cards")
      .select("id")
      .where("partner_id", "=", p.partnerId)
      .where("number", "=", p.cards.rich)
      .executeTakeFirstOrThrow();
    const pendingLots = () =>
      t.database.db
        .selectFrom("points_lots")
        .select("id")
        .where("account_id", "=", card.id)
        .where("state", "=", "pending")
        .execute();
    expect((await pendingLots()).length).toBeGreaterThan(0);
    t.clock.advance(2 * DAY);

    const whileHeld = await t.database.transaction(async (trx) => {
      await sql`select card_id from points_accounts where card_id = ${card.id} for update`.execute(trx);
      return sweepOnce(t.database, t.clock.now());
    });
    expect(whileHeld.activatedLots).toBe(0);
    expect((await pendingLots()).length).toBeGreaterThan(0);

    expect((await sweepOnce(t.database, t.clock.now())).activatedLots).toBeGreaterThan(0);
    expect(await pendingLots()).toEqual([]);
    await expectLedgerBalanced(t);
  });
});
