#!/usr/bin/env node
/**
 * kopilka-pos: a cashier emulator. `run SCENARIO.yaml` plays a scenario and prints what the cashier would
 * see; `outbox` lists the calls waiting or failed; `drain` delivers the outbox (after a crash, a restart);
 * `upload` and `schedule` are the back office's night uploads of stores, stock and sell-out (backoffice*.ts);
 * `reconcile` compares the till's journal of receipts with the server's purchases of a day (reconcile.ts).
 */
import { readFileSync } from "node:fs";
import { KopilkaClient, Outbox } from "@kopilka/pos-sdk";
import { Command, CommanderError, Option } from "commander";
import { appendLog, describeOutcome, logLine, progressOn, runUpload } from "./backoffice.js";
import { UPLOAD_KINDS, type UploadKind } from "./backoffice-csv.js";
import { parseSchedule, runSchedule } from "./backoffice-schedule.js";
import { configFromIni, DEFAULT_CONFIG, type PosConfig } from "./ini.js";
import { Journal } from "./journal.js";
import { fix, type Reconciliation, reconcile } from "./reconcile.js";
import { parseScenario, play } from "./scenario.js";
import { Screen } from "./screen.js";
import { Till } from "./till.js";

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

function loadConfig(o: Common): PosConfig {
  const base = o.config ? configFromIni(readFileSync(o.config, "utf8")) : DEFAULT_CONFIG;
  return {
    ...base,
    ...(o.url ? { url: o.url } : {}),
    ...(o.login ? { login: o.login } : {}),
    ...(o.secret ? { secret: o.secret } : {}),
    ...(o.store ? { store: o.store } : {}),
    ...(o.pos ? { pos: o.pos } : {}),
    ...(o.outbox ? { outbox: o.outbox } : {}),
    ...(o.lang ? { language: o.lang } : {}),
  };
}

function common(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "loyalty.ini ([LoyaltySystem], [Kopilka], [CardGroup NAME] sections)")
    .option("--url <url>", "the Kopilka server")
    .option("--login <login>", "POS credential login")
    .option("--secret <secret>", "POS credential secret")
    .option("--store <code>", "store code")
    .option("--pos <code>", "POS code")
    .option("--outbox <file>", "the outbox file (SQLite)")
    .addOption(new Option("--lang <lang>", "the cashier's language").choices(["ru", "en"]));
}

const out = (line: string) => process.stdout.write(`${line}\n`);

export function program(): Command {
  const cli = new Command("kopilka-pos")
    .description("Cashier emulator for Kopilka: plays the Artix loyalty flow against a server")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  common(cli.command("run <scenario>").description("play a scenario (YAML) and print what the cashier sees"))
    .option("--receipt <n>", "number of the first receipt", "1")
    .action(async (file: string, o: Common & { receipt: string }) => {
      const config = loadConfig(o);
      const scenario = parseScenario(readFileSync(file, "utf8"));
      const till = new Till(
        {
          ...config,
          ...(scenario.order ? { order: scenario.order } : {}),
          ...(scenario.allowMessagesToCashier !== undefined
            ? { allowMessagesToCashier: scenario.allowMessagesToCashier }
            : {}),
        },
        new Screen(config.language, out),
        Number(o.receipt),
      );
      try {
        await play(scenario, till);
      } finally {
        await till.outbox.close();
      }
    });

  common(cli.command("outbox").description("list the outbox: pending calls and hanging purchases")).action(
    async (o: Common) => {
      const till = new Till(loadConfig(o), new Screen(loadConfig(o).language, out));
      for (const item of till.outbox.list()) till.report(item);
      await till.outbox.close();
    },
  );

  common(
    cli.command("drain").description("deliver the outbox; exit 1 if something is still pending or hanging"),
  )
    .option("--wait <seconds>", "give up after this long", "30")
    .action(async (o: Common & { wait: string }) => {
      const till = new Till(loadConfig(o), new Screen(loadConfig(o).language, out));
      try {
        const left = await till.drain(Number(o.wait));
        if (left > 0 || till.outbox.problems().length > 0) process.exitCode = 1;
      } finally {
        await till.outbox.close();
      }
    });
  backofficeCommands(cli);
  reconcileCommand(cli);
  return cli;
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
function backofficeCommands(cli: Command): void {
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

/** A mistake in the command line: one line, exit 2. */
class UsageError extends Error {}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`kopilka-pos: ${(error as Error).message}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
