/**
 * A real `kopilka serve` process (packages/server/dist/cli/main.js, built by `npm run build`) on a scratch
 * database with the demo chain, listening on 127.0.0.1. On SQLite by default; on PostgreSQL when
 * TEST_DATABASE_URL names a server (a database is created for the file and dropped after).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";

export const SERVER_MAIN = fileURLToPath(new URL("../../../server/dist/cli/main.js", import.meta.url));
const READY_TIMEOUT_MS = 90_000;

export const DEMO = {
  login: "demo-pos-msk-1",
  secret: "demo-secret",
  store: "MSK-01",
  /** Demo cards 2000000000001…2000000010000; this one has 1,916 points, level base. */
  card: "2000000000002",
  cardRange: { from: "2000000000001", to: "2000000010000" },
};

export interface ScratchDatabase {
  url: string;
  dir: string;
  dialect: "sqlite" | "postgres";
  /** Runs one SQL statement with `?` placeholders (test set-up: settings no API changes yet). */
  exec(sql: string, params?: unknown[]): Promise<void>;
  drop(): Promise<void>;
}

export async function scratchDatabase(): Promise<ScratchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "kopilka-pos-"));
  const server = process.env.TEST_DATABASE_URL;
  if (!server) {
    const file = join(dir, "kopilka.db");
    return {
      url: `sqlite:${file}`,
      dir,
      dialect: "sqlite",
      async exec(sql, params = []) {
        const db = new Database(file);
        db.pragma("busy_timeout = 10000");
        try {
          db.prepare(sql).run(...params);
        } finally {
          db.close();
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `kopilka_pos_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dir,
    dialect: "postgres",
    async exec(sql, params = []) {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      let i = 0;
      try {
        await c.query(
          sql.replace(/\?/g, () => `$${++i}`),
          params,
        );
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

const running = new Set<ServerProcess>();

/** Starts the server and waits until /health/ready answers 200. */
export async function startServer(
  db: ScratchDatabase,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_MAIN, "serve"], {
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(port),
        DATABASE_URL: db.url,
        DEMO_DATA: "true",
        LOG_LEVEL: "warn",
        SWEEPER_INTERVAL_MS: "0",
        SHUTDOWN_TIMEOUT_MS: "5000",
        // Tests share a busy machine; load shedding has its own test (test/http/overload.test.ts).
        OVERLOAD_MAX_LOOP_DELAY_MS: "0",
        OVERLOAD_MAX_IN_FLIGHT: "0",
        OVERLOAD_MAX_QUEUE_MS: "0",
        DEV_CODES_FILE: join(db.dir, "codes.log"),
        PII_KEY: randomBytes(32).toString("hex"),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const keep = (c: Buffer) => {
      output = (output + c.toString("utf8")).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    let exited = false;
    const exitedPromise = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        exited = true;
        resolve({ code, signal });
      }),
    );
    const server: ServerProcess = {
      child,
      base: `http://127.0.0.1:${port}`,
      output: () => output,
      exited: exitedPromise,
      async stop() {
        if (!exited) child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exitedPromise;
        clearTimeout(timer);
        running.delete(server);
      },
    };
    running.add(server);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) {
      try {
        const res = await fetch(`${server.base}/health/ready`, { signal: AbortSignal.timeout(2000) });
        await res.body?.cancel();
        if (res.status === 200) return server;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await server.stop();
    if (attempt < 3 && output.includes("EADDRINUSE")) continue;
    throw new Error(`the server did not get ready:\n${output}`);
  }
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

/** The last code the server "sent" to this destination (DEV_CODES_FILE). */
export async function lastCode(db: ScratchDatabase, to: string): Promise<string> {
  const { readFileSync } = await import("node:fs");
  for (let i = 0; i < 50; i++) {
    try {
      const lines = readFileSync(join(db.dir, "codes.log"), "utf8").trim().split("\n");
      const found = lines
        .map((l) => JSON.parse(l) as { to: string; code: string })
        .filter((l) => l.to === to)
        .pop();
      if (found) return found.code;
    } catch {
      // not written yet
    }
    await sleep(100);
  }
  throw new Error(`no code sent to ${to}`);
}
