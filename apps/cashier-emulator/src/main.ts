#!/usr/bin/env node
/**
 * kopilka-pos: a cashier emulator. With no command it is an interactive till; `run SCENARIO.yaml` plays
 * a scenario and prints what the cashier would see; `outbox` lists the calls waiting or failed; `drain`
 * delivers the outbox (after a crash, a restart).
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { backofficeCommands, UsageError } from "./backoffice-commands.js";
import { configFromIni, DEFAULT_CONFIG, type PosConfig } from "./ini.js";
import { InteractiveTill, loadPriceList } from "./interactive.js";
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

  common(
    cli
      .command("till", { isDefault: true })
      .description("the interactive till: scan, card, payment, receipt, refund, registration (the default)"),
  )
    .option("--prices <file>", "the till's price list: code;price;name per line (prices in rubles)")
    .option("--receipt <n>", "number of the first receipt", "1")
    .action(async (o: Common & { prices?: string; receipt: string }) => {
      const config = loadConfig(o);
      const prices = o.prices ? loadPriceList(o.prices) : new Map();
      const till = new Till(config, new Screen(config.language, out), Number(o.receipt));
      try {
        await new InteractiveTill(till, { prices }).run();
      } finally {
        await till.outbox.close();
      }
    });

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
  backofficeCommands(cli, { common, loadConfig, out });
  return cli;
}

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
