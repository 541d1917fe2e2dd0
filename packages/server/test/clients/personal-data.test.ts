import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eanCheckDigit,
  hasValidCheckDigit,
  luhnCheckDigit,
  numberInRange,
} from "../../src/core/card-numbers.js";
import { normalizeEmail, normalizePhone } from "../../src/core/contacts.js";
import { ConfigError, loadConfig } from "../../src/infra/config.js";
import { PersonalDataCipher, resolvePersonalDataKey } from "../../src/infra/pii.js";
import {
  call,
  type SeededPartner,
  seedPartner,
  startTestApp,
  TEST_PII_KEY,
  type TestApp,
} from "../support/harness.js";

describe("phone normalization", () => {
  const table: [string, string | null][] = [
    ["+7 (916) 123-45-67", "+79161234567"],
    ["8 916 123 45 67", "+79161234567"],
    ["89161234567", "+79161234567"],
    ["79161234567", "+79161234567"],
    ["9161234567", "+79161234567"],
    ["+7-916-123-45-67", "+79161234567"],
    ["8 (495) 123-45-67", "+74951234567"],
    [" +79161234567 ", "+79161234567"],
    ["916.123.45.67", "+79161234567"],
    ["+8 916 123 45 67", null],
    ["+1 212 555 01 00", null],
    ["+380 44 123 45 67", null],
    ["1234567", null],
    ["891612345678", null],
    ["0161234567", null],
    ["8 (016) 123-45-67", null],
    ["+7916123456a", null],
    ["", null],
  ];
  it.each(table)("%j → %j", (input, expected) => {
    const result = normalizePhone(input);
    expect(result.ok ? result.value : null).toBe(expected);
  });

  it("is idempotent on what it produces", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^9\d{9}$/), (digits) => {
        const once = normalizePhone(digits);
        expect(once.ok).toBe(true);
        if (once.ok) expect(normalizePhone(once.value)).toEqual(once);
      }),
    );
  });

  it("lower-cases and checks e-mail addresses", () => {
    expect(normalizeEmail(" Ivan.Petrov@Mail.RU ")).toEqual({ ok: true, value: "ivan.petrov@mail.ru" });
    for (const bad of [
      "ivan",
      "ivan@",
      "@mail.ru",
      "ivan@mail",
      "iv an@mail.ru",
      "ivan@@mail.ru",
      "a..b@mail.ru",
    ]) {
      expect(normalizeEmail(bad).ok, bad).toBe(false);
    }
  });
});

describe("card numbers", () => {
  it("computes EAN-13 and Luhn check digits of known numbers", () => {
    expect(eanCheckDigit("460123456789")).toBe(3); // 4601234567893
    expect(hasValidCheckDigit("4006381333931", "ean13")).toBe(true);
    expect(luhnCheckDigit("7992739871")).toBe(3);
    expect(hasValidCheckDigit("4539578763621486", "luhn")).toBe(true);
    expect(numberInRange({ prefix: "29", length: 13, checkDigit: "ean13" }, 42)).toBe(
      `290000000042${eanCheckDigit("290000000042")}`,
    );
    expect(numberInRange({ prefix: "77", length: 8, checkDigit: "none" }, 5)).toBe("77000005");
  });

  it("a changed digit breaks the check digit", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{12}$/),
        fc.nat(11),
        fc.integer({ min: 1, max: 9 }),
        (body, at, delta) => {
          for (const scheme of ["ean13", "luhn"] as const) {
            const number = numberInRange({ prefix: "", length: 13, checkDigit: scheme }, BigInt(body));
            expect(hasValidCheckDigit(number, scheme)).toBe(true);
            const digit = (Number(number[at]) + delta) % 10;
            const changed = number.slice(0, at) + digit + number.slice(at + 1);
            expect(hasValidCheckDigit(changed, scheme)).toBe(false);
          }
        },
      ),
    );
  });
});

describe("the personal-data cipher", () => {
  const key = Buffer.alloc(32, 1);
  const next = Buffer.alloc(32, 2);

  it("encrypts with a fresh IV, decrypts, and hashes deterministically", () => {
    const cipher = new PersonalDataCipher(key);
    const a = cipher.encrypt("+79161234567");
    expect(a).not.toContain("9161234567");
    expect(cipher.encrypt("+79161234567")).not.toBe(a);
    expect(cipher.decrypt(a)).toBe("+79161234567");
    expect(cipher.hash("phone:+79161234567")).toBe(cipher.hash("phone:+79161234567"));
    expect(() => new PersonalDataCipher(next).decrypt(a)).toThrow(/PII_KEY_PREVIOUS/);
  });

  it("after a rotation, old values still decrypt and old hashes are still searched", () => {
    const old = new PersonalDataCipher(key);
    const rotated = new PersonalDataCipher(next, key);
    const stored = old.encrypt("a@b.ru");
    expect(rotated.decrypt(stored)).toBe("a@b.ru");
    expect(rotated.isCurrent(stored)).toBe(false);
    expect(rotated.lookupHashes("email:a@b.ru")).toContain(old.hash("email:a@b.ru"));
  });
});

describe("the key file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kopilka-key-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is generated beside the embedded database on first start, mode 0600, and reused", () => {
    const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, "kopilka.db")}` });
    const first = resolvePersonalDataKey(config);
    const file = join(dir, "kopilka.key");
    expect(first.generatedFile).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toMatch(/^[0-9a-f]{64}$/);
    const second = resolvePersonalDataKey(config);
    expect(second.generatedFile).toBeNull();
    expect(second.cipher.keyId).toBe(first.cipher.keyId);
  });

  it("production refuses to start without an explicit key", () => {
    const config = loadConfig({
      DATABASE_URL: `sqlite:${join(dir, "prod", "kopilka.db")}`,
      NODE_ENV: "production",
    });
    expect(() => resolvePersonalDataKey(config)).toThrow(ConfigError);
    expect(existsSync(join(dir, "prod", "kopilka.key"))).toBe(false);
    const explicit = loadConfig({
      DATABASE_URL: "sqlite:x.db",
      NODE_ENV: "production",
      PII_KEY: TEST_PII_KEY,
    });
    expect(resolvePersonalDataKey(explicit).generatedFile).toBeNull();
  });

  it("refuses a malformed key and a development code file in production, naming the variable", () => {
    expect(() => loadConfig({ PII_KEY: "short" })).toThrow(/PII_KEY: expected 32 bytes/);
    expect(() => loadConfig({ NODE_ENV: "production", DEV_CODES_FILE: "/tmp/codes" })).toThrow(
      /DEV_CODES_FILE/,
    );
  });
});

describe("client services for the operator", () => {
  let t: TestApp;
  let p: SeededPartner;
  beforeAll(async () => {
    t = await startTestApp();
    p = await seedPartner(t);
  });
  afterAll(async () => t?.close());

  const register = async (payload: Record<string, unknown>) => {
    const res = await call(t, "POST", "/v1/clients", {
      token: p.tokens.store,
      payload: { consents: { personalData: true }, ...payload },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().client.id as number;
  };

  it("stores phone and e-mail only hashed and encrypted", async () => {
    const id = await register({ phone: "9167000001", email: "Secret@Mail.ru" });
    const row = await t.database.db
      .selectFrom("clients")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain("9167000001");
    expect(JSON.stringify(row).toLowerCase()).not.toContain("secret@mail.ru");
    const clients = t.server.services.clients;
    expect(await clients.view(p.partnerId, id, { reveal: true })).toMatchObject({
      phone: "+79167000001",
      email: "secret@mail.ru",
    });
    expect(await clients.view(p.partnerId, id)).toMatchObject({
      phone: "+7916***0001",
      email: "s***@mail.ru",
    });
    expect((await clients.findByContact(p.partnerId, { email: "SECRET@mail.ru" })).map((c) => c.id)).toEqual([
      id,
    ]);
  });

  it("edits, refusing a login another client has", async () => {
    const clients = t.server.services.clients;
    const a = await register({ phone: "9167000002", name: "Old" });
    await register({ phone: "9167000003" });
    const edited = await clients.edit(p.partnerId, a, { name: "New", phone: "8 916 700 00 04" });
    expect(edited).toMatchObject({ name: "New", phone: "+79167000004" });
    await expect(clients.edit(p.partnerId, a, { phone: "9167000003" })).rejects.toMatchObject({
      code: "CLIENT_ALREADY_EXISTS",
    });
    await expect(clients.edit(p.partnerId, a, { phone: null })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
  });

  it("merges a duplicate: cards move, missing contacts are filled, the duplicate is emptied", async () => {
    const clients = t.server.services.clients;
    const keep = await register({ phone: "9167000005" });
    const dup = await register({ phone: "9167000006", email: "dup@mail.ru", name: "Дубль" });
    await call(t, "POST", `/v1/clients/${dup}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.gold },
    });
    const merged = await clients.merge(p.partnerId, keep, dup);
    expect(merged).toMatchObject({ id: keep, email: "dup@mail.ru", name: "Дубль", phone: "+79167000005" });
    expect((await clients.cards(p.partnerId, keep)).map((c) => c.number)).toEqual([p.cards.gold]);
    expect(await clients.view(p.partnerId, dup, { reveal: true })).toMatchObject({
      status: "merged",
      mergedInto: keep,
      phone: null,
    });
    await expect(clients.merge(p.partnerId, keep, dup)).rejects.toMatchObject({ code: "CLIENT_NOT_FOUND" });
    // The duplicate's phone is free again; the kept client is found by the e-mail it took over.
    expect((await clients.findByContact(p.partnerId, { email: "dup@mail.ru" })).map((c) => c.id)).toEqual([
      keep,
    ]);
  });

  it("exports everything about a client, then erases the person and keeps the cards and ledger", async () => {
    const clients = t.server.services.clients;
    const id = await register({
      phone: "9167000007",
      email: "gone@mail.ru",
      name: "Уйду",
      birthDate: "1970-01-01",
    });
    await call(t, "POST", `/v1/clients/${id}/cards`, {
      token: p.tokens.store,
      payload: { cardNumber: p.cards.rich },
    });
    const exported = await clients.export(p.partnerId, id);
    expect(exported.client).toMatchObject({ phone: "+79167000007", email: "gone@mail.ru", name: "Уйду" });
    expect(exported.cards[0]).toMatchObject({ number: p.cards.rich });
    expect(exported.cards[0]!.ledger.length).toBeGreaterThan(0);

    const erased = await clients.erase(p.partnerId, id);
    expect(erased).toMatchObject({
      status: "anonymised",
      name: null,
      phone: null,
      email: null,
      birthDate: null,
    });
    expect(await clients.erase(p.partnerId, id)).toMatchObject({ status: "anonymised" });
    expect((await clients.cards(p.partnerId, id)).map((c) => c.number)).toEqual([p.cards.rich]);
    expect(await clients.findByContact(p.partnerId, { phone: "9167000007" })).toEqual([]);
    const again = await register({ phone: "9167000007" });
    expect(again).not.toBe(id);
  });

  it("re-encrypts every client under a new key; lookups work before and after", async () => {
    const id = await register({ phone: "9167000008", email: "rot@mail.ru" });
    const newKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";
    const config = loadConfig({
      DATABASE_URL: t.config.databaseUrl,
      PII_KEY: newKey,
      PII_KEY_PREVIOUS: TEST_PII_KEY,
    });
    const { buildClientServices } = await import("../../src/app/client-services.js");
    const { ProgramCatalog } = await import("../../src/modules/programs/index.js");
    const { pino } = await import("pino");
    const rotated = buildClientServices(
      { config, database: t.database, clock: t.clock, logger: pino({ level: "silent" }) },
      new ProgramCatalog(t.database, t.clock),
    );
    expect(
      (await rotated.clients.findByContact(p.partnerId, { phone: "9167000008" })).map((c) => c.id),
    ).toEqual([id]);
    expect(await rotated.clients.rekey()).toBeGreaterThan(0);
    expect(await rotated.clients.rekey()).toBe(0);
    const onlyNew = buildClientServices(
      {
        config: loadConfig({ DATABASE_URL: t.config.databaseUrl, PII_KEY: newKey }),
        database: t.database,
        clock: t.clock,
        logger: pino({ level: "silent" }),
      },
      new ProgramCatalog(t.database, t.clock),
    );
    expect(await onlyNew.clients.view(p.partnerId, id, { reveal: true })).toMatchObject({
      email: "rot@mail.ru",
    });
    expect(
      (await onlyNew.clients.findByContact(p.partnerId, { phone: "+79167000008" })).map((c) => c.id),
    ).toEqual([id]);
  });
});
