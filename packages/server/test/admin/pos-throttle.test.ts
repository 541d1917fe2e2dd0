/** POST /v1/auth/token: repeated wrong secrets lock the login for a while; addresses are limited too. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  call,
  SECRET,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
} from "../support/harness.js";

let t: TestApp;
let a: SeededPartner;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_ADDRESS_MAX_FAILURES: "60" });
  a = await seedPartner(t, { code: "alpha" });
});
afterAll(async () => t?.close());

const token = (login: string, secret: string, remoteAddress = "127.0.0.1") =>
  t.server.app.inject({ method: "POST", url: "/v1/auth/token", payload: { login, secret }, remoteAddress });

describe("POS token throttling", () => {
  it("40 wrong secrets then the right one: locked, 429 with Retry-After, until the lock ends", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await token(a.logins.store, `wrong-${i}`)).statusCode);
    // LOGIN_MAX_FAILURES (10) wrong secrets answer 401; from then on the login is locked.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(30).fill(429));
    const right = await token(a.logins.store, SECRET);
    expect(right.statusCode).toBe(429);
    expect(right.json()).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: 900 } });
    expect(right.headers["retry-after"]).toBe("900");
    // The other credential of the partner still logs in.
    expect((await token(a.logins.any, SECRET)).statusCode).toBe(200);
    t.clock.advance(900_000);
    expect((await token(a.logins.store, SECRET)).statusCode).toBe(200);
  });

  it("locks an unknown login exactly like a known one", async () => {
    const answers: string[] = [];
    for (let i = 0; i < 11; i++) answers.push(`${(await token("no-such-till", "x")).statusCode}`);
    expect(answers).toEqual([...Array(10).fill("401"), "429"]);
    t.clock.advance(900_000);
  });

  it("limits failures per address across logins, and other addresses are not affected", async () => {
    for (let i = 0; i < 60; i++) await token(`guess-${i}`, "x", "10.0.0.7");
    const blocked = await token(a.logins.any, SECRET, "10.0.0.7");
    expect(blocked.statusCode).toBe(429);
    expect((await token(a.logins.any, SECRET, "10.0.0.8")).statusCode).toBe(200);
    t.clock.advance(900_000);
    expect((await token(a.logins.any, SECRET, "10.0.0.7")).statusCode).toBe(200);
  });

  it("a success forgets the login's earlier failures", async () => {
    for (let i = 0; i < 9; i++) await token(a.logins.any, "wrong");
    expect((await token(a.logins.any, SECRET)).statusCode).toBe(200);
    for (let i = 0; i < 9; i++) expect((await token(a.logins.any, "wrong")).statusCode).toBe(401);
    expect((await token(a.logins.any, SECRET)).statusCode).toBe(200);
  });

  it("a rotated secret ends tokens issued before it", async () => {
    const before = (await token(a.logins.any, SECRET)).json().accessToken as string;
    expect((await call(t, "GET", "/v1/programs", { token: before })).statusCode).toBe(200);
    t.clock.advance(2_000);
    const { rotateCredentialSecret, findCredential } = await import("../../src/modules/auth/index.js");
    const credential = await findCredential(t.database.db, a.logins.any);
    const secret = await rotateCredentialSecret(t.database.db, credential!.id, t.clock.now());
    t.clock.advance(t.config.authCacheTtlMs + 1);
    const stale = await call(t, "GET", "/v1/programs", { token: before });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().details.reason).toBe("rotated");
    expect((await token(a.logins.any, SECRET)).statusCode).toBe(401);
    const fresh = (await token(a.logins.any, secret)).json().accessToken as string;
    expect((await call(t, "GET", "/v1/programs", { token: fresh })).statusCode).toBe(200);
  });
});
