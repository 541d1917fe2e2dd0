/**
 * Anti-fraud caps per program through the POS API: the accrual cap trims (calculate never fails), the
 * spending caps refuse the bonus payment with their own code, the refund cap refuses refunds and cancels
 * after confirm per POS credential; hits are listed by the admin API and counted in the metrics.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dayNumberOfIsoDate } from "../../src/core/rules/local-time.js";
import { recordHit } from "../../src/modules/anti-fraud/index.js";
import { addParticipant } from "../../src/modules/programs/index.js";
import { sweepOnce } from "../../src/modules/purchases/index.js";
import {
  call,
  expectLedgerBalanced,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";
import { admin, ownerToken, programPath } from "../support/promo-codes.js";
import {
  advanceDays,
  calculate,
  cancel,
  confirm,
  hits,
  liveUsage,
  pay,
  refund,
  sale,
  setCaps,
} from "./support.js";

let t: TestApp;
let p: SeededPartner;

beforeEach(async () => {
  t = await startTestApp();
  p = await seedPartner(t, { richBalance: 500_000 });
});
afterEach(async () => t?.close());

// The seed's clock: 2026-11-20 09:00 UTC, noon in the first store (Europe/Moscow).
const TODAY = "2026-11-20";

describe("settings", () => {
  it("are edited through the program update, shown, normalized and audited", async () => {
    const detail = await setCaps(t, p, { maxPointsSpentPerCardPerDay: 30_000, maxRefundsPerPosPerDay: 3 });
    expect(detail.antiFraud).toEqual({
      maxPointsSpentPerCardPerDay: 30_000,
      maxPointsSpentPerCardPerWeek: null,
      maxPointsPurchasesPerCardPerDay: null,
      maxAccrualPerCardPerDay: null,
      maxRefundsPerPosPerDay: 3,
    });
    const audit = await t.database.db
      .selectFrom("audit_log")
      .selectAll()
      .where("entity_type", "=", "program")
      .where("action", "=", "update")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(String(audit[0]!.after)).antiFraud.maxRefundsPerPosPerDay).toBe(3);
    expect(JSON.parse(String(audit[0]!.before)).antiFraud.maxRefundsPerPosPerDay).toBeNull();

    // The same caps again change nothing: no new version, no audit entry.
    const again = await setCaps(t, p, { maxRefundsPerPosPerDay: 3, maxPointsSpentPerCardPerDay: 30_000 });
    expect(again.version).toBe(detail.version);
    const off = await setCaps(t, p, null);
    expect(Object.values(off.antiFraud).every((v) => v === null)).toBe(true);
  });

  it("bad settings are refused with 400 naming the field", async () => {
    const token = await ownerToken(t, p);
    for (const [antiFraud, field] of [
      [{ maxPointsSpentPerCardPerDay: -5 }, "maxPointsSpentPerCardPerDay"],
      [{ maxAccrualPerCardPerDay: 1.5 }, "maxAccrualPerCardPerDay"],
      [{ maxRefundsPerPosPerDay: "3" }, "maxRefundsPerPosPerDay"],
      [{ maxPointsPerYear: 1 }, "maxPointsPerYear"],
    ] as const) {
      const res = await admin(t, token, "PATCH", programPath(p), { antiFraud });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().code).toBe("VALIDATION_FAILED");
      expect(String(res.json().details.field)).toContain("antiFraud");
      expect(JSON.stringify(res.json().details)).toContain(field);
    }
  });
});

describe("the program file", () => {
  it("carries the caps through export and import, and refuses bad ones naming the field", async () => {
    await setCaps(t, p, { maxAccrualPerCardPerDay: 5_000 });
    const service = t.server.services.programAdmin;
    const file = await service.exportProgram(p.code, "main");
    expect(file.program.antiFraud).toMatchObject({
      maxAccrualPerCardPerDay: 5_000,
      maxRefundsPerPosPerDay: null,
    });
    const actor = { userId: null, address: "cli" };
    const copy = { ...file, program: { ...file.program, code: "copy" } };
    await service.importProgram(actor, p.code, copy);
    const imported = await service.exportProgram(p.code, "copy");
    expect(imported.program.antiFraud).toEqual(file.program.antiFraud);

    const bad = { ...file, program: { ...file.program, antiFraud: { maxRefundsPerPosPerDay: 0 } } };
    await expect(service.importProgram(actor, p.code, bad)).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { field: "program.antiFraud.maxRefundsPerPosPerDay" },
    });
  });
});

describe("accrual cap per card per day", () => {
  it("trims the accrual with a message, never fails calculate, releases on cancel, resets next day", async () => {
    const full = (await calculate(t, p, "probe")).totals.accrual as number;
    expect(full).toBeGreaterThan(1_000);
    await cancel(t, p, "probe");
    const cap = full + 900;
    await setCaps(t, p, { maxAccrualPerCardPerDay: cap });

    const first = await sale(t, p, "a-1");
    expect(first.receipt.accrued).toBe(full);

    const second = await calculate(t, p, "a-2");
    expect(second.totals.accrual).toBe(900);
    const message = second.messages.find((m: { code: string }) => m.code === "ACCRUAL_CAPPED");
    expect(message?.text).toMatch(/^Начисление ограничено дневным лимитом/);

    // a-2 holds the rest of today's allowance: a third purchase earns nothing, and still calculates.
    const third = await calculate(t, p, "a-3");
    expect(third.totals.accrual).toBe(0);
    expect(third.messages.map((m: { code: string }) => m.code)).toContain("ACCRUAL_CAPPED");

    // A cancel gives a-2's reservation back: a-3 priced again earns it.
    expect((await cancel(t, p, "a-2")).statusCode).toBe(200);
    expect((await calculate(t, p, "a-3")).totals.accrual).toBe(900);
    expect((await confirm(t, p, "a-3")).receipt.accrued).toBe(900);
    expect(await liveUsage(t, "accrual", "consumed")).toBe(cap);

    await advanceDays(t, p, 1);
    expect((await calculate(t, p, "a-4")).totals.accrual).toBe(full);

    const listed = await hits(t, p, TODAY);
    expect(listed.items).toEqual([
      expect.objectContaining({
        programCode: "main",
        cap: "maxAccrualPerCardPerDay",
        subject: "card",
        cardNumber: p.cards.rich,
        login: null,
        hits: 3,
      }),
    ]);
    const metrics = await call(t, "GET", "/metrics");
    expect(metrics.body).toContain('kopilka_anti_fraud_cap_hits_total{cap="maxAccrualPerCardPerDay"} 3');
    await expectLedgerBalanced(t);
  });

  it("is released when a calculated purchase expires", async () => {
    const full = (await calculate(t, p, "probe")).totals.accrual as number;
    await cancel(t, p, "probe");
    await setCaps(t, p, { maxAccrualPerCardPerDay: full });
    expect((await calculate(t, p, "e-1")).totals.accrual).toBe(full);
    expect((await calculate(t, p, "e-2")).totals.accrual).toBe(0);
    t.clock.advance(31 * 60_000); // past the purchases' TTL, same day in Moscow
    expect((await sweepOnce(t.database, t.clock.now())).expiredPurchases).toBe(2);
    expect(await liveUsage(t, "accrual", "reserved")).toBe(0);
    expect((await calculate(t, p, "e-3")).totals.accrual).toBe(full);
  });
});

describe("spending caps per card", () => {
  it("refuses a bonus payment over the day cap with its code and a cashier message, allows it next day", async () => {
    await setCaps(t, p, { maxPointsSpentPerCardPerDay: 30_000 });
    await sale(t, p, "s-1", 20_000);
    await calculate(t, p, "s-2");
    const refused = await pay(t, p, "s-2", 15_000);
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: "POINTS_SPENDING_CAP_EXCEEDED",
      details: { field: "amount", max: 10_000, cap: "maxPointsSpentPerCardPerDay" },
    });
    expect(refused.json().message.replace(/\s/g, " ")).toBe(
      "Превышен лимит оплаты баллами по карте: сейчас можно оплатить не больше 100 баллов",
    );
    // Nothing was held by the refused payment.
    expect(
      (await call(t, "GET", "/v1/purchases/s-2", { token: p.tokens.store })).json().totals.pointsPaid ?? 0,
    ).toBe(0);
    expect((await pay(t, p, "s-2", 10_000)).statusCode).toBe(200);
    // A new amount replaces the reservation; 0 releases it.
    expect((await pay(t, p, "s-2", 0)).statusCode).toBe(200);
    expect(await liveUsage(t, "spent")).toBe(20_000);

    await calculate(t, p, "s-3");
    expect((await pay(t, p, "s-3", 10_001)).statusCode).toBe(422);
    await advanceDays(t, p, 1);
    await calculate(t, p, "s-4");
    expect((await pay(t, p, "s-4", 30_000)).statusCode).toBe(200);
    await confirm(t, p, "s-4");

    const listed = await hits(t, p, TODAY);
    expect(listed.items).toEqual([
      expect.objectContaining({ cap: "maxPointsSpentPerCardPerDay", cardNumber: p.cards.rich, hits: 2 }),
    ]);
    await expectLedgerBalanced(t);
  });

  it("gives the spending back when the purchase is cancelled, before or after confirm", async () => {
    await setCaps(t, p, { maxPointsSpentPerCardPerDay: 30_000 });
    await calculate(t, p, "c-1");
    expect((await pay(t, p, "c-1", 30_000)).statusCode).toBe(200);
    await calculate(t, p, "c-2");
    expect((await pay(t, p, "c-2", 1)).statusCode).toBe(422);
    expect((await cancel(t, p, "c-1")).statusCode).toBe(200);
    expect((await pay(t, p, "c-2", 30_000)).statusCode).toBe(200);
    await confirm(t, p, "c-2");
    expect((await cancel(t, p, "c-2")).statusCode).toBe(200);
    await sale(t, p, "c-3", 30_000);
    await expectLedgerBalanced(t);
  });

  it("caps the week (Monday to Sunday in the store's zone)", async () => {
    await setCaps(t, p, { maxPointsSpentPerCardPerWeek: 25_000 });
    // 2026-11-20 is a Friday.
    await sale(t, p, "w-1", 20_000);
    await advanceDays(t, p, 1); // Saturday
    await calculate(t, p, "w-2");
    const refused = await pay(t, p, "w-2", 10_000);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details).toMatchObject({ max: 5_000, cap: "maxPointsSpentPerCardPerWeek" });
    await advanceDays(t, p, 2); // Monday
    await calculate(t, p, "w-3");
    expect((await pay(t, p, "w-3", 25_000)).statusCode).toBe(200);
  });

  it("caps the purchases paid with points per day", async () => {
    await setCaps(t, p, { maxPointsPurchasesPerCardPerDay: 1 });
    await calculate(t, p, "n-1");
    expect((await pay(t, p, "n-1", 1_000)).statusCode).toBe(200);
    await calculate(t, p, "n-2");
    const refused = await pay(t, p, "n-2", 1_000);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().details).toMatchObject({ max: 0, cap: "maxPointsPurchasesPerCardPerDay" });
    // A purchase without points is not counted; paying 0 on n-1 frees the count.
    await sale(t, p, "n-3");
    expect((await pay(t, p, "n-1", 0)).statusCode).toBe(200);
    expect((await pay(t, p, "n-2", 1_000)).statusCode).toBe(200);
  });
});

describe("refund cap per POS credential", () => {
  it("counts refunds and cancels after confirm per credential, not per POS code", async () => {
    await setCaps(t, p, { maxRefundsPerPosPerDay: 2 });
    for (const id of ["r-1", "r-2", "r-3", "r-4"]) await sale(t, p, id, 1_000);
    expect((await refund(t, p, "r-1", "x-1")).statusCode).toBe(200);
    // A replay is not a new refund.
    expect((await refund(t, p, "r-1", "x-1")).statusCode).toBe(200);
    expect((await cancel(t, p, "r-2")).statusCode).toBe(200);
    const refused = await refund(t, p, "r-3", "x-3");
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: "REFUND_CAP_EXCEEDED", details: { max: 2 } });
    expect(refused.json().message).toBe("Превышен дневной лимит возвратов и отмен для этой кассы (2 в день)");
    const cancelRefused = await cancel(t, p, "r-4");
    expect(cancelRefused.statusCode).toBe(422);
    expect(cancelRefused.json().code).toBe("REFUND_CAP_EXCEEDED");
    // A cancel before confirm is not a refund.
    await calculate(t, p, "r-5");
    expect((await cancel(t, p, "r-5")).statusCode).toBe(200);
    // Another credential has its own count.
    expect((await refund(t, p, "r-3", "x-3", p.tokens.any)).statusCode).toBe(200);
    await advanceDays(t, p, 1);
    expect((await refund(t, p, "r-4", "x-4")).statusCode).toBe(200);

    const listed = await hits(t, p, TODAY);
    expect(listed.items).toEqual([
      expect.objectContaining({
        cap: "maxRefundsPerPosPerDay",
        subject: "credential",
        login: p.logins.store,
        cardNumber: null,
        hits: 2,
      }),
    ]);
    await expectLedgerBalanced(t);
  });
});

describe("programs without caps", () => {
  it("write no usage", async () => {
    await sale(t, p, "plain-1", 1_000);
    expect((await refund(t, p, "plain-1", "x")).statusCode).toBe(200);
    const rows = await t.database.db.selectFrom("anti_fraud_usage").selectAll().execute();
    expect(rows).toEqual([]);
  });

  it("the hits list shows the owner of a shared program its participants' hits under it, and no one else's", async () => {
    const participant = await seedPartner(t, { code: "beta" });
    const outsider = await seedPartner(t, { code: "gamma" });
    await addParticipant(t.database.db, p.programId, participant.partnerId, t.clock.now());
    const day = dayNumberOfIsoDate(TODAY);
    const credential = async (login: string) =>
      (
        await t.database.db
          .selectFrom("pos_credentials")
          .select("id")
          .where("login", "=", login)
          .executeTakeFirstOrThrow()
      ).id;
    const hit = async (seller: SeededPartner, programId: number, times: number) => {
      const subjectId = await credential(seller.logins.store);
      for (let i = 0; i < times; i++) {
        await t.database.transaction((trx) =>
          recordHit(
            trx,
            {
              partnerId: seller.partnerId,
              programId,
              cap: "maxRefundsPerPosPerDay",
              subjectKind: "credential",
              subjectId,
              day,
            },
            t.clock.now(),
          ),
        );
      }
    };
    await hit(p, p.programId, 1);
    await hit(participant, p.programId, 3);
    await hit(participant, participant.programId, 2);
    await hit(outsider, outsider.programId, 1);

    const seen = (viewer: SeededPartner) =>
      hits(t, viewer, TODAY).then((r) => r.items.map((h) => [h.partnerCode, h.programName, h.login, h.hits]));
    expect(await seen(p)).toEqual([
      ["beta", "Main", participant.logins.store, 3],
      [p.code, "Main", p.logins.store, 1],
    ]);
    // The participant sees its own POS under both programs; the owner's own POS stays the owner's.
    expect(await seen(participant)).toEqual([
      ["beta", "Main", participant.logins.store, 3],
      ["beta", "Main", participant.logins.store, 2],
    ]);
    expect(await seen(outsider)).toEqual([["gamma", "Main", outsider.logins.store, 1]]);
    const programs = (await hits(t, participant, TODAY)).items.map((h) => [
      h.programCode,
      h.programOwnerCode,
    ]);
    expect(programs).toEqual([
      ["main", p.code],
      ["main", "beta"],
    ]);
  });

  it("the hits list refuses a bad day", async () => {
    const token = await ownerToken(t, p);
    const res = await admin(t, token, "GET", `/admin/v1/partners/${p.code}/anti-fraud/hits?day=yesterday`);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.field).toContain("day");
  });
});
