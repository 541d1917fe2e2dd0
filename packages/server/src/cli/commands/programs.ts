/**
 * Programs as files: `program:export` writes a program with its rules as JSON (a chain keeps it in version
 * control), `program:import` creates or updates the program from such a file, each changed rule as a new
 * version, all or nothing. Both go through the cabinet's service, so an import is audited (address `cli`).
 */
import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import type { Database } from "../../infra/db/database.js";
import { systemClock } from "../../kernel/index.js";
import type { ProgramAdminService } from "../../modules/admin/index.js";
import { CliError, EXIT_USAGE, note, out, text, withDatabase } from "../support.js";

async function service(database: Database): Promise<ProgramAdminService> {
  const [{ ProgramAdminService }, { ProgramCatalog }, { StoreDirectory }] = await Promise.all([
    import("../../modules/admin/index.js"),
    import("../../modules/programs/index.js"),
    import("../../modules/stores/index.js"),
  ]);
  return new ProgramAdminService(
    database,
    systemClock,
    new ProgramCatalog(database),
    new StoreDirectory(database),
  );
}

export function registerProgramCommands(program: Command): void {
  program
    .command("program:export")
    .description("write a program with its rules (current versions) to a JSON file")
    .requiredOption("--partner <code>", "the partner that owns the program", text)
    .requiredOption("--program <code>", "the program's code", text)
    .requiredOption("--out <file>", "where to write the JSON ('-' for stdout)", text)
    .action((options: { partner: string; program: string; out: string }) =>
      withDatabase(async (database) => {
        const file = await (await service(database)).exportProgram(options.partner, options.program);
        const json = `${JSON.stringify(file, null, 2)}\n`;
        if (options.out === "-") process.stdout.write(json);
        else {
          await writeFile(options.out, json);
          out(`program ${options.program}: ${file.rules.length} rules written to ${options.out}`);
        }
      }),
    );

  program
    .command("program:import")
    .description(
      "create or update a program and its rules from a JSON file: a rule with the id of one of the program's rules becomes its new version (when it differs), others are created, rules the file leaves out are disabled; all or nothing",
    )
    .requiredOption("--partner <code>", "the partner that owns (or will own) the program", text)
    .argument("<file>", "a file written by program:export")
    .action((file: string, options: { partner: string }) =>
      withDatabase(async (database) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(file, "utf8"));
        } catch (error) {
          throw new CliError([`${file}: not a readable JSON file (${(error as Error).message})`], EXIT_USAGE);
        }
        const result = await (await service(database)).importProgram(
          { userId: null, address: "cli" },
          options.partner,
          parsed,
        );
        note(`imported ${file}`);
        out(
          `program ${result.program}: ${result.created} created, ${result.updated} new versions, ${result.unchanged} unchanged, ${result.disabled} disabled, ${result.enabled} enabled`,
        );
      }),
    );
}
