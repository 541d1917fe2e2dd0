/**
 * Rules that read the card's holder, through the POS API as a till uses it: registered, birthday, confirmed
 * phone, first purchase; and the `issue_promo_code` effect, whose personal code the confirm issues once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  codeIn,
  type SmsGateway,
  setRegistration,
  startLoggedApp,
  startSmsGateway,
} from "../support/clients.js";
import { call, type SeededPartner, seedPartner, type TestApp } from "../support/harness.js";
import { admin, ownerToken, programPath } from "../support/promo-codes.js";

let t: TestApp & { logs: string[] };
let p: SeededPartner;
let sms: SmsGateway;
let owner: string;
const ruleIds: Record<string, number> = {};
let issuedCode = "";

const consents = { personalData: true, sms: true };

const rule = (name: string, conditions: unknown[], effects: unknown[]) => ({
  name,
  priority: 10,
  stacking: { mode: "stackable" },
  conditions,
  effects,
});

beforeAll(async () => {
  sms = await startSmsGateway();
  t = await startLoggedApp({
    SMS_GATEWAY_URL: `${sms.url}/send?to={phone}`,
    SMS_GATEWAY_BODY: '{"phone":"{phone}","message":"{text}"}',
  });
  p = await seedPartner(t, { rules: [] });
  owner = await ownerToken(t, p);
  const rules = {
    registered: rule(
      "Registered −5 %",
      [{ type: "client_attribute", params: { attribute: "registered", value: true } }],
      [{ type: "line_discount_percent", params: { percentBp: 500 } }],
    ),
    birthday: rule(
      "Birthday week −10 %",
      [{ type: "birthday", params: { daysBefore: 3, daysAfter: 3 } }],
      [{ type: "line_discount_percent", params: { percentBp: 1000 } }],
    ),
    phone: rule(
      "Confirmed phone: 7 % points",
      [{ type: "client_attribute", params: { attribute: "phone_confirmed", value: true } }],
      [{ type: "accrual_percent", params: { percentBp: 700 } }],
    ),
    welcome: rule(
      "First purchase: a code for the next one",
      [{ type: "client_attribute", params: { attribute: "first_purchase", value: true } }],
      [{ type: "issue_promo_code", params: { campaign: "WELCOME", validDays: 30 } }],
    ),
  };
  for (const [key, body] of Object.entries(rules)) {
    const res = await admin(t, owner, "POST", programPath(p, "/rules"), body);
    expect(res.statusCode, res.body).toBe(200);
    ruleIds[key] = res.json().id;
  }
});
afterAll(async () => {
  await t?.close();
  await sms?.close();
});

const LINES = [{ lineId: "1", sku: "P1", quantity: 1000, price: 10_000 }];

async function calculate(purchaseId: string, cardNumber: string) {
  const res = await call(t, "POST", "/v1/purchases/calculate", {
    token: p.tokens.any,
    payload: { purchaseId, storeCode: p.storeCodes[0], posCode: "POS-1", cardNumber, lines: LINES },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The names of the rules that gave the receipt something, by their keys above. */
function appliedKeys(answer: {
  lines: { discounts: { ruleId: number }[]; accruals: { ruleId: number }[] }[];
}) {
  const ids = new Set(answer.lines.flatMap((l) => [...l.discounts, ...l.accruals].map((c) => c.ruleId)));
  return Object.keys(ruleIds)
    .filter((k) => ids.has(ruleIds[k]!))
    .sort();
}

/** "MM-DD" of the Moscow date `days` from the test clock's now, in a year long past. */
function birthDateIn(days: number): string {
  const local = new Date(t.clock.now() + 3 * 3_600_000 + days * 86_400_000);
  return `1990-${String(local.getUTCMonth() + 1).padStart(2, "0")}-${String(local.getUTCDate()).padStart(2, "0")}`;
}

async function registerWithCard(payload: Record<string, unknown>, cardNumber: string): Promise<number> {
  const res = await call(t, "POST", "/v1/clients", { token: p.tokens.store, payload });
  expect(res.statusCode, res.body).toBe(200);
  return attach(res.json().client.id, cardNumber);
}

async function attach(clientId: number, cardNumber: string): Promise<number> {
  const attached = await call(t, "POST", `/v1/clients/${clientId}/cards`, {
    token: p.tokens.store,
    payload: { cardNumber },
  });
  expect(attached.statusCode, attached.body).toBe(200);
  return clientId;
}

describe("rules about the card's holder", () => {
  it("a card without a holder gets none of them; a registered holder near their birthday gets both discounts", async () => {
    expect(appliedKeys(await calculate("cr-1", p.cards.poor))).toEqual([]);

    await registerWithCard({ phone: "+7 916 300-00-01", birthDate: birthDateIn(2), consents }, p.cards.rich);
    const near = await calculate("cr-2", p.cards.rich);
    expect(appliedKeys(near)).toEqual(["birthday", "registered"]);
    // 5 % + 10 % add up on the line's price: 1 500 kopecks of 10 000.
    expect(near.totals.discount).toBe(1_500);

    // The same card in the cabinet's simulate: the stored facts, and a profile that overrides them.
    const simulate = (profile?: Record<string, unknown>) =>
      admin(t, owner, "POST", `/admin/v1/partners/${p.code}/simulate`, {
        storeCode: p.storeCodes[0],
        cardNumber: p.cards.rich,
        lines: LINES,
        ...(profile ? { profile } : {}),
      });
    const stored = await simulate();
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.json().discountTotal).toBe(1_500);
    const farBirthday = await simulate({ client: { birthday: birthDateIn(60) } });
    expect(farBirthday.json().discountTotal).toBe(500);
    const skipped = farBirthday
      .json()
      .skippedRules.find((s: { ruleId: number }) => s.ruleId === ruleIds.birthday);
    expect(skipped.reason.code).toBe("BIRTHDAY_NOT_NEAR");
  });

  it("a phone proven by a code earns the confirmed-phone accrual until the phone is changed", async () => {
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    let clientId: number;
    try {
      const started = await call(t, "POST", "/v1/clients", {
        token: p.tokens.store,
        payload: { phone: "+7 916 300-00-02", consents },
      });
      const id = started.json().confirmation.confirmationId as string;
      const code = codeIn(JSON.parse(sms.requests.at(-1)!.body).message);
      const confirmed = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      clientId = await attach(confirmed.json().client.id, p.cards.gold);
    } finally {
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
    const proven = await calculate("cr-3", p.cards.gold);
    expect(appliedKeys(proven)).toEqual(["phone", "registered"]);
    expect(proven.lines[0].accruals).toContainEqual({
      ruleId: ruleIds.phone,
      version: 1,
      amount: 665,
      rateBp: 700,
    });

    const edited = await admin(t, owner, "PATCH", `/admin/v1/partners/${p.code}/clients/${clientId}`, {
      phone: "+7 916 300-00-03",
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(appliedKeys(await calculate("cr-4", p.cards.gold))).toEqual(["registered"]);
  });
});

describe("a promo code issued by a rule", () => {
  it("the first confirmed purchase issues one personal code, once, usable on the card's next purchase", async () => {
    await call(t, "POST", "/v1/clients", {
      token: p.tokens.store,
      payload: { phone: "+7 916 300-00-04", consents },
    }).then((res) => attach(res.json().client.id, p.cards.accrualOnly));
    const first = await calculate("cr-5", p.cards.accrualOnly);
    const confirm = () =>
      call(t, "POST", "/v1/purchases/cr-5/confirm", {
        token: p.tokens.any,
        payload: { receiptNumber: "77" },
      });
    const confirmed = await confirm();
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(first.state).toBe("calculated");
    const issued = confirmed.json().issuedPromoCodes;
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      campaign: "WELCOME",
      validTo: new Date(t.clock.now() + 30 * 86_400_000).toISOString(),
    });
    expect(issued[0].code).toMatch(/^[0-9A-Z]{10}$/);
    expect(issued[0].message).toMatch(
      /^Промокод на следующую покупку: [0-9A-Z]{10}, действует до \d\d\.\d\d\.\d{4}$/,
    );
    expect(confirmed.json().messages).toContainEqual({ code: "PROMO_CODE_ISSUED", text: issued[0].message });

    // A repeated confirm answers the same code and issues nothing more.
    const replayed = await confirm();
    expect(replayed.headers["idempotent-replayed"]).toBe("true");
    expect(replayed.json().issuedPromoCodes).toEqual(issued);
    const ofCard = await t.database.db
      .selectFrom("promo_codes")
      .innerJoin("cards", "cards.id", "promo_codes.card_id")
      .select(["promo_codes.code", "promo_codes.max_uses", "promo_codes.campaign"])
      .where("cards.number", "=", p.cards.accrualOnly)
      .execute();
    expect(ofCard).toEqual([{ code: issued[0].code, max_uses: 1, campaign: "WELCOME" }]);

    // The card shows it, and it is the card's: another card may not use it.
    const card = await call(t, "GET", `/v1/cards/${p.cards.accrualOnly}`, { token: p.tokens.any });
    expect(card.json().promoCodes.map((c: { code: string }) => c.code)).toEqual([issued[0].code]);
    const check = (cardNumber: string) =>
      call(t, "POST", "/v1/promo-codes/check", {
        token: p.tokens.any,
        payload: { code: issued[0].code, cardNumber },
      });
    expect((await check(p.cards.accrualOnly)).json()).toMatchObject({ valid: true, personal: true });
    expect((await check(p.cards.poor)).json()).toMatchObject({ valid: false, reason: "WRONG_CARD" });
    issuedCode = issued[0].code;

    // No longer a first purchase: the next confirm issues nothing.
    await calculate("cr-6", p.cards.accrualOnly);
    const second = await call(t, "POST", "/v1/purchases/cr-6/confirm", { token: p.tokens.any, payload: {} });
    expect(second.json().issuedPromoCodes).toBeUndefined();
  });

  it("keeps the issued code out of the logs", () => {
    expect(issuedCode).toMatch(/^[0-9A-Z]{10}$/);
    expect(t.logs.length).toBeGreaterThan(0);
    for (const line of t.logs) expect(line).not.toContain(issuedCode);
  });
});
