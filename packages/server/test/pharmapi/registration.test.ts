/**
 * register and confirm_code for real, as a per-program option, on the clients module's registration and
 * confirmation codes: the SMS goes through a real HTTP gateway, the code comes back through confirm_code,
 * and the card ends up attached to the client with that phone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  codeIn,
  type SmsGateway,
  setRegistration,
  startLoggedApp,
  startSmsGateway,
} from "../support/clients.js";
import type { TestApp } from "../support/harness.js";
import { createDiscountProgram, POS, pharmJson, seedPharmApi } from "../support/pharmapi.js";

let t: TestApp;
let sms: SmsGateway;
let partnerId: number;

beforeAll(async () => {
  sms = await startSmsGateway();
  t = await startLoggedApp({
    SMS_GATEWAY_URL: `${sms.url}/send?to={phone}`,
    SMS_GATEWAY_BODY: '{"phone":"{phone}","message":"{text}"}',
  });
  ({ partnerId } = await seedPharmApi(t));
  const clubId = await createDiscountProgram(t, partnerId, {
    code: "club",
    name: "Клуб",
    items: [{ barcode: "4600000000011", name: "Препарат", discount: { type: "percent", percentBp: 1000 } }],
    cardRanges: [{ prefix: "444", lengths: [13] }],
    registration: true,
  });
  // The program's registration settings (the cabinet's registration page): the phone is the login, confirmed by SMS.
  await setRegistration(t, clubId, { loginValue: "phone", confirmationMethod: "phone" });
});
afterAll(async () => {
  await t?.close();
  await sms?.close();
});

describe("register / confirm_code", () => {
  it("registers a card with the phone confirmed by the SMS code", async () => {
    const card = "4440000000001";
    const reg = await pharmJson(t, "register", { ...POS, card_number: card, phone_number: "+79161234567" });
    expect(reg).toMatchObject({ status: "success", error_code: 0 });
    expect(sms.requests).toHaveLength(1);
    const code = codeIn(JSON.parse(sms.requests[0]!.body).message);
    expect(
      (await pharmJson(t, "confirm_code", { ...POS, code: "000000" === code ? "111111" : "000000" }))
        .error_code,
    ).toBe(306);
    expect(await pharmJson(t, "confirm_code", { ...POS, code })).toMatchObject({
      status: "success",
      error_code: 0,
    });
    const row = await t.database.db
      .selectFrom("cards")
      .select("client_id")
      .where("number", "=", card)
      .executeTakeFirstOrThrow();
    expect(row.client_id).not.toBeNull();
    // The phone now finds the card: get_discount, confirm_purchase and cancel_purchase by phone_number.
    const byPhone = { ...POS, phone_number: "+79161234567" };
    const priced = await pharmJson(t, "get_discount", {
      ...byPhone,
      orders: [{ barcode: "4600000000011", count: 1, price: 500 }],
    });
    expect(priced).toMatchObject({ status: "success", error_code: 0, phone_number: "+79161234567" });
    const line = (priced.orders as Record<string, unknown>[])[0]!;
    expect(line).toMatchObject({ error_code: 0, discount: 50, program: "club" });
    const transaction = line.transaction as string;
    const stranger = await pharmJson(t, "confirm_purchase", {
      ...POS,
      phone_number: "+79169999999",
      transactions: [transaction],
    });
    expect(stranger.error_code).not.toBe(0);
    expect(await pharmJson(t, "confirm_purchase", { ...byPhone, transactions: [transaction] })).toMatchObject(
      { status: "success", error_code: 0 },
    );
    expect(
      await pharmJson(t, "cancel_purchase", { ...byPhone, transactions: [transaction], trust_key: "any" }),
    ).toMatchObject({ status: "success", error_code: 0 });
    const unknownPhone = await pharmJson(t, "get_discount", {
      ...POS,
      phone_number: "+79160000099",
      orders: [{ barcode: "4600000000011", count: 1, price: 500 }],
    });
    expect(unknownPhone).toMatchObject({ status: "error", error_code: 5 });

    // Nothing waits any more; the phone is taken now.
    expect((await pharmJson(t, "confirm_code", { ...POS, code })).error_code).toBe(307);
    const again = await pharmJson(t, "register", {
      ...POS,
      card_number: "4440000000002",
      phone_number: "+79161234567",
    });
    expect(again.error_code).toBe(302);
  });

  it("a program without the option answers the fixed refusal; a wrong trust_key is refused", async () => {
    const test = await pharmJson(t, "register", {
      ...POS,
      card_number: "1234567890050",
      phone_number: "+79160000000",
    });
    expect(test).toMatchObject({ status: "error", error_code: 301 });
    // The preset accepts any trust_key; a partner's own key, once issued, is the only one that passes.
    await t.server.services.pharmApiAdmin.issueTrustKey({ userId: null, address: "test" }, partnerId);
    const wrong = await pharmJson(t, "register", {
      ...POS,
      card_number: "4440000000003",
      phone_number: "+79160000001",
      trust_key: "not-the-key",
    });
    expect(wrong.error_code).toBe(207);
  });

  it("with the partner's trust_key: no SMS, the answer carries the code, and confirm_code registers with it", async () => {
    const trustKey = await t.server.services.pharmApiAdmin.issueTrustKey(
      { userId: null, address: "test" },
      partnerId,
    );
    const sent = sms.requests.length;
    const card = "4440000000004";
    const reg = await pharmJson(t, "register", {
      ...POS,
      card_number: card,
      phone_number: "+79160000004",
      trust_key: trustKey.trustKey,
    });
    expect(reg).toMatchObject({ status: "success", error_code: 0 });
    expect(reg.code).toMatch(/^\d{6}$/);
    expect(sms.requests).toHaveLength(sent);
    expect(await pharmJson(t, "confirm_code", { ...POS, code: reg.code })).toMatchObject({
      status: "success",
      error_code: 0,
    });
    const row = await t.database.db
      .selectFrom("cards")
      .select("client_id")
      .where("number", "=", card)
      .executeTakeFirstOrThrow();
    expect(row.client_id).not.toBeNull();
    for (const line of (t as TestApp & { logs: string[] }).logs) expect(line).not.toContain(`"${reg.code}"`);
    // Without a key the same pharmacy's next registration is confirmed by SMS, and the code is not answered.
    const plain = await pharmJson(t, "register", {
      ...POS,
      card_number: "4440000000005",
      phone_number: "+79160000005",
    });
    expect(plain).toMatchObject({ status: "success", error_code: 0 });
    expect(plain.code).toBeUndefined();
    expect(sms.requests).toHaveLength(sent + 1);
  });
});
