/**
 * Assembles the HTTP server: plugins (OpenAPI, metrics, errors), services, and every capability's routes.
 * Nothing listens here; the CLI's `serve` and the tests decide what to do with the instance.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { sql } from "kysely";
import { installErrorHandling } from "../http/error-handler.js";
import { errorCatalogueMarkdown } from "../http/errors.js";
import { installMetrics, type Metrics, type OpenPurchaseCounts } from "../http/metrics.js";
import type { Api } from "../http/types.js";
import { AuthService, resolveTokenKey } from "../modules/auth/auth-service.js";
import { authRoutes, requireAuthentication } from "../modules/auth/routes.js";
import { cardRoutes } from "../modules/cards/routes.js";
import { productRoutes } from "../modules/catalog/routes.js";
import { healthRoutes } from "../modules/health/routes.js";
import { ProgramCatalog } from "../modules/programs/program-catalog.js";
import { programRoutes } from "../modules/programs/routes.js";
import { PurchaseService } from "../modules/purchases/purchase-service.js";
import { purchaseRoutes } from "../modules/purchases/routes.js";
import { StoreDirectory } from "../modules/stores/store-directory.js";
import type { AppContext } from "./context.js";

export interface Server {
  app: Api;
  metrics: Metrics;
  purchases: PurchaseService;
  auth: AuthService;
}

const HANGING_WINDOW_MS = 86_400_000;

/** Both counts are ranges of the (state, expires_at) index, cheap at any number of purchases. */
async function openPurchaseCounts(ctx: AppContext): Promise<OpenPurchaseCounts> {
  const { db } = ctx.database;
  const now = ctx.clock.now();
  const count = async (state: string, from: number, to: number) => {
    const row = await db
      .selectFrom("purchases")
      .select(sql<number>`count(*)`.as("n"))
      .where("state", "=", state)
      .where("expires_at", ">", from)
      .where("expires_at", "<=", to)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const overdue = await count("calculated", Number.MIN_SAFE_INTEGER, now);
  return {
    calculated: await count("calculated", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    hanging: overdue + (await count("expired", now - HANGING_WINDOW_MS, now)),
  };
}

export async function buildServer(ctx: AppContext, isClosing: () => boolean = () => false): Promise<Server> {
  const { config, database, clock } = ctx;
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    return503OnClosing: true,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Successes are logged at debug: at thousands of requests a second an info line each would cost more
  // than the request. Failures are always logged.
  app.addHook("onResponse", (request, reply, done) => {
    const fields = {
      reqId: request.id,
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) request.log.error(fields, "request failed");
    else if (reply.statusCode >= 400) request.log.info(fields, "request refused");
    else request.log.debug(fields, "request done");
    done();
  });

  // While draining for shutdown, no connection is kept alive for a next request that would be refused.
  app.addHook("onSend", async (_request, reply) => {
    if (isClosing()) reply.header("connection", "close");
  });

  installErrorHandling(app);
  // The API speaks JSON only; a text body is refused with 415 instead of failing validation later.
  app.removeContentTypeParser("text/plain");
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Kopilka processing API",
        version: "1.0.0",
        description: `Loyalty and discount processing for POS terminals and accounting systems.\n\nMoney is integer kopecks, points integer hundredths (1 point = 1 ruble), quantities integer thousandths.\n\nEvery error is \`{code, message, details}\`; \`details.field\` names the input at fault.\n\n${errorCatalogueMarkdown()}`,
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const metrics = installMetrics(app, () => openPurchaseCounts(ctx));
  const key = await resolveTokenKey(database, config.tokenSecret);
  const auth = new AuthService(database, key, clock, config.tokenTtlSeconds, config.authCacheTtlMs);
  const programs = new ProgramCatalog(database, clock);
  const stores = new StoreDirectory(database, clock);
  const purchases = new PurchaseService(database, programs, stores, clock, (kind) =>
    metrics.purchaseEvents.inc({ kind }),
  );

  healthRoutes(app, database, isClosing);
  authRoutes(app, auth);
  await app.register(async (scope: Api) => {
    requireAuthentication(scope, auth);
    programRoutes(scope, database);
    productRoutes(scope, database, clock);
    cardRoutes(scope, database, clock);
    purchaseRoutes(scope, purchases);
  });

  return { app, metrics, purchases, auth };
}
