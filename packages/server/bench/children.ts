/** Child processes of the benchmark: start on a free port, wait until ready, read memory, always stop. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

export interface Child {
  name: string;
  process: ChildProcess;
  port: number;
  /** The last lines the child wrote, shown when it fails. */
  output(): string;
}

const running = new Set<Child>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  /** GET path that answers 200 once the child can serve. */
  readyPath: string;
  timeoutMs?: number;
}

export async function startChild(options: StartOptions): Promise<Child> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const handle: Child = { name: options.name, process: child, port, output: () => tail };
  running.add(handle);
  child.once("exit", () => running.delete(handle));

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${options.name} exited during start (${child.exitCode ?? child.signalCode}):\n${tail}`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${options.readyPath}`);
      if (res.ok) return handle;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${options.name} not ready after ${options.timeoutMs ?? 60_000} ms:\n${tail}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within graceMs. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
  p.kill("SIGTERM");
  const timer = setTimeout(() => p.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Last resort on any exit path: kill whatever is still running, synchronously. */
export function killAllChildren(): void {
  for (const child of running) {
    try {
      child.process.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

export interface Memory {
  rssMb: number;
  peakRssMb: number;
  /** Of the RSS: anonymous memory (JS heap, SQLite page cache, buffers), file-backed, shared (WAL index). */
  anonMb: number;
  fileMb: number;
  shmemMb: number;
}

/** VmRSS, VmHWM (peak) and the RSS breakdown of a process from /proc, in MB (MiB). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) / 1024;
  return {
    rssMb: mb("VmRSS"),
    peakRssMb: mb("VmHWM"),
    anonMb: mb("RssAnon"),
    fileMb: mb("RssFile"),
    shmemMb: mb("RssShmem"),
  };
}

/** Whether the event loop answers (GET /health/live) and the database answers (GET /health/ready). */
export async function probe(port: number): Promise<string> {
  const check = async (path: string) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3_000) });
      return String(res.status);
    } catch {
      return "no answer in 3 s";
    }
  };
  return `live: ${await check("/health/live")}, ready: ${await check("/health/ready")}`;
}

export interface CpuSnapshot {
  at: number;
  /** Busy jiffies of the whole machine. */
  busy: number;
  /** Jiffies used by the processes watched. */
  own: number;
  /** Jiffies used by the first process watched: the one under load. */
  target: number;
}

function jiffiesOf(pid: number | "self"): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the line; fields[0] is field 3 (the state).
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function cpuSnapshot(pids: readonly number[]): CpuSnapshot {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  const own = jiffiesOf("self") + pids.reduce((n, pid) => n + jiffiesOf(pid), 0);
  return { at: performance.now(), busy, own, target: pids[0] === undefined ? 0 : jiffiesOf(pids[0]) };
}

/**
 * Share of the machine (0..1 of all CPUs) that processes other than the benchmark's used between two
 * snapshots: another workload on the box makes the figures unreliable.
 */
/** CPU use of the process under load between two snapshots, in % of one CPU. */
export function targetCpuPct(before: CpuSnapshot, after: CpuSnapshot, ticksPerSecond = 100): number {
  const seconds = (after.at - before.at) / 1000;
  return seconds > 0 ? ((after.target - before.target) / ticksPerSecond / seconds) * 100 : 0;
}

export function foreignCpuShare(
  before: CpuSnapshot,
  after: CpuSnapshot,
  cpus: number,
  ticksPerSecond = 100,
): number {
  const capacity = ((after.at - before.at) / 1000) * cpus * ticksPerSecond;
  if (capacity <= 0) return 0;
  return Math.max(0, (after.busy - before.busy - (after.own - before.own)) / capacity);
}
