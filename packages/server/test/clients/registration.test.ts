import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasValidCheckDigit } from "../../src/core/card-numbers.js";
import {
  codeIn,
  countRows,
  type MailServer,
  mailText,
  type SmsGateway,
  setRegistration,
  startLoggedApp,
  startMailServer,
  startSmsGateway,
} from "../support/clients.js";
import { call, type SeededPartner, seedPartner, type TestApp, tokenFor } from "../support/harness.js";

let t: TestApp & { logs: string[] };
let p: SeededPartner;
let mail: MailServer;
let sms: SmsGateway;

const consents = { personalData: true, sms: true };

beforeAll(async () => {
  mail = await startMailServer();
  sms = await startSmsGateway();
  t = await startLoggedApp({
    SMTP_URL: mail.url,
    SMTP_FROM: "codes@kopilka.test",
    SMS_GATEWAY_URL: `${sms.url}/send?to={phone}`,
    SMS_GATEWAY_HEADERS: JSON.stringify({ "Content-Type": "application/json", "X-Api-Key": "gw-key" }),
    SMS_GATEWAY_BODY: '{"phone":"{phone}","message":"{text}","sender":"Kopilka"}',
  });
  p = await seedPartner(t);
});
afterAll(async () => {
  await t?.close();
  await mail?.close();
  await sms?.close();
});

const register = (payload: unknown, token = p.tokens.store) =>
  call(t, "POST", "/v1/clients", { token, payload });

describe("settings", () => {
  it("the till reads the default program's registration settings and points limit", async () => {
    const res = await call(t, "GET", "/v1/settings", { token: p.tokens.store });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      programCode: "main",
      loginValue: "phone",
      confirmationMethod: "none",
      attachCardOnRegistration: false,
      virtualCards: null,
      pointsPayment: { maxShareBp: 5000 },
    });
    await setRegistration(t, p.programId, {
      virtualCards: { prefix: "29", length: 13, checkDigit: "ean13" },
    });
    const named = await call(t, "GET", "/v1/settings?programCode=main", { token: p.tokens.store });
    expect(named.json().virtualCards).toEqual({ prefix: "29", length: 13, checkDigit: "ean13" });
    const unknown = await call(t, "GET", "/v1/settings?programCode=nope", { token: p.tokens.store });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("PROGRAM_NOT_FOUND");
  });
});

describe("registration without confirmation", () => {
  it("normalizes the phone, registers, refuses the same login again, attaches a virtual card", async () => {
    const res = await register({
      name: "Иван Петров",
      phone: "8 (916) 100-00-01",
      birthDate: "1990-05-17",
      consents,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe("registered");
    expect(body.client).toMatchObject({
      name: "Иван Петров",
      phone: "+7916***0001",
      confirmed: false,
      birthDate: "1990-05-17",
    });
    const again = await register({ phone: "+7 916 100 00 01", consents });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: "CLIENT_ALREADY_EXISTS", details: { field: "phone" } });

    const clientId = body.client.id as number;
    const attached = await call(t, "POST", `/v1/clients/${clientId}/cards`, {
      token: p.tokens.store,
      payload: { virtual: true },
    });
    expect(attached.statusCode).toBe(200);
    const [card] = attached.json().cards;
    expect(card.virtual).toBe(true);
    expect(card.number).toMatch(/^29\d{11}$/);
    expect(hasValidCheckDigit(card.number, "ean13")).toBe(true);
    // A retried request issues nothing new.
    const retried = await call(t, "POST", `/v1/clients/${clientId}/cards`, {
      token: p.tokens.store,
      payload: { virtual: true },
    });
    expect(retried.json().cards).toHaveLength(1);

    const found = await call(t, "GET", `/v1/cards?number=${card.number}`, { token: p.tokens.store });
    expect(found.json().cards[0].clientId).toBe(clientId);
    const client = await call(t, "GET", `/v1/clients/${clientId}`, { token: p.tokens.store });
    expect(client.json()).toMatchObject({ id: clientId, phone: "+7916***0001" });
    const listed = await call(t, "GET", `/v1/clients/${clientId}/cards`, { token: p.tokens.store });
    expect(listed.json().cards.map((c: { number: string }) => c.number)).toEqual([card.number]);
  });

  it("attaches a chosen free card of the program, not one held by someone else", async () => {
    const a = (await register({ phone: "9161000002", consents })).json().client.id;
    const b = (await register({ phone: "9161000003", consents })).json().client.id;
    const ok = await call(t, "POST", `/v1/clients/${a}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.poor },
    });
    expect(ok.statusCode).toBe(200);
    const taken = await call(t, "POST", `/v1/clients/${b}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.poor },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe("CARD_NOT_FREE");
    const blocked = await call(t, "POST", `/v1/clients/${b}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.blocked },
    });
    expect(blocked.json().code).toBe("CARD_BLOCKED");
  });

  it("refuses bad phones, bad e-mails and a missing consent with the field at fault, writing nothing", async () => {
    const before = await countRows(t, "clients");
    const cases: [unknown, number, string, string][] = [
      [{ phone: "+1 212 555 0100", consents }, 400, "INVALID_PHONE", "phone"],
      [{ phone: "12345", consents }, 400, "INVALID_PHONE", "phone"],
      [{ phone: "9161000009", email: "not-an-address", consents }, 400, "INVALID_EMAIL", "email"],
      [
        { phone: "9161000009", consents: { personalData: false } },
        422,
        "CONSENT_REQUIRED",
        "consents.personalData",
      ],
      [{ email: "a@b.ru", consents }, 400, "VALIDATION_FAILED", "phone"],
      [{ phone: "9161000009", consents, extra: 1 }, 400, "VALIDATION_FAILED", "extra"],
    ];
    for (const [payload, status, code, field] of cases) {
      const res = await register(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json().code).toBe(code);
      expect(res.json().details.field).toBe(field);
    }
    expect(await countRows(t, "clients")).toBe(before);
  });

  it("registers one client when the same login arrives many times at once", async () => {
    const spellings = ["+79161000010", "89161000010", "9161000010", "+7 (916) 100-00-10", "8-916-100-00-10"];
    const before = await countRows(t, "clients");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => register({ phone: spellings[i % spellings.length], consents })),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await countRows(t, "clients")).toBe(before + 1);
  });

  it("attaches the presented card at registration when the program says so", async () => {
    await setRegistration(t, p.programId, { attachCardOnRegistration: true });
    try {
      const missing = await register({ phone: "9161000020", consents });
      expect(missing.json()).toMatchObject({ code: "VALIDATION_FAILED", details: { field: "cardNumber" } });
      const res = await register({ phone: "9161000020", consents, cardNumber: p.cards.gold });
      expect(res.statusCode).toBe(200);
      expect(res.json().cards).toMatchObject([
        { number: p.cards.gold, level: "gold", clientId: res.json().client.id },
      ]);
    } finally {
      await setRegistration(t, p.programId, { attachCardOnRegistration: false });
    }
  });
});

describe("registration confirmed by e-mail (real SMTP server)", () => {
  it("mails the code; a wrong code counts; the right one creates the confirmed client", async () => {
    await setRegistration(t, p.programId, { loginValue: "email", confirmationMethod: "email" });
    try {
      const res = await register({ name: "Анна", email: "Anna.Ivanova@Mail.RU ", consents });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ status: "confirmation_required", client: null });
      expect(body.confirmation).toMatchObject({
        channel: "email",
        destination: "a***@mail.ru",
        resendAfterSeconds: 60,
      });
      expect(await countRows(t, "clients")).toBeGreaterThan(0);
      const sent = mail.mails.at(-1)!;
      expect(sent.to).toEqual(["anna.ivanova@mail.ru"]);
      const code = codeIn(mailText(sent));
      expect(res.body).not.toContain(code);
      const id = body.confirmation.confirmationId as string;
      const wrong = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code: code === "000000" ? "111111" : "000000" },
      });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json()).toMatchObject({ code: "CONFIRMATION_CODE_INVALID", details: { attemptsLeft: 4 } });
      const ok = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().client).toMatchObject({
        name: "Анна",
        email: "a***@mail.ru",
        confirmed: true,
        status: "confirmed",
      });
      // A retry of the same confirm answers the same client.
      const replay = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code },
      });
      expect(replay.json().client.id).toBe(ok.json().client.id);
      const dup = await register({ email: "anna.ivanova@mail.ru", consents });
      expect(dup.json().code).toBe("CLIENT_ALREADY_EXISTS");
      for (const line of t.logs) {
        expect(line).not.toContain(code);
        expect(line.toLowerCase()).not.toContain("anna.ivanova");
      }
    } finally {
      await setRegistration(t, p.programId, { loginValue: "phone", confirmationMethod: "none" });
    }
  });
});

describe("registration confirmed by SMS (real HTTP gateway)", () => {
  it("sends the templated request; brute force locks the code; re-sends are rate-limited; a new code works", async () => {
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    try {
      const res = await register({ phone: "+7 (916) 200-00-01", consents });
      const id = res.json().confirmation.confirmationId as string;
      const request = sms.requests.at(-1)!;
      expect(request.method).toBe("POST");
      expect(request.url).toBe("/send?to=%2B79162000001");
      expect(request.headers["x-api-key"]).toBe("gw-key");
      const sent = JSON.parse(request.body) as { phone: string; message: string; sender: string };
      expect(sent.phone).toBe("+79162000001");
      expect(sent.sender).toBe("Kopilka");
      const code = codeIn(sent.message);
      const wrongCode = code === "999999" ? "999998" : "999999";
      const confirm = (c: string) =>
        call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
          token: p.tokens.store,
          payload: { code: c },
        });
      for (let i = 4; i >= 1; i--) expect((await confirm(wrongCode)).json().details.attemptsLeft).toBe(i);
      const fifth = await confirm(wrongCode);
      expect(fifth.json().code).toBe("CONFIRMATION_LOCKED");
      // Locked: even the right code no longer works.
      expect((await confirm(code)).json().code).toBe("CONFIRMATION_LOCKED");

      const resend = () => call(t, "POST", `/v1/confirmations/${id}/resend`, { token: p.tokens.store });
      const tooSoon = await resend();
      expect(tooSoon.statusCode).toBe(429);
      expect(tooSoon.json()).toMatchObject({
        code: "RATE_LIMITED",
        details: { scope: "destination", retryAfterSeconds: 60 },
      });
      t.clock.advance(61_000);
      const again = await resend();
      expect(again.statusCode).toBe(200);
      const newCode = codeIn(JSON.parse(sms.requests.at(-1)!.body).message);
      const ok = await confirm(newCode);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().client).toMatchObject({ phone: "+7916***0001", confirmed: true });
      for (const line of t.logs) {
        expect(line).not.toContain(newCode);
        expect(line).not.toContain("9162000001");
      }
    } finally {
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
  });

  it("caps the codes per phone per day", async () => {
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    try {
      const first = await register({ phone: "9162000002", consents });
      const id = first.json().confirmation.confirmationId as string;
      for (let i = 2; i <= 10; i++) {
        t.clock.advance(61_000);
        expect(
          (await call(t, "POST", `/v1/confirmations/${id}/resend`, { token: p.tokens.store })).statusCode,
        ).toBe(200);
      }
      t.clock.advance(61_000);
      const capped = await call(t, "POST", `/v1/confirmations/${id}/resend`, { token: p.tokens.store });
      expect(capped.statusCode).toBe(429);
      expect(capped.json().details.scope).toBe("destination");
      // A new registration attempt for the same phone is capped too.
      expect((await register({ phone: "9162000002", consents })).statusCode).toBe(429);
      t.clock.advance(86_400_000);
      // Tokens last 12 hours: the till logs in again.
      p.tokens.store = await tokenFor(t, p.logins.store);
      expect(
        (await call(t, "POST", `/v1/confirmations/${id}/resend`, { token: p.tokens.store })).statusCode,
      ).toBe(200);
    } finally {
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
  });

  it("an expired code fails", async () => {
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    try {
      const res = await register({ phone: "9162000003", consents });
      const id = res.json().confirmation.confirmationId as string;
      const code = codeIn(JSON.parse(sms.requests.at(-1)!.body).message);
      t.clock.advance(5 * 60_000);
      const late = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code },
      });
      expect(late.statusCode).toBe(410);
      expect(late.json().code).toBe("CONFIRMATION_EXPIRED");
    } finally {
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
  });

  it("a failed delivery answers CODE_DELIVERY_FAILED and leaves no client; a re-send then works", async () => {
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    const clientsBefore = await countRows(t, "clients");
    sms.status = 500;
    try {
      const res = await register({ phone: "9162000004", consents });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: "CODE_DELIVERY_FAILED", details: { channel: "sms" } });
      expect(await countRows(t, "clients")).toBe(clientsBefore);
      const id = res.json().details.confirmationId as string;
      const any = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code: "123456" },
      });
      expect(any.json().code).toBe("CONFIRMATION_NOT_FOUND");
      sms.status = 200;
      // The failed send did not count against the cooldown.
      const retry = await call(t, "POST", `/v1/confirmations/${id}/resend`, { token: p.tokens.store });
      expect(retry.statusCode).toBe(200);
      const code = codeIn(JSON.parse(sms.requests.at(-1)!.body).message);
      const ok = await call(t, "POST", `/v1/clients/registrations/${id}/confirm`, {
        token: p.tokens.store,
        payload: { code },
      });
      expect(ok.statusCode).toBe(200);
      expect(await countRows(t, "clients")).toBe(clientsBefore + 1);
    } finally {
      sms.status = 200;
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
  });

  it("an unreachable mail server fails the same way", async () => {
    const closed = await startLoggedApp({ SMTP_URL: "smtp://127.0.0.1:1" });
    try {
      const q = await seedPartner(closed, { code: "mailless" });
      await setRegistration(closed, q.programId, { loginValue: "email", confirmationMethod: "email" });
      const res = await call(closed, "POST", "/v1/clients", {
        token: q.tokens.store,
        payload: { email: "x@example.ru", consents },
      });
      expect(res.statusCode).toBe(502);
      expect(res.json().code).toBe("CODE_DELIVERY_FAILED");
      expect(await countRows(closed, "clients")).toBe(0);
      const noSms = await (async () => {
        await setRegistration(closed, q.programId, { loginValue: "phone", confirmationMethod: "phone" });
        return call(closed, "POST", "/v1/clients", {
          token: q.tokens.store,
          payload: { phone: "9160000000", consents },
        });
      })();
      expect(noSms.statusCode).toBe(503);
      expect(noSms.json().code).toBe("DELIVERY_CHANNEL_NOT_CONFIGURED");
    } finally {
      await closed.close();
    }
  });
});

describe("identification by phone", () => {
  it("without confirmation returns the cards; an unknown phone is CLIENT_NOT_FOUND", async () => {
    const reg = (await register({ phone: "9163000001", consents })).json();
    await call(t, "POST", `/v1/clients/${reg.client.id}/cards`, {
      token: p.tokens.store,
      payload: { virtual: true },
    });
    const res = await call(t, "POST", "/v1/identifications", {
      token: p.tokens.store,
      payload: { phone: "8 916 300 00 01" },
    });
    expect(res.json()).toMatchObject({
      status: "identified",
      cards: [{ clientId: reg.client.id, virtual: true }],
    });
    const unknown = await call(t, "POST", "/v1/identifications", {
      token: p.tokens.store,
      payload: { phone: "9163999999" },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("CLIENT_NOT_FOUND");
  });

  it("with confirmation: two steps; an unknown phone gets the same answer, no SMS, and no code matches", async () => {
    const reg = (await register({ phone: "9163000002", consents })).json();
    await call(t, "POST", `/v1/clients/${reg.client.id}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.accrualOnly },
    });
    await setRegistration(t, p.programId, { confirmationMethod: "phone" });
    try {
      const sentBefore = sms.requests.length;
      const step1 = await call(t, "POST", "/v1/identifications", {
        token: p.tokens.store,
        payload: { phone: "9163000002" },
      });
      expect(step1.json()).toMatchObject({
        status: "confirmation_required",
        cards: [],
        confirmation: { channel: "sms" },
      });
      expect(sms.requests.length).toBe(sentBefore + 1);
      const code = codeIn(JSON.parse(sms.requests.at(-1)!.body).message);
      const step2 = await call(
        t,
        "POST",
        `/v1/identifications/${step1.json().confirmation.confirmationId}/confirm`,
        {
          token: p.tokens.store,
          payload: { code },
        },
      );
      expect(step2.json()).toMatchObject({
        status: "identified",
        cards: [{ number: p.cards.accrualOnly, clientId: reg.client.id }],
      });

      const unknown = await call(t, "POST", "/v1/identifications", {
        token: p.tokens.store,
        payload: { phone: "9163999998" },
      });
      expect(unknown.statusCode).toBe(200);
      expect(Object.keys(unknown.json())).toEqual(Object.keys(step1.json()));
      expect(Object.keys(unknown.json().confirmation)).toEqual(Object.keys(step1.json().confirmation));
      expect(sms.requests.length).toBe(sentBefore + 1);
      const guess = await call(
        t,
        "POST",
        `/v1/identifications/${unknown.json().confirmation.confirmationId}/confirm`,
        {
          token: p.tokens.store,
          payload: { code },
        },
      );
      expect(guess.statusCode).toBe(422);
      expect(guess.json()).toMatchObject({ code: "CONFIRMATION_CODE_INVALID", details: { attemptsLeft: 4 } });
    } finally {
      await setRegistration(t, p.programId, { confirmationMethod: "none" });
    }
  });

  it("another partner's credential cannot use a confirmation or read a client", async () => {
    const other = await seedPartner(t, { code: "other" });
    const reg = (await register({ phone: "9163000003", consents })).json();
    const read = await call(t, "GET", `/v1/clients/${reg.client.id}`, { token: other.tokens.store });
    expect(read.statusCode).toBe(404);
    const ident = await call(t, "POST", "/v1/identifications", {
      token: other.tokens.store,
      payload: { phone: "9163000003" },
    });
    expect(ident.json().code).toBe("CLIENT_NOT_FOUND");
  });
});
