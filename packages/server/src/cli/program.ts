/**
 * The command line's frame: commander with exit codes of our own (support.ts), usage errors in one line
 * on stderr, and every failure of a command turned into one line instead of a stack trace.
 */
import { Command, CommanderError } from "commander";
import { type CommandGroup, describeFailure, EXIT_OK, EXIT_USAGE } from "./support.js";

export function buildProgram(groups: readonly CommandGroup[]): Command {
  const program = new Command("kopilka")
    .description("Kopilka loyalty and discount processing: server and administration")
    .usage("<command> [options]")
    .exitOverride()
    .showSuggestionAfterError(true)
    .helpCommand("help [command]", "show the usage of a command");
  for (const register of groups) register(program);
  for (const command of [program, ...program.commands]) {
    const name = command === program ? "kopilka" : `kopilka ${command.name()}`;
    command.exitOverride().configureOutput({
      outputError: (message, write) =>
        write(`kopilka: ${message.trimEnd().replace(/^error: /, "")} (see ${name} --help)\n`),
    });
  }
  return program;
}

/** Runs one command line. Resolves with the exit code, or null when the command keeps running (serve). */
export async function runCli(
  argv: readonly string[],
  groups: readonly CommandGroup[],
): Promise<number | null> {
  const program = buildProgram(groups);
  let keepsRunning = false;
  program.hook("postAction", (_program, action) => {
    keepsRunning = action.name() === "serve";
  });
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return keepsRunning ? null : EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are answers, not mistakes; everything else commander refuses is a usage error
      // it has already printed in one line.
      // (`kopilka help CMD` ends with commander.help and exit code 0.)
      const answered =
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        (error.code === "commander.help" && error.exitCode === 0);
      return answered ? EXIT_OK : EXIT_USAGE;
    }
    const level = process.env.LOG_LEVEL?.trim().toLowerCase();
    const { lines, exitCode } = await describeFailure(error, level === "debug" || level === "trace");
    for (const line of lines) process.stderr.write(`kopilka: ${line}\n`);
    return exitCode;
  }
}
