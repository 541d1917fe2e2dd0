/**
 * A private, throwaway PostgreSQL cluster for a test that restarts or stops the database: the shared test
 * cluster of scripts/with-postgres.sh serves the other test files at the same time, so it is never
 * restarted. Uses the binaries of that script (TEST_PG_CTL, initdb beside it) and runs them as the OS
 * user it names (TEST_PG_USER; through runuser when the tests run as root).
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "./server-process.js";

export interface PostgresCluster {
  url: string;
  /** `pg_ctl restart -m fast|immediate`, waiting until it accepts connections again. */
  restart(mode: "fast" | "immediate"): Promise<void>;
  /** `pg_ctl stop -m fast` and `pg_ctl start`: the cluster stays down between them. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster and deletes it. */
  destroy(): Promise<void>;
}

/** Whether this run can start its own cluster: PostgreSQL tests under scripts/with-postgres.sh. */
export function privateClustersAvailable(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_PG_CTL);
}

function asUser(): string[] {
  const user = process.env.TEST_PG_USER;
  if (process.getuid?.() === 0 && user && user !== "root") return ["runuser", "-u", user, "--"];
  return [];
}

function run(command: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${command.join(" ")} exited with ${code}:\n${output}`)),
    );
  });
}

export async function startPrivateCluster(): Promise<PostgresCluster> {
  const pgCtl = process.env.TEST_PG_CTL;
  if (!pgCtl) throw new Error("TEST_PG_CTL is not set: run under scripts/with-postgres.sh");
  const bin = dirname(pgCtl);
  const prefix = asUser();
  const dir = mkdtempSync("/tmp/kopilka-pg-");
  if (prefix.length > 0) {
    const user = process.env.TEST_PG_USER!;
    const uid = Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  const port = await freePort();
  const ctl = (...args: string[]) =>
    run([...prefix, pgCtl, "-D", data, "-l", log, "-w", "-t", "60", ...args], dir);
  await run(
    [
      ...prefix,
      join(bin, "initdb"),
      "-D",
      data,
      "--username=postgres",
      "--auth=trust",
      "--encoding=UTF8",
      "--locale=C",
      "--no-sync",
    ],
    dir,
  );
  appendFileSync(
    join(data, "postgresql.conf"),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nmax_connections = 100\n`,
  );
  await ctl("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: (mode) => ctl("-m", mode, "restart"),
    halt: () => ctl("-m", "fast", "stop"),
    start: () => ctl("start"),
    async destroy() {
      await ctl("-m", "immediate", "stop").catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
