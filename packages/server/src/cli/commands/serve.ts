/** `kopilka serve`: the processing server, configured by environment variables. */
import type { Command } from "commander";
import { CONFIG_VARIABLES, loadConfig } from "../../infra/config.js";
import { createLogger } from "../../infra/logger.js";

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
      const config = loadConfig();
      // Loaded here so that the other commands start without the HTTP stack.
      const { serve } = await import("../serve.js");
      await serve(config, createLogger(config.logLevel, { format: config.logFormat }));
    });
}
