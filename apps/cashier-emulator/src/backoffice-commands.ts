/**
 * The commands of the back office and of the day's end, beside the till's own: `upload` and `schedule`
 * (the night uploads of stores, stock and sell-out: backoffice.ts, backoffice-schedule.ts) and
 * `reconcile` (the till's journal against the server's day: reconcile.ts). main.ts lends its common
 * options and config loading, so these read loyalty.ini and the flags exactly as `run` does.
 */
import { readFileSync } from "node:fs";
import { KopilkaClient, Outbox } from "@kopilka/pos-sdk";
import type { Command } from "commander";
import { appendLog, describeOutcome, logLine, progressOn, runUpload } from "./backoffice.js";
import { UPLOAD_KINDS, type UploadKind } from "./backoffice-csv.js";
import { parseSchedule, runSchedule } from "./backoffice-schedule.js";
import type { PosConfig } from "./ini.js";
import { Journal } from "./journal.js";
import { fix, type Reconciliation, reconcile } from "./reconcile.js";

/** The common options as main.ts declares them. */
interface Common {
  config?: string;
  url?: string;
  login?: string;
  secret?: string;
  store?: string;
  pos?: string;
  outbox?: string;
  lang?: "ru" | "en";
}

export interface CommandKit {
  /** Adds the common options (--config, --url, --login, …) to a command. */
  common: (cmd: Command) => Command;
  loadConfig: (o: Common) => PosConfig;
  /** A line of the command's answer (stdout). */
  out: (line: string) => void;
}

/** A mistake in the command line: one line, exit 2. */
export class UsageError extends Error {}

let kit: CommandKit;
const common = (cmd: Command) => kit.common(cmd);
const loadConfig = (o: Common) => kit.loadConfig(o);
const out = (line: string) => kit.out(line);

/** Registers `upload`, `schedule` and `reconcile` on the program. */
export function backofficeCommands(cli: Command, lent: CommandKit): void {
  kit = lent;
  uploadCommands(cli);
  reconcileCommand(cli);
}

function printReconciliation(r: Reconciliation, config: PosConfig) {
  out(
    `reconcile ${r.day} (${r.timezone}) ${config.store}/${config.pos}: journal ${r.local} receipt(s), server ${r.serverSales} sale(s), ${r.differences.length} difference(s)`,
  );
  for (const d of r.differences) out(`  ${d.kind} ${d.purchaseId}: ${d.detail}`);
}

/**
 * `reconcile --day YYYY-MM-DD [--fix]`: exit 0 when the journal and the server agree (after the fix, with
 * --fix), 1 when something still differs.
 */
function reconcileCommand(cli: Command): void {
  common(
    cli
      .command("reconcile")
      .description(
        "compare this till's journal of receipts with the server's purchases of a day; --fix lands missing confirms",
      ),
  )
    .requiredOption("--day <date>", "the day, YYYY-MM-DD, in the store's time zone")
    .option("--fix", "deliver the confirms the server lacks (from the outbox, or again as first sent)")
    .action(async (o: Common & { day: string; fix?: boolean }) => {
      const ms = Date.parse(`${o.day}T00:00:00Z`);
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(o.day) ||
        Number.isNaN(ms) ||
        new Date(ms).toISOString().slice(0, 10) !== o.day
      )
        throw new UsageError(`reconcile: --day must be a date YYYY-MM-DD, not "${o.day}"`);
      const config = loadConfig(o);
      // Not a Till: reconciling is no sale and must not use up a receipt number.
      const client = backofficeClient(config);
      const journal = new Journal(Journal.fileFor(config.outbox));
      const outbox = new Outbox(config.outbox, client, {
        baseDelayMs: 200,
        maxDelayMs: 5_000,
        onChange: (item) => journal.record(item),
      });
      const scope = { day: o.day, storeCode: config.store, posCode: config.pos };
      try {
        let found = await reconcile(client, journal, outbox, scope);
        printReconciliation(found, config);
        if (o.fix && found.differences.length > 0) {
          for (const r of await fix(client, journal, outbox, found)) out(`fix ${r.purchaseId}: ${r.outcome}`);
          found = await reconcile(client, journal, outbox, scope);
          out("after the fix:");
          printReconciliation(found, config);
        }
        process.exitCode = found.differences.length > 0 ? 1 : 0;
      } finally {
        await outbox.close();
        journal.close();
      }
    });
}

/** The back office's client: no offline fast-fail (it is for card lookups at the till). */
function backofficeClient(config: PosConfig): KopilkaClient {
  return new KopilkaClient({
    baseUrl: config.url,
    login: config.login,
    secret: config.secret,
    language: config.language,
    offlineProbeIntervalMs: 0,
  });
}

const note = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `upload stores|stock|sellout FILE` once, and `schedule JOBS.yaml` on cron schedules. A refused file
 * (BAD_CSV: every bad line on stderr, nothing sent) exits 2; a failure to send exits 1.
 */
function uploadCommands(cli: Command): void {
  common(
    cli
      .command("upload <kind> <file>")
      .description(
        "send a CSV of the accounting system: stores, stock (with prices) or sellout; a bad line refuses the whole file",
      ),
  )
    .option("--mode <mode>", "stores: merge (default) or replace (also removes the stores left out)")
    .option("--for-store <code>", "stock: the store of a file without a store column")
    .option("--encoding <name>", "utf-8 or windows-1251 (detected by default)")
    .option("--delimiter <char>", "; , or tab (detected from the header by default)")
    .option("--log <file>", "append a line to this send log")
    .action(
      async (
        kind: string,
        file: string,
        o: Common & { mode?: string; forStore?: string; encoding?: string; delimiter?: string; log?: string },
      ) => {
        if (!UPLOAD_KINDS.includes(kind as UploadKind))
          throw new UsageError(`upload: the kind is ${UPLOAD_KINDS.join(", ")}, not "${kind}"`);
        if (o.mode !== undefined && (kind !== "stores" || !["merge", "replace"].includes(o.mode)))
          throw new UsageError("upload: --mode is merge or replace, for stores only");
        const job = {
          name: "upload",
          kind: kind as UploadKind,
          file,
          ...(o.mode ? { mode: o.mode as "merge" | "replace" } : {}),
          ...(o.forStore ? { store: o.forStore } : {}),
          ...(o.encoding ? { encoding: o.encoding } : {}),
          ...(o.delimiter ? { delimiter: o.delimiter === "tab" ? "\t" : o.delimiter } : {}),
        };
        const at = new Date();
        const outcome = await runUpload(backofficeClient(loadConfig(o)), job, {
          progress: progressOn(process.stderr, kind),
        });
        if (o.log) appendLog(o.log, logLine(at, job, outcome));
        const lines = describeOutcome(job, outcome);
        if (outcome.ok) out(lines.join("\n"));
        else for (const line of lines) note(line);
        if (!outcome.ok) process.exitCode = outcome.code === "BAD_CSV" ? 2 : 1;
      },
    );

  common(
    cli
      .command("schedule <jobs>")
      .description(
        "run the uploads of a jobs file (YAML: log, timezone, jobs with cron, upload, file) until stopped",
      ),
  )
    .option("--max-runs <n>", "stop after this many runs in all")
    .option("--stop-after <seconds>", "stop after this long")
    .action(async (file: string, o: Common & { maxRuns?: string; stopAfter?: string }) => {
      const schedule = parseSchedule(readFileSync(file, "utf8"), file);
      const positive = (v: string | undefined, flag: string) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0)
          throw new UsageError(`schedule: ${flag} must be a positive number`);
        return n;
      };
      const maxRuns = positive(o.maxRuns, "--max-runs");
      const stopAfter = positive(o.stopAfter, "--stop-after");
      // SIGINT/SIGTERM end the scheduler after the run under way is logged, not in the middle of it.
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      try {
        const runs = await runSchedule(backofficeClient(loadConfig(o)), schedule, {
          ...(maxRuns !== undefined ? { maxRuns } : {}),
          ...(stopAfter !== undefined ? { stopAfterMs: stopAfter * 1000 } : {}),
          signal: abort.signal,
          note,
          progress: (job) => progressOn(process.stderr, job.name),
        });
        note(`schedule: stopped after ${runs} run(s); the send log is ${schedule.log}`);
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
