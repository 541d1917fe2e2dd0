/**
 * `kopilka serve`: migrate, load demo data into an empty embedded database, listen, sweep, and shut down
 * gracefully. On SIGTERM/SIGINT it first drains for SHUTDOWN_DRAIN_MS: it keeps answering, but
 * /health/ready says 503 so the load balancer moves away, and every response closes its connection so no
 * keep-alive socket is left idle. Only then does it stop accepting, at a moment when no connection waits in
 * the kernel's accept queue, and serve every connection it has accepted until it closes after its answer
 * (see app/connection-drain.ts); one that has sent nothing is closed after as long again as the drain (at
 * least a second). Then it stops the sweeper and closes the database; the whole shutdown is bounded by
 * SHUTDOWN_DRAIN_MS + SHUTDOWN_TIMEOUT_MS. Closing sockets straight away would reset requests a till has
 * already sent.
 */
import type { Logger } from "pino";
import { drainConnections } from "../app/connection-drain.js";
import type { AppContext } from "../app/context.js";
import { buildServer } from "../app/server.js";
import { type Config, redactUrl } from "../infra/config.js";
import { type Database, openDatabase } from "../infra/db/database.js";
import { migrateToLatest } from "../infra/db/migrate.js";
import type { CheckpointReport } from "../infra/db/wal-checkpointer.js";
import { systemClock } from "../kernel/index.js";
import {
  DEMO_CARD_EXAMPLE,
  DEMO_CREDENTIALS,
  DEMO_PHARMAPI,
  DEMO_SECRET,
  demoCredentials,
  loadDemoData,
  openDemoCredentials,
} from "../modules/demo/index.js";
import { startSweeper } from "../modules/purchases/index.js";
import { startStatsRollUp } from "../modules/stats/index.js";
import { CliError } from "./support.js";

export async function serve(config: Config, logger: Logger): Promise<void> {
  // The metrics exist once the server is built; checkpoints may report before that.
  let onCheckpoint: (report: CheckpointReport) => void = () => {};
  const database = openDatabase(config.databaseUrl, {
    poolSize: config.dbPoolSize,
    onConnectionLost: (err) => logger.warn({ err }, "database connection lost; the pool will reconnect"),
    ...(config.sqliteSoftWriteThread && {
      softWriteThread: {
        onFailure: (err) =>
          logger.error(
            { err },
            "soft-write thread failed; calculations are written on the event loop for a while",
          ),
      },
    }),
    ...(config.sqliteCheckpointIntervalMs > 0 && {
      walCheckpoints: {
        intervalMs: config.sqliteCheckpointIntervalMs,
        onCheckpoint: (report) => onCheckpoint(report),
        onError: (err) => logger.error({ err }, "background WAL checkpoint failed"),
      },
    }),
  });
  try {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied }, "database migrated");
    // Config refuses DEMO_DATA in production, so demo data never loads there.
    if (config.demoData && (await loadDemoData(database, systemClock.now()))) {
      logger.info("demo data loaded");
      printDemoCredentials(config);
    }
    if (config.production) await refuseOpenDemoCredentials(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const ctx: AppContext = { config, database, logger, clock: systemClock };
  let closing = false;
  const { app, metrics } = await buildServer(ctx, () => closing);
  onCheckpoint = (report) => metrics.walCheckpoint(report);
  const connections = drainConnections(app.server);
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await database.close();
    throw listenFailure(error, config);
  }
  const sweeper = startSweeper(database, systemClock, logger, config.sweeperIntervalMs, {
    onResult(r) {
      metrics.sweeperRuns.inc({ job: "all" });
      metrics.sweeperItems.inc({ job: "expire_purchases" }, r.expiredPurchases);
      metrics.purchaseEvents.inc({ kind: "expired" }, r.expiredPurchases);
      metrics.sweeperItems.inc({ job: "activate_lots" }, r.activatedLots);
      metrics.sweeperItems.inc({ job: "expire_lots" }, r.expiredLots);
      metrics.sweeperItems.inc({ job: "review_levels" }, r.reviewedLevels);
    },
  });
  // The dashboard's roll-up runs on the sweeper's interval (SWEEPER_INTERVAL_MS; 0 turns both off).
  const statsRollUp = startStatsRollUp(database, systemClock, logger, config.sweeperIntervalMs);
  logger.info({ address, database: redactUrl(config.databaseUrl) }, "kopilka is serving");
  // For the person who ran it; stdout carries only log lines.
  if (config.demoData) {
    process.stderr.write(
      `\nKopilka is serving at ${address}  (API docs: ${address}/docs)\nDemo POS login: ${DEMO_CREDENTIALS[1].login} / ${DEMO_SECRET}   demo card: ${DEMO_CARD_EXAMPLE}\nDemo PharmApi: Authorization-Token ${DEMO_PHARMAPI.token} / Authorization-Secret ${DEMO_PHARMAPI.secret}   pharmacy_id test-pharmacy, pos_id test-pos, card 1234567890050\n\n`,
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
      const deadline = Date.now() + config.shutdownTimeoutMs;
      await connections.stopAccepting(deadline);
      await connections.settle(Math.min(deadline, Date.now() + Math.max(config.shutdownDrainMs, 1000)));
      await app.close();
      await sweeper.stop();
      await statsRollUp.stop();
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
  const lines = demoCredentials().map(
    (c) => `  ${c.login.padEnd(22)} ${c.secret.padEnd(14)} ${c.kind}: ${c.description}`,
  );
  process.stderr.write(
    `\nDemo data loaded into ${redactUrl(config.databaseUrl)}. Logins (login, secret); cabinet users sign in to the web cabinet at / (or /admin/v1):\n${lines.join("\n")}\n`,
  );
}

/** In production no demo login may still open the door: one line per open login, with the fix. */
async function refuseOpenDemoCredentials(database: Database): Promise<void> {
  const open = await openDemoCredentials(database);
  if (open.length === 0) return;
  throw new CliError(
    open.map(
      (c) =>
        `NODE_ENV=production: demo ${c.kind} ${c.login} still accepts the public demo secret; switch it off: ${c.disableCommand}`,
    ),
  );
}

function listenFailure(error: unknown, config: Config): unknown {
  const code = (error as { code?: string }).code;
  const where = `${config.host}:${config.port}`;
  if (code === "EADDRINUSE")
    return new CliError(
      `cannot listen on ${where}: the port is already in use (EADDRINUSE); set PORT to a free one`,
    );
  if (code === "EACCES")
    return new CliError(`cannot listen on ${where}: permission denied (EACCES); use a port above 1023`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new CliError(`cannot listen on ${where}: no such address on this machine (${code}); check HOST`);
  return error;
}
