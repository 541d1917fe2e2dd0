/**
 * Discount programs and PharmApi access through the admin API: field-by-field validation, versions (a
 * purchase keeps the version that priced it), audit entries, owner-only changes, credential pairs shown
 * once, rotation and disabling felt by the facade.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminWorld, adminCall, bearerFor, seedAdminWorld } from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
let owner: string;
let analyst: string;
let outsider: string;

beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  owner = await bearerFor(t, w.users.owner);
  analyst = await bearerFor(t, w.users.analyst);
  outsider = await bearerFor(t, w.users.outsider);
});
afterAll(() => t?.close());

const program = (over: Record<string, unknown> = {}) => ({
  code: "brand",
  name: "Бренд: −15 %",
  items: [
    { barcode: "4600000000011", name: "Аспирин", discount: { type: "percent", percentBp: 1500 } },
    {
      barcode: "4600000000028",
      name: "Витамин C",
      discount: { type: "cash", amount: 5000 },
      priceCeiling: 50_000,
    },
  ],
  limits: [{ id: "month", period: "calendar_month", maxPacks: 3 }],
  cardRanges: [{ prefix: "555", lengths: [13] }],
  ...over,
});

const pharm = (token: string, secret: string, method: string, body: unknown) =>
  t.server.app.inject({
    method: "POST",
    url: `/api/v1.1/${method}`,
    headers: { "authorization-token": token, "authorization-secret": secret },
    payload: JSON.stringify(body),
  });

describe("discount programs", () => {
  it("creates, reads, replaces as a new version, and lists versions; every change audited", async () => {
    const created = await adminCall(t, "POST", "/partners/alpha/discount-programs", {
      token: owner,
      payload: program(),
    });
    expect(created.statusCode, created.body).toBe(201);
    const v1 = created.json();
    expect(v1).toMatchObject({
      code: "brand",
      active: true,
      confirmWindowMinutes: 30,
      confirmAllTogether: false,
    });
    const replaced = await adminCall(t, "PUT", "/partners/alpha/discount-programs/brand", {
      token: owner,
      payload: { ...program(), code: undefined, confirmAllTogether: true, confirmWindowMinutes: 15 },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json().version).toBeGreaterThan(v1.version);
    expect(replaced.json()).toMatchObject({ confirmAllTogether: true, confirmWindowMinutes: 15 });
    const versions = await adminCall(t, "GET", "/partners/alpha/discount-programs/brand/versions", {
      token: analyst,
    });
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([
      replaced.json().version,
      v1.version,
    ]);
    const list = await adminCall(t, "GET", "/partners/alpha/discount-programs", { token: analyst });
    expect(list.json().items.map((p: { code: string }) => p.code)).toEqual(["brand"]);
    const audit = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "entity_id"])
      .where("entity_type", "=", "discount_program")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["create", "update"]);
  });

  it("names the field at fault: schema errors and the program's own rules", async () => {
    const badType = await adminCall(t, "POST", "/partners/alpha/discount-programs", {
      token: owner,
      payload: program({
        code: "bad1",
        items: [{ barcode: "12", name: "x", discount: { type: "percent", percentBp: 1 } }],
      }),
    });
    expect(badType.statusCode).toBe(400);
    expect(badType.json().details.field).toMatch(/items/);
    const semantic = await adminCall(t, "POST", "/partners/alpha/discount-programs", {
      token: owner,
      payload: program({
        code: "bad2",
        items: [
          { barcode: "4600000000011", name: "a", discount: { type: "cash", percentBp: 100 } },
          { barcode: "4600000000011", name: "b", discount: { type: "percent", percentBp: 100 } },
        ],
        cardRanges: [{ prefix: "12345", lengths: [5] }],
      }),
    });
    expect(semantic.statusCode).toBe(400);
    const body = semantic.json();
    expect(body.code).toBe("DISCOUNT_PROGRAM_INVALID");
    expect(body.details.field).toBe("items[0].discount.percentBp");
    expect(body.details.issues.map((i: { field: string }) => i.field)).toEqual([
      "items[0].discount.percentBp",
      "items[0].discount.amount",
      "items[1].barcode",
      "cardRanges[0].lengths[0]",
    ]);
    expect(
      (
        await t.database.db
          .selectFrom("programs")
          .select("code")
          .where("code", "in", ["bad1", "bad2"])
          .execute()
      ).length,
    ).toBe(0);
  });

  it("only roles with the permission change programs; another partner's program is not found", async () => {
    const refused = await adminCall(t, "PUT", "/partners/alpha/discount-programs/brand", {
      token: analyst,
      payload: { ...program(), code: undefined },
    });
    expect(refused.statusCode).toBe(403);
    expect(
      (await adminCall(t, "GET", "/partners/beta/discount-programs/brand", { token: outsider })).statusCode,
    ).toBe(404);
    const loyalty = await adminCall(t, "GET", "/partners/alpha/discount-programs/main", { token: owner });
    expect(loyalty.json().code).toBe("NOT_A_DISCOUNT_PROGRAM");
  });
});

describe("PharmApi access", () => {
  it("issues a pair shown once, rotates its secret, disables it; the facade follows", async () => {
    const store = w.alpha.storeCodes[0];
    const created = await adminCall(t, "POST", "/partners/alpha/pharmapi-credentials", {
      token: owner,
      payload: { description: "chain POS software" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { token, secret, credential } = created.json();
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    const listed = await adminCall(t, "GET", "/partners/alpha/pharmapi-credentials", { token: analyst });
    expect(JSON.stringify(listed.json())).not.toContain(secret);
    const ok = await pharm(token, secret, "get_programs", { pos_id: "p1", pharmacy_id: store });
    expect(ok.json().programs.map((p: { code: string }) => p.code)).toEqual(["brand"]);

    const rotated = await adminCall(
      t,
      "POST",
      `/partners/alpha/pharmapi-credentials/${credential.id}/rotate`,
      {
        token: owner,
      },
    );
    const fresh = rotated.json().secret;
    expect(fresh).not.toBe(secret);
    t.clock.advance(60_000); // past the verified-pair cache
    expect(
      (await pharm(token, secret, "get_programs", { pos_id: "p1", pharmacy_id: store })).statusCode,
    ).toBe(403);
    expect((await pharm(token, fresh, "get_programs", { pos_id: "p1", pharmacy_id: store })).statusCode).toBe(
      200,
    );

    await adminCall(t, "PATCH", `/partners/alpha/pharmapi-credentials/${credential.id}`, {
      token: owner,
      payload: { enabled: false },
    });
    expect((await pharm(token, fresh, "get_programs", { pos_id: "p1", pharmacy_id: store })).statusCode).toBe(
      403,
    );
    expect(
      (await adminCall(t, "POST", "/partners/alpha/pharmapi-credentials/999/rotate", { token: owner })).json()
        .code,
    ).toBe("PHARMAPI_CREDENTIAL_NOT_FOUND");
  });

  it("a purchase records the program version that priced it; cards of the range exist on first use", async () => {
    const created = await adminCall(t, "POST", "/partners/alpha/pharmapi-credentials", {
      token: owner,
      payload: {},
    });
    const { token, secret } = created.json();
    const trust = await adminCall(t, "POST", "/partners/alpha/pharmapi-trust-key", { token: owner });
    const trustKey = trust.json().trustKey;
    const body = {
      pos_id: "p1",
      pharmacy_id: w.alpha.storeCodes[0],
      card_number: "5550000000001",
      orders: [
        { barcode: "4600000000011", count: 1, price: 100 },
        { barcode: "4600000000028", count: 1, price: 100 },
      ],
    };
    const calc = (await pharm(token, secret, "get_discount", body)).json();
    expect(calc.orders.map((o: { discount: number }) => o.discount)).toEqual([15, 50]);
    const row = await t.database.db
      .selectFrom("purchases")
      .select("rules_version")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    const detail = (
      await adminCall(t, "GET", "/partners/alpha/discount-programs/brand", { token: owner })
    ).json();
    expect(row.rules_version).toMatch(new RegExp(`^discount-1/[0-9]+/${detail.version}$`));
    const card = await t.database.db
      .selectFrom("cards")
      .select("status")
      .where("number", "=", "5550000000001")
      .execute();
    expect(card).toEqual([{ status: "active" }]);
    // "All together" (set by the replace above): one code alone is refused; a wrong trust key too.
    const codes = calc.orders.map((o: { transaction: string }) => o.transaction);
    const confirm = { ...body, orders: undefined, transactions: codes };
    expect(
      (await pharm(token, secret, "confirm_purchase", { ...confirm, transactions: [codes[0]] })).json()
        .error_code,
    ).toBe(205);
    expect((await pharm(token, secret, "confirm_purchase", confirm)).json().error_code).toBe(0);
    expect(
      (await pharm(token, secret, "cancel_purchase", { ...confirm, trust_key: "wrong" })).json().error_code,
    ).toBe(207);
    expect(
      (await pharm(token, secret, "cancel_purchase", { ...confirm, trust_key: trustKey })).json().error_code,
    ).toBe(0);
  });
});
