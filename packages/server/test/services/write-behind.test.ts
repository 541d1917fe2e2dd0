/**
 * Calculated purchases answered before they are written (modules/purchases/write-behind.ts): what the
 * till was told is what lands, in order, and every later command finds it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../src/kernel/index.js";
import type { PurchaseService } from "../../src/modules/purchases/index.js";
import { CalculationWriteBehind, type PendingCalculation } from "../../src/modules/purchases/write-behind.js";
import { expectLedgerBalanced, receipt, type SeededPartner, type TestApp } from "../support/harness.js";
import { startPurchaseDesk } from "../support/services.js";

let t: TestApp;
let p: SeededPartner;
let purchases: PurchaseService;
let pos: Principal;

beforeAll(async () => {
  ({ t, p, purchases, pos } = await startPurchaseDesk(0));
});
afterAll(async () => t?.close());

const stored = (externalId: string) =>
  t.database.db
    .selectFrom("purchases")
    .select(["id", "state", "total", "points_limit", "rules_version"])
    .where("external_id", "=", externalId)
    .execute();

const eventsOf = (purchaseId: number) =>
  t.database.db.selectFrom("purchase_events").select("kind").where("purchase_id", "=", purchaseId).execute();

describe("calculations written behind the answer", () => {
  it("every answered calculation lands with what the answer said and one event, also when many arrive at once", async () => {
    // More than one statement's rows (128), in statements of several sizes.
    const ids = Array.from({ length: 301 }, (_, i) => `wb-many-${i}`);
    const views = await Promise.all(ids.map((id) => purchases.calculate(pos, receipt(p, id))));
    await purchases.settled();
    for (const view of views) {
      const rows = await stored(view.purchaseId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        state: "calculated",
        total: view.totals.total,
        points_limit: view.points.paymentLimit,
        rules_version: view.rulesVersion,
      });
      expect((await eventsOf(rows[0]!.id)).map((e) => e.kind)).toEqual(["calculated"]);
    }
  });

  it("a bonus payment and a confirm right after the answer find the purchase", async () => {
    const view = await purchases.calculate(pos, receipt(p, "wb-pay"));
    const paid = await purchases.bonusPayment(pos, "wb-pay", 1000);
    expect(paid.totals.pointsPaid).toBe(1000);
    const confirmed = await purchases.confirm(pos, "wb-pay", {});
    expect(confirmed.answer).toMatchObject({ state: "confirmed" });
    expect(view.totals.total).toBe(paid.totals.total);
    await expectLedgerBalanced(t);
  });

  it("two calculations of one new purchase at once leave one purchase, priced as one of them", async () => {
    const first = receipt(p, "wb-twice");
    const second = receipt(p, "wb-twice", {
      lines: [{ lineId: "1", sku: "P1", quantity: 1000, price: 99_00 }],
    });
    const [a, b] = await Promise.all([purchases.calculate(pos, first), purchases.calculate(pos, second)]);
    expect(a.totals.subtotal).not.toBe(b.totals.subtotal);
    await purchases.settled();
    const rows = await stored("wb-twice");
    expect(rows).toHaveLength(1);
    // Concurrent calls have no order: either may be the one kept, but the record and its view agree.
    expect([a.totals.total, b.totals.total]).toContain(rows[0]!.total);
    const view = await purchases.get(pos, "wb-twice");
    expect(view.totals.total).toBe(rows[0]!.total);
  });

  it("a repeated calculation of a written purchase replaces it the ordinary way", async () => {
    await purchases.calculate(pos, receipt(p, "wb-again"));
    await purchases.settled();
    const again = await purchases.calculate(pos, receipt(p, "wb-again"));
    await purchases.settled();
    const rows = await stored("wb-again");
    expect(rows).toHaveLength(1);
    expect((await eventsOf(rows[0]!.id)).map((e) => e.kind)).toEqual(["calculated", "recalculated"]);
    expect(rows[0]!.total).toBe(again.totals.total);
  });
});

/** A real calculated row to copy: every batch row has its columns, with an id of its own. */
async function calculatedRow(externalId: string) {
  await purchases.calculate(pos, receipt(p, externalId));
  await purchases.settled();
  const { id: _, ...row } = await t.database.db
    .selectFrom("purchases")
    .selectAll()
    .where("external_id", "=", externalId)
    .executeTakeFirstOrThrow();
  return row;
}

type CalculatedRow = Awaited<ReturnType<typeof calculatedRow>>;

/** A write-behind that counts what it wrote and fails the test on any loss or failed redo. */
function countingWriteBehind(maxUnwritten?: number) {
  const counts = { written: 0 };
  const behind = new CalculationWriteBehind(
    t.database,
    {
      written: (count) => {
        counts.written += count;
      },
      lost: (_count, error) => {
        throw error;
      },
      redoFailed: (error) => {
        throw error;
      },
    },
    maxUnwritten,
  );
  return { behind, counts };
}

/** The model row again under another purchase id. */
const pendingAs = (
  model: CalculatedRow,
  externalId: string,
  redo: () => Promise<void> = async () => {},
): PendingCalculation => ({
  partnerId: model.partner_id,
  externalId,
  row: { ...model, external_id: externalId },
  event: { total: model.total, lines: 1 },
  redo,
});

describe("the write-behind's batch statements", () => {
  it("writes a batch larger than one statement behind the answer, redoing only the id already taken", async () => {
    const model = await calculatedRow("wb-model");
    const { behind, counts } = countingWriteBehind();
    const redone: string[] = [];
    // 133 rows: statements of 128, 4 and 1; "wb-model" is taken, so only it is redone.
    const ids = ["wb-model", ...Array.from({ length: 132 }, (_, i) => `wb-batch-${i}`)];
    const pending = ids.map((externalId) =>
      pendingAs(model, externalId, async () => {
        redone.push(externalId);
      }),
    );
    for (const item of pending) expect(behind.add(item)).toBe(true);
    await behind.settled();
    expect(counts.written).toBe(132);
    expect(redone).toEqual(["wb-model"]);
    for (const externalId of ids.slice(1)) {
      const rows = await stored(externalId);
      expect(rows).toHaveLength(1);
      expect((await eventsOf(rows[0]!.id)).map((e) => e.kind)).toEqual(["calculated"]);
    }
  });
});

describe("the write-behind's bound", () => {
  it("stops accepting once its bound of unwritten calculations waits, and accepts again once they are written", async () => {
    const model = await calculatedRow("wb-bound-model");
    const { behind, counts } = countingWriteBehind(8);
    for (let i = 0; i < 8; i++) {
      expect(behind.accepting()).toBe(true);
      behind.add(pendingAs(model, `wb-bound-${i}`));
    }
    expect(behind.accepting()).toBe(false);
    await behind.settled();
    expect(counts.written).toBe(8);
    expect(behind.accepting()).toBe(true);
  });
});
