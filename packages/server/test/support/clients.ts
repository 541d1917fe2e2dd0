/**
 * Support for client tests: a real SMTP server and a real HTTP "SMS gateway" on 127.0.0.1 that keep
 * what they receive, an in-process server whose log lines are kept for inspection, and program
 * registration settings.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { SMTPServer } from "smtp-server";
import type { AppContext } from "../../src/app/context.js";
import { buildServer } from "../../src/app/server.js";
import { loadConfig } from "../../src/infra/config.js";
import { openDatabase } from "../../src/infra/db/database.js";
import { migrateToLatest } from "../../src/infra/db/migrate.js";
import {
  type RegistrationSettingsChange,
  updateRegistrationSettings,
} from "../../src/modules/programs/index.js";
import { scratchDatabase } from "./databases.js";
import { TEST_PII_KEY, type TestApp, TestClock } from "./harness.js";

export interface ReceivedMail {
  to: string[];
  raw: string;
}

export interface MailServer {
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The text of a quoted-printable or plain mail body, decoded enough to find the code. */
export function mailText(mail: ReceivedMail): string {
  const split = mail.raw.search(/\r?\n\r?\n/);
  const headers = mail.raw.slice(0, split);
  const body = mail.raw.slice(split).trim();
  if (/content-transfer-encoding:\s*base64/i.test(headers))
    return Buffer.from(body, "base64").toString("utf8");
  if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
    const bytes = body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => `%${h}`);
    return decodeURIComponent(bytes);
  }
  return body;
}

export interface GatewayRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface SmsGateway {
  url: string;
  requests: GatewayRequest[];
  /** The status the gateway answers with (200 by default). */
  status: number;
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<SmsGateway> {
  const gateway: SmsGateway = { url: "", requests: [], status: 200, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      gateway.requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(gateway.status, { "content-type": "application/json" });
      res.end(gateway.status < 400 ? '{"ok":true}' : '{"error":"down"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return gateway;
}

/** Like startTestApp, but every log line (debug and up) is kept in `logs`. */
export async function startLoggedApp(env: Record<string, string>): Promise<TestApp & { logs: string[] }> {
  const scratch = await scratchDatabase();
  const config = loadConfig({
    DATABASE_URL: scratch.url,
    LOG_LEVEL: "debug",
    DEMO_DATA: "false",
    PII_KEY: TEST_PII_KEY,
    OVERLOAD_MAX_LOOP_DELAY_MS: "0",
    OVERLOAD_MAX_IN_FLIGHT: "0",
    OVERLOAD_MAX_QUEUE_MS: "0",
    ...env,
  });
  const database = openDatabase(config.databaseUrl, { poolSize: 20 });
  await migrateToLatest(database);
  const clock = new TestClock();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const ctx: AppContext = { config, database, clock, logger: pino({ level: "debug" }, sink) };
  const server = await buildServer(ctx);
  await server.app.ready();
  return {
    server,
    database,
    clock,
    config,
    scratch,
    logs,
    async close() {
      await server.app.close();
      await database.close();
      await scratch.drop();
    },
  };
}

export async function setRegistration(t: TestApp, programId: number, change: RegistrationSettingsChange) {
  await updateRegistrationSettings(t.database.db, programId, change, t.clock.now());
}

export async function countRows(t: TestApp, table: "clients" | "cards" | "confirmations"): Promise<number> {
  const row = await t.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The code in the last message a channel received. */
export function codeIn(text: string): string {
  const match = /Код подтверждения: (\d{4,8})/.exec(text);
  if (!match) throw new Error(`no code in ${text}`);
  return match[1]!;
}
