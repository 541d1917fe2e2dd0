/** Runs the built `kopilka-pos` (dist/main.js) as a child process, as an integrator would. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const POS_MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const SCENARIOS = fileURLToPath(new URL("../scenarios/", import.meta.url));

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function start(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [POS_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString("utf8");
  });
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString("utf8");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const done = new Promise<Run>((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      // Amounts are grouped with no-break spaces; the tests compare with plain ones.
      const plain = (t: string) => t.replace(/[\u00a0\u202f]/g, " ");
      resolve({ code, signal, stdout: plain(stdout), stderr: plain(stderr) });
    }),
  );
  return { child, done };
}

export const kopilkaPos = (args: string[]) => start(args).done;
