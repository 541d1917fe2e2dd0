/** Master data set-up: partners and their stores. */
import type { Command } from "commander";
import { now, out, text, withDatabase } from "../support.js";
import { partnerIdOf } from "./lookups.js";

export function registerPartnerCommands(program: Command): void {
  program
    .command("partner:create")
    .description("create a partner (a retail chain)")
    .requiredOption("--code <code>", "short unique code, e.g. chain", text)
    .requiredOption("--name <name>", "display name", text)
    .action((options: { code: string; name: string }) =>
      withDatabase(async (database) => {
        const { createPartner } = await import("../../modules/partners/index.js");
        const id = await createPartner(database.db, options.code, options.name, now());
        out(`partner ${options.code} created with id ${id}`);
      }),
    );

  program
    .command("store:create")
    .description("create a store of a partner")
    .requiredOption("--partner <code>", "the partner's code", text)
    .requiredOption("--code <code>", "store code, unique within the partner, e.g. MSK-01", text)
    .requiredOption("--name <name>", "display name", text)
    .requiredOption("--timezone <zone>", "IANA time zone, e.g. Europe/Moscow", text)
    .option("--address <address>", "postal address", text)
    .action((options: { partner: string; code: string; name: string; timezone: string; address?: string }) =>
      withDatabase(async (database) => {
        const partnerId = await partnerIdOf(database, options.partner);
        const { createStore } = await import("../../modules/stores/index.js");
        const id = await createStore(
          database.db,
          partnerId,
          {
            code: options.code,
            name: options.name,
            timezone: options.timezone,
            address: options.address ?? null,
          },
          now(),
        );
        out(`store ${options.code} created with id ${id}`);
      }),
    );
}
