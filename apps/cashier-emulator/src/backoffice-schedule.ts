/**
 * `kopilka-pos schedule JOBS.yaml`: the back office's night uploads on cron schedules (croner: five fields,
 * or six with seconds first), each run appended to the send log.
 *
 *   log: ./kopilka-uploads.log          # the send log (relative paths: from this file's folder)
 *   timezone: Europe/Moscow             # the zone of the cron times (default: the machine's)
 *   jobs:
 *     - name: stores
 *       cron: "0 1 * * *"               # 01:00 every night
 *       upload: stores                  # stores | stock | sellout
 *       file: ./export/stores.csv
 *       mode: merge                     # stores only: merge (default) or replace
 *     - name: stock-msk
 *       cron: "30 1 * * *"
 *       upload: stock
 *       file: ./export/stock-msk.csv
 *       store: MSK-01                   # stock only: for a file without a store column
 *
 * Runs go one at a time in the order they fell due, so the stores of 01:00 are in before the stock that
 * names them; a job still running (or waiting) when its time comes again is not queued twice. A failed
 * run is logged and the scheduler goes on: the next night is another chance, and the log says what to fix.
 */
import { dirname, isAbsolute, resolve } from "node:path";
import type { KopilkaClient } from "@kopilka/pos-sdk";
import { Cron } from "croner";
import { parse as parseYaml } from "yaml";
import {
  appendLog,
  describeOutcome,
  logLine,
  type Progress,
  runUpload,
  type UploadJob,
} from "./backoffice.js";
import { UPLOAD_KINDS, type UploadKind } from "./backoffice-csv.js";

export interface ScheduledJob extends UploadJob {
  cron: string;
}

export interface Schedule {
  log: string;
  timezone?: string;
  jobs: ScheduledJob[];
}

const KEYS = new Set(["name", "cron", "upload", "file", "mode", "store", "encoding", "delimiter"]);

/** The jobs file, checked whole: each mistake names the job and the key. */
export function parseSchedule(text: string, file: string): Schedule {
  const doc = parseYaml(text) as unknown;
  const fail = (message: string): never => {
    throw new Error(`${file}: ${message}`);
  };
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) fail("expected log, timezone and jobs");
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d))
    if (!["log", "timezone", "jobs"].includes(k)) fail(`unknown key "${k}" (log, timezone, jobs)`);
  const base = dirname(resolve(file));
  const path = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  if (typeof d.log !== "string" || d.log === "") fail("log: the send log's file is required");
  const timezone = d.timezone;
  if (timezone !== undefined) {
    if (typeof timezone !== "string") fail("timezone must be an IANA zone, e.g. Europe/Moscow");
    try {
      new Intl.DateTimeFormat("en", { timeZone: timezone as string });
    } catch {
      fail(`timezone "${String(timezone)}" is not an IANA zone, e.g. Europe/Moscow`);
    }
  }
  if (!Array.isArray(d.jobs) || d.jobs.length === 0) fail("jobs: at least one job is required");
  const names = new Set<string>();
  const jobs = (d.jobs as unknown[]).map((raw, i): ScheduledJob => {
    const where = `job ${i + 1}`;
    if (!raw || typeof raw !== "object") return fail(`${where}: expected name, cron, upload, file`);
    const j = raw as Record<string, unknown>;
    for (const k of Object.keys(j)) if (!KEYS.has(k)) fail(`${where}: unknown key "${k}"`);
    const str = (k: string, required: boolean): string | undefined => {
      const v = j[k];
      if (v === undefined) return required ? fail(`${where}: ${k} is required`) : undefined;
      if (typeof v !== "string" || v === "") return fail(`${where}: ${k} must be text`);
      return v;
    };
    const name = str("name", false) ?? `job-${i + 1}`;
    if (names.has(name)) fail(`${where}: the name "${name}" is used twice`);
    names.add(name);
    const cron = str("cron", true)!;
    try {
      // Only checks the expression; the scheduler makes its own.
      new Cron(cron, { paused: true, ...(timezone ? { timezone: timezone as string } : {}) }).stop();
    } catch (error) {
      fail(`${where} (${name}): cron "${cron}" is not a cron expression: ${(error as Error).message}`);
    }
    const kind = str("upload", true) as UploadKind;
    if (!UPLOAD_KINDS.includes(kind)) fail(`${where} (${name}): upload must be ${UPLOAD_KINDS.join(", ")}`);
    const mode = str("mode", false);
    if (mode !== undefined && (kind !== "stores" || (mode !== "merge" && mode !== "replace")))
      fail(`${where} (${name}): mode is merge or replace, for stores only`);
    const store = str("store", false);
    if (store !== undefined && kind !== "stock") fail(`${where} (${name}): store is for stock only`);
    const encoding = str("encoding", false);
    const delimiter = str("delimiter", false);
    return {
      name,
      cron,
      kind,
      file: path(str("file", true)!),
      ...(mode ? { mode: mode as "merge" | "replace" } : {}),
      ...(store ? { store } : {}),
      ...(encoding ? { encoding } : {}),
      ...(delimiter ? { delimiter } : {}),
    };
  });
  return { log: path(d.log as string), ...(timezone ? { timezone: timezone as string } : {}), jobs };
}

export interface SchedulerOptions {
  /** Stop after this many runs in all (tests, a one-night run); none by default. */
  maxRuns?: number;
  /** Stop after this long, milliseconds; none by default. */
  stopAfterMs?: number;
  /** Stops the scheduler (SIGINT/SIGTERM); a run under way is finished and logged first. */
  signal?: AbortSignal;
  /** Notes for the person at the terminal (stderr). */
  note?: (line: string) => void;
  progress?: (job: UploadJob) => Progress;
  retryPausesMs?: readonly number[];
}

/** Runs the schedule until one of the stop conditions; resolves with the number of runs made. */
export async function runSchedule(
  client: KopilkaClient,
  schedule: Schedule,
  options: SchedulerOptions = {},
): Promise<number> {
  const note = options.note ?? (() => {});
  let runs = 0;
  let stopping = false;
  let chain: Promise<void> = Promise.resolve();
  const waiting = new Set<string>();
  let wake: () => void = () => {};
  const stopped = new Promise<void>((r) => {
    wake = r;
  });
  const stop = () => {
    stopping = true;
    wake();
  };

  const runOne = async (job: ScheduledJob) => {
    waiting.delete(job.name);
    if (stopping) return;
    const at = new Date();
    const outcome = await runUpload(client, job, {
      ...(options.progress ? { progress: options.progress(job) } : {}),
      ...(options.retryPausesMs ? { retryPausesMs: options.retryPausesMs } : {}),
    });
    try {
      appendLog(schedule.log, logLine(at, job, outcome));
    } catch (error) {
      note(`${job.name}: the send log ${schedule.log} cannot be written: ${(error as Error).message}`);
    }
    for (const line of describeOutcome(job, outcome)) note(`${job.name}: ${line}`);
    runs++;
    if (options.maxRuns !== undefined && runs >= options.maxRuns) stop();
  };

  const crons = schedule.jobs.map(
    (job) =>
      new Cron(job.cron, { ...(schedule.timezone ? { timezone: schedule.timezone } : {}) }, () => {
        if (stopping) return;
        // One at a time, in the order they fell due; a job already waiting is not queued again.
        if (waiting.has(job.name))
          return note(`${job.name}: still waiting from its last time; not queued again`);
        waiting.add(job.name);
        chain = chain.then(() => runOne(job));
      }),
  );
  for (const [i, c] of crons.entries())
    note(
      `${schedule.jobs[i]!.name}: ${schedule.jobs[i]!.cron}, next ${c.nextRun()?.toISOString() ?? "never"}`,
    );

  const timer = options.stopAfterMs !== undefined ? setTimeout(stop, options.stopAfterMs) : null;
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  await stopped;
  for (const c of crons) c.stop();
  if (timer) clearTimeout(timer);
  options.signal?.removeEventListener("abort", stop);
  // The run under way finishes and is logged; the ones waiting are dropped (stopping is set).
  await chain;
  return runs;
}
