/**
 * An unreachable or locked database is an outage, told apart from a fault: the database layer turns it
 * into DatabaseUnavailableError and the API into a retryable 503 DATABASE_UNAVAILABLE with Retry-After.
 * (test/crash/database-restart.test.ts restarts a real PostgreSQL under load.)
 */
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DatabaseUnavailableError,
  isPostgresOutage,
  isSqliteOutage,
  openDatabase,
} from "../../src/infra/db/database.js";
import {
  call,
  receipt,
  type SeededPartner,
  seedPartner,
  startTestApp,
  type TestApp,
  writeCounts,
} from "../support/harness.js";
import { freePort } from "../support/server-process.js";

describe("outage or fault", () => {
  it("PostgreSQL: connection failures, shutdowns and recovery are outages; query errors are faults", () => {
    const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });
    for (const outage of [
      withCode("ECONNREFUSED"),
      withCode("ECONNRESET"),
      withCode("57P01", "terminating connection due to administrator command"),
      withCode("57P02"),
      withCode("57P03", "the database system is starting up"),
      withCode("08006"),
      withCode("53300"),
      new Error("Connection terminated unexpectedly"),
      new Error("timeout exceeded when trying to connect"),
      new Error("timeout expired"),
      new Error("Client has encountered a connection error and is not queryable"),
    ]) {
      expect(isPostgresOutage(outage), outage.message).toBe(true);
    }
    for (const fault of [
      withCode("23505"),
      withCode("42601"),
      withCode("40001"),
      withCode("22P02"),
      new Error("x"),
    ]) {
      expect(isPostgresOutage(fault), (fault as { code?: string }).code).toBe(false);
    }
  });

  it("SQLite: a busy or failing file is an outage; a broken constraint is a fault", () => {
    expect(isSqliteOutage(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }))).toBe(
      true,
    );
    expect(isSqliteOutage(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" }))).toBe(
      true,
    );
    expect(isSqliteOutage(Object.assign(new Error("x"), { code: "SQLITE_CONSTRAINT_UNIQUE" }))).toBe(false);
  });

  it("a PostgreSQL server that does not answer surfaces as DatabaseUnavailableError, and the process goes on", async () => {
    const port = await freePort();
    const database = openDatabase(`postgres://postgres@127.0.0.1:${port}/nothing`, { poolSize: 2 });
    try {
      const error = await database.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as DatabaseUnavailableError).code).toBe("DATABASE_UNAVAILABLE");
      expect((error as DatabaseUnavailableError).details).toEqual({ retryAfterSeconds: 1 });
      await expect(database.transaction(async () => 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await database.close();
    }
  });
});

describe("the API during an outage", () => {
  let t: TestApp;
  let p: SeededPartner;

  beforeAll(async () => {
    t = await startTestApp();
    p = await seedPartner(t);
  });
  afterAll(async () => t?.close());

  it.skipIf(process.env.TEST_DATABASE_URL)(
    "SQLite held by another process past busy_timeout: 503 DATABASE_UNAVAILABLE with Retry-After, nothing written",
    { timeout: 30_000 },
    async () => {
      const before = await writeCounts(t);
      const other = new SQLite(t.scratch.url.slice("sqlite:".length));
      other.exec("BEGIN EXCLUSIVE");
      try {
        // The first calculation may be answered before its write fails (write-behind: soft state, a late
        // confirm with the printed receipt covers it); once a write has failed, calculate says so.
        await call(t, "POST", "/v1/purchases/calculate", {
          token: p.tokens.any,
          payload: receipt(p, "outage-0"),
        });
        const res = await call(t, "POST", "/v1/purchases/calculate", {
          token: p.tokens.any,
          payload: receipt(p, "outage-1"),
          headers: { "accept-language": "en" },
        });
        expect(res.statusCode).toBe(503);
        expect(res.headers["retry-after"]).toBe("1");
        expect(res.json()).toEqual({
          code: "DATABASE_UNAVAILABLE",
          message: "The database is unavailable right now; retry the same request in 1 s",
          details: { retryAfterSeconds: 1 },
        });
      } finally {
        other.exec("ROLLBACK");
        other.close();
      }
      expect(await writeCounts(t)).toEqual(before);
      const retried = await call(t, "POST", "/v1/purchases/calculate", {
        token: p.tokens.any,
        payload: receipt(p, "outage-1"),
      });
      expect(retried.statusCode).toBe(200);
    },
  );
});
