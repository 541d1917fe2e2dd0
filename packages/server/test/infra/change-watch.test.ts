/**
 * A cache of this process drops what a write of this process changed at the first read after the write
 * commits, also when a read in the moment between the counter's move and the commit cached the row as it
 * was. The caches here poll the committed counter only every minute, so only that rule can make them fresh.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addParticipant, ProgramCatalog } from "../../src/modules/programs/index.js";
import { StoreDirectory, setStoreActive } from "../../src/modules/stores/index.js";
import { type SeededPartner, seedPartner, startTestApp, type TestApp } from "../support/harness.js";
import { createDiscountProgram } from "../support/pharmapi.js";

const A_MINUTE = 60_000;
let t: TestApp;
let p: SeededPartner;

beforeAll(async () => {
  t = await startTestApp();
  p = await seedPartner(t, { code: "alpha" });
});
afterAll(() => t.close());

describe("a cache of this process, after a write of this process", () => {
  it("a store: the row read between the counter's move and the commit is not kept", async () => {
    const stores = new StoreDirectory(t.database, A_MINUTE);
    const code = p.storeCodes[0];
    expect((await stores.byCode(p.partnerId, code))?.active).toBe(true);
    let readInside: boolean | undefined;
    await t.database.transaction(async (trx) => {
      await setStoreActive(trx, p.storeIds[0], false, t.clock.now());
      // Another request of this process, while the change is not committed: it sees the store as it was.
      readInside = (await stores.byCode(p.partnerId, code))?.active;
    });
    expect(readInside).toBe(true);
    expect((await stores.byCode(p.partnerId, code))?.active).toBe(false);
    await setStoreActive(t.database.db, p.storeIds[0], true, t.clock.now());
    expect((await stores.byCode(p.partnerId, code))?.active).toBe(true);
  });

  it("the discount programs a partner may use: a participant added is seen at the next read", async () => {
    const maker = await seedPartner(t, { code: "maker" });
    const programId = await createDiscountProgram(
      t,
      maker.partnerId,
      {
        code: "maker-promo",
        name: "Программа производителя",
        items: [
          { barcode: "4600000000035", name: "Препарат", discount: { type: "percent", percentBp: 1000 } },
        ],
        cardRanges: [{ prefix: "555", lengths: [13] }],
      },
      "maker",
    );
    const catalog = new ProgramCatalog(t.database, t.clock, A_MINUTE);
    expect(await catalog.usableDiscountProgramIds(p.partnerId)).toEqual([]);
    let readInside: Promise<readonly number[]> | undefined;
    await t.database.transaction(async (trx) => {
      await addParticipant(trx, programId, p.partnerId, t.clock.now());
      // A read through the transaction itself (as a confirm reads its program) sees the uncommitted move;
      // a get_discount arriving meanwhile reads the committed rows, and must not keep them under it.
      await catalog.get(programId, trx);
      readInside = catalog.usableDiscountProgramIds(p.partnerId);
    });
    await readInside;
    expect(await catalog.usableDiscountProgramIds(p.partnerId)).toEqual([programId]);
  });
});
