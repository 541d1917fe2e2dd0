/** A user of one partner cannot reach another's data; programs offered across chains. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { programRelation } from "../../src/modules/programs/index.js";
import { type AdminWorld, adminCall, bearerFor, makeUser, seedAdminWorld } from "../support/admin.js";
import { startTestApp, type TestApp } from "../support/harness.js";

let t: TestApp;
let w: AdminWorld;
let owner: string;
let betaOwner: string;
beforeAll(async () => {
  t = await startTestApp();
  w = await seedAdminWorld(t);
  owner = await bearerFor(t, w.users.owner);
  betaOwner = await bearerFor(t, w.users.outsider);
});
afterAll(async () => t?.close());

describe("partner isolation", () => {
  it("refuses another partner's routes with 403, whether that partner exists or not", async () => {
    for (const path of [
      "/partners/beta",
      "/partners/beta/stores",
      `/partners/beta/stores/${w.beta.storeCodes[0]}`,
      "/partners/beta/credentials",
      "/partners/beta/users",
      "/partners/beta/programs",
      "/partners/beta/audit",
      "/partners/no-such-partner/stores",
    ]) {
      const res = await adminCall(t, "GET", path, { token: owner });
      expect(res.statusCode, path).toBe(403);
    }
    const write = await adminCall(t, "POST", `/partners/beta/credentials/${w.beta.logins.any}/disable`, {
      token: owner,
    });
    expect(write.statusCode).toBe(403);
  });

  it("does not find another partner's things under one's own partner", async () => {
    const cases: [string, string][] = [
      [`/partners/alpha/stores/${w.beta.storeCodes[0]}`, "STORE_NOT_FOUND"],
      [`/partners/alpha/credentials/${w.beta.logins.any}`, "CREDENTIAL_NOT_FOUND"],
      [`/partners/alpha/users/${w.users.outsider.id}`, "USER_NOT_FOUND"],
    ];
    for (const [path, code] of cases) {
      const res = await adminCall(t, "GET", path, { token: owner });
      expect(res.statusCode, path).toBe(404);
      expect(res.json().code).toBe(code);
    }
    const disable = await adminCall(t, "POST", `/partners/alpha/credentials/${w.beta.logins.any}/disable`, {
      token: owner,
    });
    expect(disable.statusCode).toBe(404);
    const row = await t.database.db
      .selectFrom("pos_credentials")
      .select("enabled")
      .where("login", "=", w.beta.logins.any)
      .executeTakeFirstOrThrow();
    expect(row.enabled).toBe(1);
  });

  it("lists only the partner's own stores, credentials, users and audit entries", async () => {
    await adminCall(t, "POST", "/partners/beta/stores", {
      token: betaOwner,
      payload: { code: "B-NEW", name: "beta's", timezone: "Europe/Moscow" },
    });
    const stores = (await adminCall(t, "GET", "/partners/alpha/stores", { token: owner })).json();
    expect(stores.items.map((s: { code: string }) => s.code)).toEqual(w.alpha.storeCodes);
    const credentials = (await adminCall(t, "GET", "/partners/alpha/credentials", { token: owner })).json();
    expect(credentials.items.every((c: { login: string }) => c.login.startsWith("alpha-"))).toBe(true);
    const users = (await adminCall(t, "GET", "/partners/alpha/users", { token: owner })).json();
    expect(users.items.map((u: { email: string }) => u.email)).not.toContain(w.users.outsider.email);
    const audit = (await adminCall(t, "GET", "/partners/alpha/audit", { token: owner })).json();
    expect(audit.items.every((e: { partnerCode: string }) => e.partnerCode === "alpha")).toBe(true);
  });

  it("one person can hold roles in two partners", async () => {
    const both = await makeUser(t, "consultant@both.test", { partnerId: w.alpha.partnerId, role: "analyst" });
    await adminCall(t, "POST", "/partners/beta/users", {
      token: betaOwner,
      payload: { email: "Consultant@both.test", role: "marketer" },
    });
    const token = await bearerFor(t, both);
    const me = (await adminCall(t, "GET", "/auth/me", { token })).json();
    expect(me.user.memberships).toEqual([
      { partnerCode: "alpha", partnerName: "Partner alpha", role: "analyst", enabled: true },
      { partnerCode: "beta", partnerName: "Partner beta", role: "marketer", enabled: true },
    ]);
    expect((await adminCall(t, "GET", "/partners/alpha/users", { token })).statusCode).toBe(200);
    expect((await adminCall(t, "GET", "/partners/beta/users", { token })).statusCode).toBe(403);
  });
});

describe("programs offered to other partners", () => {
  it("the owner offers its program; the participant sees it as a participant, and nothing more", async () => {
    const added = await adminCall(t, "POST", "/partners/beta/programs/main/participants", {
      token: betaOwner,
      payload: { partnerCode: "alpha" },
    });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ partnerCode: "alpha", partnerName: "Partner alpha" });
    const again = await adminCall(t, "POST", "/partners/beta/programs/main/participants", {
      token: betaOwner,
      payload: { partnerCode: "alpha" },
    });
    expect(again.json()).toEqual(added.json());

    const visible = (await adminCall(t, "GET", "/partners/alpha/programs", { token: owner })).json();
    expect(visible.items).toEqual([
      {
        code: "main",
        name: "Main",
        kind: "loyalty",
        active: true,
        ownerPartnerCode: "alpha",
        relation: "owner",
      },
      {
        code: "main",
        name: "Main",
        kind: "loyalty",
        active: true,
        ownerPartnerCode: "beta",
        relation: "participant",
      },
    ]);
    expect(await programRelation(t.database.db, w.alpha.partnerId, w.beta.programId)).toBe("participant");
    expect(await programRelation(t.database.db, w.beta.partnerId, w.beta.programId)).toBe("owner");
    expect(await programRelation(t.database.db, w.beta.partnerId, w.alpha.programId)).toBeNull();

    // The participant cannot manage the owner's participants, under its own path or the owner's.
    const own = await adminCall(t, "POST", "/partners/alpha/programs/main/participants", {
      token: owner,
      payload: { partnerCode: "alpha" },
    });
    expect(own.json().code).toBe("PARTICIPANT_IS_OWNER");
    const foreign = await adminCall(t, "DELETE", "/partners/beta/programs/main/participants/alpha", {
      token: owner,
    });
    expect(foreign.statusCode).toBe(403);

    const list = (
      await adminCall(t, "GET", "/partners/beta/programs/main/participants", { token: betaOwner })
    ).json();
    expect(list.items.map((p: { partnerCode: string }) => p.partnerCode)).toEqual(["alpha"]);
    const removed = await adminCall(t, "DELETE", "/partners/beta/programs/main/participants/alpha", {
      token: betaOwner,
    });
    expect(removed.statusCode).toBe(200);
    expect(await programRelation(t.database.db, w.alpha.partnerId, w.beta.programId)).toBeNull();
  });

  it("only the owner role may change participants", async () => {
    const marketer = await bearerFor(t, w.users.marketer);
    const res = await adminCall(t, "POST", "/partners/alpha/programs/main/participants", {
      token: marketer,
      payload: { partnerCode: "beta" },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({
      code: "PERMISSION_DENIED",
      details: { permission: "participants.write" },
    });
  });
});

describe("lists", () => {
  it("page with keyset cursors in the order asked, and refuse a cursor of another sort", async () => {
    for (let i = 0; i < 7; i++) {
      await adminCall(t, "POST", "/partners/alpha/stores", {
        token: owner,
        payload: { code: `P-${i}`, name: `Page ${6 - i}`, timezone: "Europe/Moscow" },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { name: string }[]; nextCursor: string | null } = (
        await adminCall(
          t,
          "GET",
          `/partners/alpha/stores?q=page&sort=-name&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
          {
            token: owner,
          },
        )
      ).json();
      seen.push(...page.items.map((s: { name: string }) => s.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["Page 6", "Page 5", "Page 4", "Page 3", "Page 2", "Page 1", "Page 0"]);
    const first = (
      await adminCall(t, "GET", "/partners/alpha/stores?sort=code&limit=2", { token: owner })
    ).json();
    const mixed = await adminCall(t, "GET", `/partners/alpha/stores?sort=name&cursor=${first.nextCursor}`, {
      token: owner,
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().details.field).toBe("cursor");
  });
});
