/**
 * `kopilka serve`: migrate, load demo data into an empty embedded database, listen, sweep, and shut down
 * gracefully. On SIGTERM/SIGINT it first drains for SHUTDOWN_DRAIN_MS: it keeps answering, but
 * /health/ready says 503 so the load balancer moves away, and every response closes its connection so no
 * keep-alive socket is left idle. Only then does it stop accepting, let in-flight requests finish (the
 * whole shutdown is bounded by SHUTDOWN_TIMEOUT_MS), stop the sweeper and close the database. Closing a
 * keep-alive socket straight away would reset requests a till has already sent on it.
 */
import type { Logger } from "pino";
import type { AppContext } from "../app/context.js";
import { buildServer } from "../app/server.js";
import { type Config, redactUrl } from "../infra/config.js";
import { openDatabase } from "../infra/db/database.js";
import { migrateToLatest } from "../infra/db/migrate.js";
import { systemClock } from "../kernel/index.js";
import {
  DEMO_CARD_EXAMPLE,
  DEMO_CREDENTIALS,
  DEMO_PASSWORD,
  DEMO_SECRET,
  DEMO_USERS,
  loadDemoData,
} from "../modules/demo/index.js";
import { startSweeper } from "../modules/purchases/index.js";

export async function serve(config: Config, logger: Logger): Promise<void> {
  const database = openDatabase(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    onConnectionLost: (err) => logger.warn({ err }, "database connection lost; the pool will reconnect"),
  });
  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");
  if (config.demoData && (await loadDemoData(database, systemClock.now()))) {
    logger.info("demo data loaded");
    printDemoCredentials(config);
  }
  const ctx: AppContext = { config, database, logger, clock: systemClock };
  let closing = false;
  const { app, metrics } = await buildServer(ctx, () => closing);
  const sweeper = startSweeper(database, systemClock, logger, config.sweeperIntervalMs, {
    onResult(r) {
      metrics.sweeperRuns.inc({ job: "all" });
      metrics.sweeperItems.inc({ job: "expire_purchases" }, r.expiredPurchases);
      metrics.purchaseEvents.inc({ kind: "expired" }, r.expiredPurchases);
      metrics.sweeperItems.inc({ job: "activate_lots" }, r.activatedLots);
      metrics.sweeperItems.inc({ job: "expire_lots" }, r.expiredLots);
    },
  });
  const address = await app.listen({ host: config.host, port: config.port });
  logger.info({ address, database: redactUrl(config.databaseUrl) }, "kopilka is serving");
  if (config.demoData) {
    process.stdout.write(
      `\nKopilka is serving at ${address}  (API docs: ${address}/docs)\nDemo POS login: ${DEMO_CREDENTIALS[1].login} / ${DEMO_SECRET}   demo card: ${DEMO_CARD_EXAMPLE}\n\n`,
    );
  }

  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, config.shutdownDrainMs + config.shutdownTimeoutMs);
    force.unref();
    try {
      await new Promise((r) => setTimeout(r, config.shutdownDrainMs));
      await app.close();
      await sweeper.stop();
      await database.close();
      logger.info("stopped");
      process.exit(0);
    } catch (err) {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

function printDemoCredentials(config: Config): void {
  const lines = DEMO_CREDENTIALS.map((c) => `  ${c.login.padEnd(18)} ${DEMO_SECRET}   ${c.description}`);
  const users = DEMO_USERS.map((u) => `  ${u.email.padEnd(22)} ${DEMO_PASSWORD}   ${u.description}`);
  process.stdout.write(
    `\nDemo data loaded into ${redactUrl(config.databaseUrl)}. POS credentials (login, secret):\n${lines.join("\n")}\nCabinet users of the admin API /admin/v1 (e-mail, password):\n${users.join("\n")}\n`,
  );
}
