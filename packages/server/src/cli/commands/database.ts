/** Database commands: migrate, demo, verify-ledger. */
import type { Command } from "commander";
import { loadConfig } from "../../infra/config.js";
import { CliError, EXIT_FAILURE, EXIT_USAGE, now, out, withDatabase } from "../support.js";

export function registerDatabaseCommands(program: Command): void {
  program
    .command("migrate")
    .description("apply pending database migrations and say which")
    .action(() =>
      withDatabase(
        async (database) => {
          const { migrateToLatest } = await import("../../infra/db/migrate.js");
          const applied = await migrateToLatest(database);
          out(
            applied.length > 0
              ? `applied ${applied.length} migration${applied.length === 1 ? "" : "s"}: ${applied.join(", ")}`
              : "the database is up to date; nothing applied",
          );
        },
        { migrate: false },
      ),
    );

  program
    .command("demo")
    .description("load the demo chain into a new database (one without partners); refused in production")
    .action(() => {
      if (loadConfig().production)
        throw new CliError(
          "demo data is refused with NODE_ENV=production: its logins have public secrets",
          EXIT_USAGE,
        );
      return withDatabase(async (database) => {
        const { DEMO_CARD_EXAMPLE, demoCredentials, loadDemoData } = await import(
          "../../modules/demo/index.js"
        );
        if (!(await loadDemoData(database, now())))
          throw new CliError(
            "the database already has partners: demo data loads only into a new database; nothing loaded",
          );
        out("demo data loaded; logins (login, secret):");
        for (const c of demoCredentials())
          out(`  ${c.login.padEnd(18)} ${c.secret}   ${c.kind}: ${c.description}`);
        out(`demo card: ${DEMO_CARD_EXAMPLE}`);
      });
    });

  program
    .command("verify-ledger")
    .description("check that every points balance equals its ledger; exit 1 if one does not")
    .action(() =>
      withDatabase(async (database) => {
        const { verifyLedger } = await import("../../modules/points/index.js");
        const violations = await verifyLedger(database);
        for (const v of violations) out(`card ${v.cardId}: ${v.problem}`);
        if (violations.length > 0)
          throw new CliError(
            `${violations.length} ledger violation${violations.length === 1 ? "" : "s"}`,
            EXIT_FAILURE,
          );
        out("ledger ok: every balance equals its entries");
      }),
    );
}
