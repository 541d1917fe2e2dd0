/** Runs the built `kopilka` command line (dist/cli/main.js) as a child process, as an operator would. */
import { spawn } from "node:child_process";
import { MAIN_JS } from "./server-process.js";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function kopilka(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN_JS, ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`kopilka ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The non-empty lines of a stream's text. */
export const linesOf = (text: string): string[] => text.split("\n").filter((l) => l.trim() !== "");

/** A stack trace has lines like "    at fn (file.js:1:2)". */
export const hasStackTrace = (text: string): boolean => /^\s+at .+/m.test(text);
