/** POS credentials: create (the secret is printed once), disable, enable. */
import type { Command } from "commander";
import { CliError, now, out, secretText, text, withDatabase } from "../support.js";
import { partnerIdOf, storeIdOf } from "./lookups.js";

export function registerCredentialCommands(program: Command): void {
  program
    .command("credential:create")
    .description("create a POS credential; prints the secret once")
    .requiredOption("--partner <code>", "the partner's code", text)
    .requiredOption("--login <login>", "unique login", text)
    .option(
      "--store <code>",
      "bind it to one store (a till); without it, it acts for the whole partner",
      text,
    )
    .option("--secret <secret>", "the secret to use; generated when absent", secretText)
    .option("--description <text>", "what it is for", text)
    .action(
      (options: { partner: string; login: string; store?: string; secret?: string; description?: string }) =>
        withDatabase(async (database) => {
          const partnerId = await partnerIdOf(database, options.partner);
          const storeId = options.store
            ? await storeIdOf(database, partnerId, options.partner, options.store)
            : null;
          const { createPosCredential } = await import("../../modules/auth/index.js");
          const created = await createPosCredential(
            database.db,
            partnerId,
            {
              login: options.login,
              storeId,
              ...(options.secret ? { secret: options.secret } : {}),
              description: options.description ?? null,
            },
            now(),
          );
          out(`credential ${options.login} created; secret (shown once): ${created.secret}`);
        }),
    );

  for (const enabled of [false, true]) {
    const name = enabled ? "credential:enable" : "credential:disable";
    program
      .command(name)
      .description(
        enabled
          ? "enable a POS credential again"
          : "disable a POS credential; its tokens stop working within AUTH_CACHE_TTL_MS",
      )
      .requiredOption("--login <login>", "the credential's login", text)
      .action((options: { login: string }) =>
        withDatabase(async (database) => {
          const { setCredentialEnabled } = await import("../../modules/auth/index.js");
          if (!(await setCredentialEnabled(database.db, options.login, enabled, now())))
            throw new CliError(`no credential with login ${options.login}`);
          out(`credential ${options.login} ${enabled ? "enabled" : "disabled"}`);
        }),
      );
  }
}
