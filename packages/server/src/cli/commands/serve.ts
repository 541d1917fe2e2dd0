/** `kopilka serve`: the processing server, configured by environment variables. */
import { setFlagsFromString } from "node:v8";
import type { Command } from "commander";
import { CONFIG_VARIABLES, loadConfig } from "../../infra/config.js";

export function registerServeCommands(program: Command): void {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  program
    .command("serve")
    .description("run the processing server: migrate, load demo data into a new database, listen")
    .addHelpText(
      "after",
      `\nConfigured by environment variables:\n${CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.description} (default: ${v.default})`).join("\n")}\n`,
    )
    .action(async () => {
      boundHeapGrowth();
      const config = loadConfig();
      // Loaded here so that the other commands start without the HTTP stack.
      const [{ serve }, { createLogger }] = await Promise.all([
        import("../serve.js"),
        import("../../infra/logger.js"),
      ]);
      await serve(config, createLogger(config.logLevel, { format: config.logFormat }));
    });
}

/**
 * How far V8 lets the old generation grow past what the last full collection kept, before the next one.
 * Left to itself V8 picks up to 4× on a machine with memory to spare, and under steady load the server's
 * old generation held twice its live objects in garbage: some 60 MB of RSS. 30% costs a full collection
 * more often, which the bench does not show in calculate's rate. V8 reads the flag at every collection,
 * so setting it here works; `--heap-growing-percent` given to node (or in NODE_OPTIONS) wins.
 */
const HEAP_GROWING_PERCENT = 30;

function boundHeapGrowth(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  if (given.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
