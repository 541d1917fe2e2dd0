/**
 * Registration and identification at the till, following the server's settings (seed 004), against a real
 * server process whose codes go to a file (DEV_CODES_FILE).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KopilkaClient } from "../src/client.js";
import { ServerRejectedError } from "../src/errors.js";
import { FormError, pickCard, Registrar } from "../src/registration.js";
import {
  DEMO,
  lastCode,
  type ScratchDatabase,
  scratchDatabase,
  startServer,
  stopAllServers,
} from "./support/server.js";
import { addDemoLines, freshCard, till } from "./support/till.js";

let db: ScratchDatabase;
let client: KopilkaClient;
let base: string;

beforeAll(async () => {
  db = await scratchDatabase();
  base = (await startServer(db)).base;
  client = new KopilkaClient({ baseUrl: base, login: DEMO.login, secret: DEMO.secret });
});

afterAll(async () => {
  await stopAllServers();
  await db?.drop();
});

/** Registration settings have no API yet; the test sets them on the program row. */
async function configure(confirmationMethod: string, attach: boolean, virtualPrefix: string | null) {
  await db.exec(
    "UPDATE programs SET confirmation_method = ?, attach_card_on_registration = ?, virtual_card_prefix = ?, virtual_card_length = 13 WHERE code = 'main'",
    [confirmationMethod, attach ? 1 : 0, virtualPrefix],
  );
}

describe("registration", () => {
  it("without confirmation: registered at once with the card shown, phone normalized", async () => {
    await configure("none", true, null);
    const registrar = new Registrar(client);
    const card = freshCard();
    const r = await registrar.register({
      name: "Иван",
      phone: "8 (916) 555-01-01",
      consents: { personalData: true },
      cardNumber: card,
    });
    expect(r.status).toBe("registered");
    if (r.status !== "registered") return;
    expect(r.cards.map((c) => c.number)).toEqual([card]);
    const view = await client.client(r.clientId);
    expect(view.phone).toMatch(/^\+7916\*+0101$/);
  });

  it("with a code by SMS: two steps; the card is attached afterwards (virtual or chosen)", async () => {
    await configure("phone", false, "299");
    const registrar = new Registrar(client);
    const first = await registrar.register({ phone: "+7 916 555 02 02", consents: { personalData: true } });
    expect(first.status).toBe("code_required");
    if (first.status !== "code_required") return;
    expect(first.confirmation.channel).toBe("sms");
    const code = await lastCode(db, "+79165550202");
    const wrong = await registrar
      .confirm(first.confirmation.confirmationId, code === "000000" ? "111111" : "000000")
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ServerRejectedError);
    expect((wrong as ServerRejectedError).code).toBe("CONFIRMATION_CODE_INVALID");
    const done = await registrar.confirm(first.confirmation.confirmationId, code);
    expect(done.status).toBe("registered");
    if (done.status !== "registered") return;
    expect(done.cards).toEqual([]);
    const virtual = await registrar.attachCard(done.clientId, "virtual");
    expect(virtual).toHaveLength(1);
    expect(virtual[0]?.virtual).toBe(true);
    expect(virtual[0]?.number.startsWith("299")).toBe(true);
    const chosen = freshCard();
    const both = await registrar.attachCard(done.clientId, { number: chosen });
    expect(both.map((c) => c.number).sort()).toContain(chosen);
    // The physical card is the one to use.
    expect(pickCard(both)?.number).toBe(chosen);
    expect((await client.clientCards(done.clientId)).cards).toHaveLength(2);
  });

  it("refuses a form the settings do not allow before any request", async () => {
    await configure("phone", false, null);
    const registrar = new Registrar(client);
    await expect(registrar.register({ consents: { personalData: true } })).rejects.toBeInstanceOf(FormError);
    await expect(
      registrar.register({ phone: "12345", consents: { personalData: true } }),
    ).rejects.toMatchObject({
      field: "phone",
    });
    await expect(
      registrar.register({ phone: "9165550303", consents: { personalData: false } }),
    ).rejects.toMatchObject({ field: "consents.personalData" });
  });
});

describe("identification", () => {
  it("by phone with a code: the client's cards, and the one to put on the receipt", async () => {
    await configure("none", true, null);
    const card = freshCard();
    await new Registrar(client).register({
      phone: "9165550404",
      consents: { personalData: true },
      cardNumber: card,
    });
    await configure("phone", true, null);
    const registrar = new Registrar(client);
    const first = await registrar.identify("+7 (916) 555-04-04");
    expect(first.status).toBe("code_required");
    if (first.status !== "code_required") return;
    const cards = await registrar.confirmIdentification(
      first.confirmation.confirmationId,
      await lastCode(db, "+79165550404"),
    );
    expect(pickCard(cards)?.number).toBe(card);

    // The card goes on a receipt like a scanned one.
    const t = till(base, db.dir);
    const s = t.session();
    addDemoLines(s);
    expect((await s.addCard(pickCard(cards)!.number)).ok).toBe(true);
    await t.outbox.close();
  });

  it("without confirmation: the cards at once", async () => {
    await configure("none", true, null);
    const card = freshCard();
    await new Registrar(client).register({
      phone: "9165550505",
      consents: { personalData: true },
      cardNumber: card,
    });
    const r = await new Registrar(client).identify("89165550505");
    expect(r.status).toBe("identified");
    if (r.status === "identified") expect(r.cards.map((c) => c.number)).toEqual([card]);
  });
});
