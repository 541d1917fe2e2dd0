/**
 * Assembles the HTTP server: plugins (OpenAPI, metrics, errors), the application layer, and every API
 * surface. Nothing listens here; the CLI's `serve` and the tests decide what to do with the instance.
 */
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { errorCatalogueMarkdown } from "@kopilka/contract";
import Fastify, { type FastifyBaseLogger, LogController } from "fastify";
import { type AdminRouteInfo, registerAdminV1 } from "../api/admin-v1/index.js";
import { installErrorHandling } from "../api/http/error-handler.js";
import type { Api } from "../api/http/types.js";
import { healthRoutes } from "../api/ops/health.js";
import { installMetrics, type Metrics } from "../api/ops/metrics.js";
import { registerPosV1 } from "../api/pos-v1/index.js";
import { openPurchaseCounts } from "../modules/purchases/index.js";
import type { AppContext } from "./context.js";
import { buildServices, type Services } from "./services.js";

export interface Server {
  app: Api;
  metrics: Metrics;
  services: Services;
  /** Every admin route and the permission it declares. */
  adminRoutes: readonly AdminRouteInfo[];
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

  const metrics = installMetrics(app, () => openPurchaseCounts(database, clock.now()));
  const services = await buildServices(ctx, (kind) => metrics.purchaseEvents.inc({ kind }));

  healthRoutes(app, database, isClosing);
  await registerPosV1(app, services);
  const adminRoutes = await registerAdminV1(app, { ...services, cookieSecure: config.adminCookieSecure });

  return { app, metrics, services, adminRoutes };
}
