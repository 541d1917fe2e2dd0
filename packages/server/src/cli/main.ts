#!/usr/bin/env node
/**
 * The `kopilka` command line. Each command group lives in its own file under commands/ and is listed
 * here; a new group is one import and one entry in COMMAND_GROUPS.
 */
import { registerBackupCommands } from "./commands/backup.js";
import { registerCredentialCommands } from "./commands/credentials.js";
import { registerDatabaseCommands } from "./commands/database.js";
import { registerImportCommands } from "./commands/imports.js";
import { registerPartnerCommands } from "./commands/partners.js";
import { registerPharmApiCommands } from "./commands/pharmapi.js";
import { registerProgramCommands } from "./commands/programs.js";
import { registerReportCommands } from "./commands/reports.js";
import { registerServeCommands } from "./commands/serve.js";
import { registerUserCommands } from "./commands/users.js";
import { runCli } from "./program.js";
import type { CommandGroup } from "./support.js";

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  registerServeCommands,
  registerDatabaseCommands,
  registerPartnerCommands,
  registerCredentialCommands,
  registerBackupCommands,
  registerImportCommands,
  registerUserCommands,
  registerProgramCommands,
  registerReportCommands,
  registerPharmApiCommands,
];

runCli(process.argv.slice(2), COMMAND_GROUPS).then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`kopilka: ${String(error)}\n`);
    process.exit(1);
  },
);
