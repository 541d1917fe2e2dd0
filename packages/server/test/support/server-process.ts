/**
 * Real `kopilka serve` processes for tests that need one: the crash test, the shutdown test. Each listens
 * on 127.0.0.1 on a free port; every spawned process is tracked so afterAll can kill what is left.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const MAIN_JS = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
/**
 * The first start loads the demo chain (10,000 cards), slower on PostgreSQL. On a busy 2-core machine,
 * with Chromium and another test file beside it, a start has taken more than 45 s.
 */
const READY_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 15_000;

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  /** What the process wrote on stdout alone (log lines), up to 4 MB. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited: () => boolean;
}

const children = new Set<ServerProcess>();

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

/** Resolves with the promise's value, or rejects after ms with a message saying what was awaited. */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function spawnServer(
  databaseUrl: string,
  port: number,
  env: Record<string, string> = {},
): ServerProcess {
  const child = spawn(process.execPath, [MAIN_JS, "serve"], {
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DEMO_DATA: "true",
      LOG_LEVEL: "warn",
      SWEEPER_INTERVAL_MS: "0",
      SHUTDOWN_TIMEOUT_MS: "10000",
      // Tests share a busy machine; load shedding has its own test (test/http/overload.test.ts).
      OVERLOAD_MAX_LOOP_DELAY_MS: "0",
      OVERLOAD_MAX_IN_FLIGHT: "0",
      OVERLOAD_MAX_QUEUE_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    keep(chunk);
    if (stdout.length < 4_000_000) stdout += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    keep(chunk);
    if (stderr.length < 4_000_000) stderr += chunk.toString("utf8");
  });
  let exited = false;
  const server: ServerProcess = {
    child,
    base: `http://127.0.0.1:${port}`,
    output: () => output,
    stdout: () => stdout,
    stderr: () => stderr,
    hasExited: () => exited,
    exited: new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        exited = true;
        children.delete(server);
        resolve({ code, signal });
      });
    }),
  };
  children.add(server);
  return server;
}

export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    const server = spawnServer(databaseUrl, await freePort(), env);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!server.hasExited() && Date.now() < deadline) {
      try {
        const res = await fetch(`${server.base}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return server;
        await res.body?.cancel();
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    if (!server.hasExited()) {
      server.child.kill("SIGKILL");
      await within(EXIT_TIMEOUT_MS, "a server that never got ready to exit", server.exited);
      throw new Error(`the server was not ready within ${READY_TIMEOUT_MS} ms:\n${server.output()}`);
    }
    // Another process may have taken the port between the probe and the listen.
    if (attempt < 3 && server.output().includes("EADDRINUSE")) continue;
    throw new Error(
      `the server exited before it was ready (${JSON.stringify(await server.exited)}):\n${server.output()}`,
    );
  }
}

/** A JSON POST to the server, with the POS's bearer token when given; the answer's status and JSON body. */
export async function postJson(
  server: ServerProcess,
  path: string,
  token: string | null,
  body: unknown,
  timeoutMs = 15_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function stopGracefully(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  const { code, signal } = await within(EXIT_TIMEOUT_MS, "the server to stop on SIGTERM", server.exited);
  if (code !== 0)
    throw new Error(`the server stopped with code ${code} signal ${signal}:\n${server.output()}`);
}

export async function killAll(): Promise<void> {
  const running = [...children];
  for (const s of running) s.child.kill("SIGKILL");
  await Promise.all(
    running.map((s) => within(EXIT_TIMEOUT_MS, "a killed server to exit", s.exited).catch(() => {})),
  );
}
