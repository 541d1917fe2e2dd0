/**
 * PharmApi: the test-program preset (a fresh install that answers like the public PharmApi test server)
 * and closing a credential pair.
 */
import type { Command } from "commander";
import { systemClock } from "../../kernel/clock.js";
import { CliError, now, out, secretText, text, withDatabase } from "../support.js";
import { partnerIdOf } from "./lookups.js";

export function registerPharmApiCommands(program: Command): void {
  program
    .command("pharmapi:preset")
    .description(
      "load the PharmApi test program (cards 123…, 13/17/19 digits, active when ending in 0) and create or reuse a pharmacy with a POS id and a credential pair",
    )
    .requiredOption("--partner <code>", "the partner's code", text)
    .option("--pharmacy <code>", "the pharmacy's store code (pharmacy_id)", text, "test-pharmacy")
    .option("--pos <id>", "the POS id (pos_id) bound to the pharmacy", text, "test-pos")
    .option("--token <token>", "reuse or create the pair with this Authorization-Token", text)
    .option("--secret <secret>", "the pair's Authorization-Secret (with --token)", secretText)
    .action((options: { partner: string; pharmacy: string; pos: string; token?: string; secret?: string }) =>
      withDatabase(async (database) => {
        if (options.secret !== undefined && options.token === undefined)
          throw new CliError("--secret needs --token", 2);
        const partnerId = await partnerIdOf(database, options.partner);
        const { loadTestPreset } = await import("../../modules/pharmapi/index.js");
        const loaded = await loadTestPreset(database, systemClock, {
          partnerId,
          partnerCode: options.partner,
          storeCode: options.pharmacy,
          posId: options.pos,
          ...(options.token ? { token: options.token } : {}),
          ...(options.secret ? { secret: options.secret } : {}),
        });
        out(`program ${loaded.programCode} ${loaded.programCreated ? "created" : "updated"}`);
        out(`pharmacy_id          ${loaded.storeCode}`);
        out(`pos_id               ${loaded.posId}`);
        out(`Authorization-Token  ${loaded.token}`);
        out(
          `Authorization-Secret ${loaded.secret ?? "(the pair existed: its secret is the one issued with it)"}`,
        );
        out("trust_key            any non-empty value");
      }),
    );

  program
    .command("pharmapi:disable")
    .description("disable the PharmApi credential pair with this token")
    .requiredOption("--token <token>", "the pair's Authorization-Token", text)
    .action((options: { token: string }) =>
      withDatabase(async (database) => {
        const { disablePharmApiToken } = await import("../../modules/pharmapi/index.js");
        if (!(await disablePharmApiToken(database.db, options.token, now())))
          throw new CliError(`no PharmApi credential with this token`, 1);
        out("PharmApi credential disabled");
      }),
    );
}
