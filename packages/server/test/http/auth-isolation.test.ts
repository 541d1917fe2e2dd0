import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setCredentialEnabled } from "../../src/modules/auth/index.js";
import {
  call,
  receipt,
  SECRET,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  tokenFor,
  writeCounts,
} from "../support/harness.js";

let t: TestApp;
let a: SeededPartner;
let b: SeededPartner;

beforeAll(async () => {
  t = await startTestApp({ AUTH_CACHE_TTL_MS: "1000" });
  a = await seedPartner(t, { code: "alpha" });
  b = await seedPartner(t, { code: "beta" });
  // Partner B has a confirmed purchase that A will try to reach.
  await call(t, "POST", "/v1/purchases/calculate", { token: b.tokens.store, payload: receipt(b, "b-sale") });
  await call(t, "POST", "/v1/purchases/b-sale/confirm", { token: b.tokens.store, payload: {} });
});
afterAll(async () => t?.close());

describe("POST /v1/auth/token", () => {
  it("issues a bearer token with an expiry", async () => {
    const res = await call(t, "POST", "/v1/auth/token", { payload: { login: a.logins.any, secret: SECRET } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.tokenType).toBe("Bearer");
    expect(body.expiresIn).toBe(t.config.tokenTtlSeconds);
    expect(Date.parse(body.expiresAt)).toBe(
      Math.floor(t.clock.now() / 1000) * 1000 + t.config.tokenTtlSeconds * 1000,
    );
  });

  it("refuses a wrong secret and an unknown login alike", async () => {
    for (const payload of [
      { login: a.logins.any, secret: "wrong" },
      { login: "nobody", secret: SECRET },
    ]) {
      const res = await call(t, "POST", "/v1/auth/token", { payload });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe("INVALID_CREDENTIALS");
    }
  });

  it("never stores the secret in clear", async () => {
    const row = await t.database.db
      .selectFrom("pos_credentials")
      .select("secret_hash")
      .where("login", "=", a.logins.any)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).not.toContain(SECRET);
    expect(row.secret_hash.startsWith("scrypt$")).toBe(true);
  });
});

describe("bearer tokens", () => {
  it("are required, must be genuine and unexpired", async () => {
    const none = await call(t, "GET", "/v1/programs");
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: "UNAUTHORIZED", details: { field: "authorization" } });
    const [head, body] = a.tokens.any.split(".");
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString());
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, pid: b.partnerId })).toString("base64url");
    const forged = await call(t, "GET", "/v1/programs", {
      token: `${head}.${forgedBody}.${a.tokens.any.split(".")[2]}`,
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().details.reason).toBe("signature");
    const token = await tokenFor(t, a.logins.any);
    const unused = await tokenFor(t, a.logins.store);
    // One used before it expires (its signature is remembered as checked) and one not used until then.
    expect((await call(t, "GET", "/v1/programs", { token })).statusCode).toBe(200);
    t.clock.advance((t.config.tokenTtlSeconds + 1) * 1000);
    for (const stale of [token, unused]) {
      const expired = await call(t, "GET", "/v1/programs", { token: stale });
      expect(expired.statusCode).toBe(401);
      expect(expired.json().details.reason).toBe("expired");
    }
    a.tokens.any = await tokenFor(t, a.logins.any);
    a.tokens.store = await tokenFor(t, a.logins.store);
    b.tokens.any = await tokenFor(t, b.logins.any);
    b.tokens.store = await tokenFor(t, b.logins.store);
  });

  it("stop working once the credential is disabled, within the cache period", async () => {
    const token = await tokenFor(t, a.logins.any);
    expect((await call(t, "GET", "/v1/programs", { token })).statusCode).toBe(200);
    await setCredentialEnabled(t.database.db, a.logins.any, false, t.clock.now());
    t.clock.advance(1001);
    const res = await call(t, "GET", "/v1/programs", { token });
    expect(res.statusCode).toBe(401);
    expect(
      (await call(t, "POST", "/v1/auth/token", { payload: { login: a.logins.any, secret: SECRET } }))
        .statusCode,
    ).toBe(401);
    await setCredentialEnabled(t.database.db, a.logins.any, true, t.clock.now());
    t.clock.advance(1001);
    expect((await call(t, "GET", "/v1/programs", { token })).statusCode).toBe(200);
  });
});

describe("partner isolation", () => {
  // Every endpoint, called by partner A's token with partner B's identifiers: nothing of B is read or changed.
  const crossCalls = () =>
    [
      { method: "GET", url: `/v1/cards/${b.cards.rich}`, code: "CARD_NOT_FOUND" },
      { method: "GET", url: `/v1/cards/${b.cards.rich}/ledger`, code: "CARD_NOT_FOUND" },
      { method: "GET", url: "/v1/products/P1", code: null },
      { method: "GET", url: "/v1/purchases/b-sale", code: "PURCHASE_NOT_FOUND" },
      {
        method: "POST",
        url: "/v1/purchases/b-sale/bonus-payment",
        payload: { amount: 1 },
        code: "PURCHASE_NOT_FOUND",
      },
      { method: "POST", url: "/v1/purchases/b-sale/confirm", payload: {}, code: "PURCHASE_NOT_FOUND" },
      { method: "POST", url: "/v1/purchases/b-sale/cancel", payload: {}, code: "PURCHASE_NOT_FOUND" },
      {
        method: "POST",
        url: "/v1/purchases/b-sale/refunds",
        payload: { refundId: "x" },
        code: "PURCHASE_NOT_FOUND",
      },
      {
        method: "POST",
        url: "/v1/purchases/calculate",
        payload: { ...receipt(b, "a-into-b"), storeCode: b.storeCodes[0] },
        code: "STORE_NOT_FOUND",
      },
      {
        method: "POST",
        url: "/v1/purchases/calculate",
        payload: { ...receipt(a, "a-with-b-card"), storeCode: a.storeCodes[1], cardNumber: b.cards.rich },
        code: "CARD_NOT_FOUND",
      },
      {
        method: "PUT",
        url: "/v1/cards",
        payload: { programCode: "main", items: [{ number: b.cards.rich, status: "blocked" }] },
        code: null,
      },
      {
        method: "PUT",
        url: "/v1/products",
        payload: { items: [{ sku: "P1", name: "renamed by A" }] },
        code: null,
      },
    ] as const;

  it("partner A's token never reads or changes partner B's data, on any endpoint", async () => {
    const before = await t.database.db
      .selectFrom("purchases")
      .selectAll()
      .where("partner_id", "=", b.partnerId)
      .execute();
    const bCardBefore = await call(t, "GET", `/v1/cards/${b.cards.rich}`, { token: b.tokens.any });
    for (const c of crossCalls()) {
      const res = await call(t, c.method, c.url, {
        token: a.tokens.any,
        ...("payload" in c ? { payload: c.payload } : {}),
      });
      if (c.code) {
        expect(res.statusCode, `${c.method} ${c.url}`).toBe(404);
        expect(res.json().code, `${c.method} ${c.url}`).toBe(c.code);
      } else {
        // Same SKU / card number in A's own namespace: it acts on A's rows only.
        expect(res.statusCode, `${c.method} ${c.url}`).toBeLessThan(500);
      }
    }
    expect(
      await t.database.db.selectFrom("purchases").selectAll().where("partner_id", "=", b.partnerId).execute(),
    ).toEqual(before);
    const bCardAfter = await call(t, "GET", `/v1/cards/${b.cards.rich}`, { token: b.tokens.any });
    expect(bCardAfter.json()).toEqual(bCardBefore.json());
    const bProduct = await call(t, "GET", "/v1/products/P1", { token: b.tokens.any });
    expect(bProduct.json().name).toBe("Aspirin");
    const programs = await call(t, "GET", "/v1/programs", { token: a.tokens.any });
    expect(programs.json().programs).toHaveLength(1);
  });

  it("a store-bound credential acts only for its store and cannot change master data", async () => {
    const other = await call(t, "POST", "/v1/purchases/calculate", {
      token: a.tokens.store,
      payload: { ...receipt(a, "wrong-store"), storeCode: a.storeCodes[1] },
    });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: "FORBIDDEN", details: { field: "storeCode" } });
    await call(t, "POST", "/v1/purchases/calculate", {
      token: a.tokens.any,
      payload: { ...receipt(a, "s2-sale"), storeCode: a.storeCodes[1] },
    });
    const before = await writeCounts(t);
    for (const url of ["/v1/purchases/s2-sale/confirm", "/v1/purchases/s2-sale/cancel"]) {
      const res = await call(t, "POST", url, { token: a.tokens.store, payload: {} });
      expect(res.statusCode).toBe(403);
    }
    expect((await call(t, "GET", "/v1/purchases/s2-sale", { token: a.tokens.store })).statusCode).toBe(403);
    const products = await call(t, "PUT", "/v1/products", {
      token: a.tokens.store,
      payload: { items: [{ sku: "Z", name: "z" }] },
    });
    expect(products.statusCode).toBe(403);
    const cards = await call(t, "PUT", "/v1/cards", {
      token: a.tokens.store,
      payload: { programCode: "main", items: [{ number: "z1" }] },
    });
    expect(cards.statusCode).toBe(403);
    expect(await writeCounts(t)).toEqual(before);
  });
});
