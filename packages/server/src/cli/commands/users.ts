/** Cabinet users from the command line: the first owner of a chain, a platform administrator. */
import type { Command } from "commander";
import { CliError, text } from "../support.js";

/** The user commands print their own answers and refusals; a non-zero code ends the process with it. */
function exitWith(code: number): void {
  if (code !== 0) throw new CliError([], code);
}

export function registerUserCommands(program: Command): void {
  program
    .command("user:create")
    .description(
      "create a cabinet user: owner, marketer, operator or analyst of a partner, or admin (platform administrator); prints a one-time password once",
    )
    .requiredOption("--email <email>", "the user's e-mail (the login)", text)
    .requiredOption("--role <role>", "owner, marketer, operator, analyst, or admin", text)
    .option("--partner <code>", "the partner the role is in (not for admin)", text)
    .option("--password-stdin", "read the password from standard input instead of generating one", false)
    .action(async (options: { email: string; role: string; partner?: string; passwordStdin: boolean }) =>
      exitWith(
        await (await import("../user-commands.js")).userCreate({
          email: options.email,
          role: options.role,
          partner: options.partner,
          passwordFromStdin: options.passwordStdin,
        }),
      ),
    );

  program
    .command("user:reset-password")
    .description("give a cabinet user a new one-time password (or stdin's); every session of theirs ends")
    .requiredOption("--email <email>", "the user's e-mail", text)
    .option("--password-stdin", "read the new password from standard input", false)
    .action(async (options: { email: string; passwordStdin: boolean }) =>
      exitWith(
        await (await import("../user-commands.js")).userResetPassword({
          email: options.email,
          passwordFromStdin: options.passwordStdin,
        }),
      ),
    );
}
